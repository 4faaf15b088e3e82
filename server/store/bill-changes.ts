/**
 * The store announces changes to a bill's mutable state (void, reimbursement, release) made by this
 * process. Whoever caches facts about bills subscribes (verification/cache.ts does), so that writers
 * (server/lifecycle) never call into a cache and each cache has one owner.
 */
type Listener = (leaf: string) => void;

const listeners = new Set<Listener>();

/** Subscribes to bill changes; returns the unsubscribe function. */
export function onBillChanged(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Call after this process changed the void or reimbursement state of the bill with this leaf. */
export function billChanged(leaf: string): void {
  for (const l of listeners) l(leaf);
}
