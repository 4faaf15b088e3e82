/**
 * Small caches for the verifier's hot path. Nothing here decides what may be cached: memo.ts holds
 * the pure results, chain-facts.ts the chain facts with their freshness rules.
 */
import { onBillChanged } from "../store/bill-changes";

/**
 * A bounded map with least-recently-used eviction and, when `ttlMs` is given, an age limit. A Map
 * keeps insertion order, so re-inserting on a hit makes the first key the least recently used.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, { value: V; at: number }>();

  constructor(
    readonly max: number,
    private readonly ttlMs = Infinity,
    private readonly now: () => number = Date.now,
  ) {
    if (!(max >= 1)) throw new RangeError("an LRU needs room for at least one entry");
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    if (this.now() - e.at > this.ttlMs) {
      this.map.delete(key);
      return undefined;
    }
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  /** `at` (default now) is when the value was true: a read started earlier ages from its start */
  set(key: K, value: V, at = this.now()): void {
    this.map.delete(key);
    this.map.set(key, { value, at });
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}

/**
 * Writes this process makes to a bill's mutable state (void, reimbursement, release). Every write
 * gets a number from one counter; a cached read of the bill's marks is served only when the read
 * *started* after the bill's last write, so a read already in flight when the bill was voided can
 * never be cached as the answer after the void.
 */
let epoch = 0;
const lastWrite = new Map<string, number>();
const MAX_WRITES = 100_000;

/** The current write number: take it before starting a read that may be cached. */
export function writeEpoch(): number {
  return epoch;
}

/** Whether a read of `leaf` begun at `startedAt` (a writeEpoch()) is still after its last write. */
export function readIsCurrent(leaf: string, startedAt: number): boolean {
  return startedAt >= (lastWrite.get(leaf.toLowerCase()) ?? 0);
}

/**
 * Records that this process changed a bill's void or reimbursement state (announced by the store,
 * store/bill-changes.ts): every cached fact or answer about the bill read before this moment is no
 * longer served.
 */
export function recordWrite(leaf: string): void {
  const key = leaf.toLowerCase();
  epoch++;
  lastWrite.delete(key);
  lastWrite.set(key, epoch);
  // an entry older than every cache's age limit no longer matters; the oldest go first
  if (lastWrite.size > MAX_WRITES) lastWrite.delete(lastWrite.keys().next().value as string);
  // the next read starts after this write
  epoch++;
}

onBillChanged(recordWrite);
