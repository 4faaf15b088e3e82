/**
 * Which bills' marks (void, reimbursement, release) changed on chain, and up to which block that is
 * known: the registry's events, followed block by block (issue 14). It lets the verifier keep a
 * bill's marks for as long as no event names the bill, instead of asking the chain again each second
 * for every bill scanned, while answering as fresh as before:
 *
 * - a remembered read is served only while the watch has read the events up to the head it saw at
 *   most `freshMs` ago (the same freshness as the marks' TTL: chain-facts.ts) — otherwise the
 *   verifier asks the chain, as without a watch;
 * - a read is remembered with the block the watch had reached when the read *started*: every event
 *   of a later block naming the leaf discards it (conservatively: an event the read already saw too);
 * - the last `REORG_DEPTH` blocks are read again at each step, so an event that a reorganisation
 *   moved to a block already read is still seen; and nothing is kept longer than `maxAgeMs` anyway;
 * - the writes of this process (cache.ts billChanged) still discard a bill's remembered marks at once.
 */
import type { Provider } from "ethers";
import { registryInterface } from "../chain";

/** A void, a reimbursement or a release: the leaf it names and the block it is in. */
export interface MarkEvent {
  leaf: string;
  block: number;
}

export interface MarkEventSource {
  head(): Promise<number>;
  /** the mark events of blocks from..to (inclusive) */
  markEvents(from: number, to: number): Promise<MarkEvent[]>;
}

const REORG_DEPTH = 5;
/** blocks per eth_getLogs (nodes limit the range) */
const CHUNK = 2_000;
/** leaves whose last change is remembered; older ones are forgotten with the block they changed in */
const MAX_LEAVES = 100_000;

export interface MarksWatchOptions {
  /** how often to follow the chain, ms (default 250, the head's TTL) */
  pollMs?: number;
  /** a sync older than this is not used, ms (default 1,000: the marks' TTL) */
  freshMs?: number;
  now?: () => number;
}

export class MarksWatch {
  private synced: { block: number; at: number } | null = null;
  private readonly changed = new Map<string, number>();
  /** the newest block of a forgotten change: reads from before it are never trusted */
  private forgottenUpTo = -1;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly pollMs: number;
  readonly freshMs: number;
  private readonly now: () => number;

  constructor(
    private readonly source: MarkEventSource,
    o: MarksWatchOptions = {},
  ) {
    this.pollMs = o.pollMs ?? 250;
    this.freshMs = o.freshMs ?? 1_000;
    this.now = o.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      void this.sync().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.pollMs).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The block every event up to which has been read, if that was true at most freshMs ago; else null. */
  syncedBlock(): number | null {
    const s = this.synced;
    return s && this.now() - s.at <= this.freshMs ? s.block : null;
  }

  /** Whether an event in a block after `block` names `leaf` (or might have, when forgotten). */
  changedAfter(leaf: string, block: number): boolean {
    if (block < this.forgottenUpTo) return true;
    const last = this.changed.get(leaf.toLowerCase());
    return last !== undefined && last > block;
  }

  /** One step: the head, then the events since the last step (and the last REORG_DEPTH blocks again). */
  sync(): Promise<void> {
    this.running ??= this.step().finally(() => (this.running = null));
    return this.running;
  }

  private async step(): Promise<void> {
    const at = this.now();
    let head: number;
    try {
      head = await this.source.head();
      const prev = this.synced?.block;
      // the first step only sets the starting block: reads remembered later all start after it
      if (prev !== undefined) {
        for (let from = Math.max(0, prev - REORG_DEPTH + 1); from <= head; from += CHUNK) {
          for (const e of await this.source.markEvents(from, Math.min(head, from + CHUNK - 1))) this.note(e);
        }
      }
    } catch {
      return; // not fresh any more after freshMs: the verifier asks the chain itself meanwhile
    }
    // a head lower than before is a reorganisation: reads remembered since are discarded by changedAfter
    if (this.synced && head < this.synced.block) this.forgottenUpTo = Math.max(this.forgottenUpTo, this.synced.block + 1);
    this.synced = { block: head, at };
  }

  private note(e: MarkEvent): void {
    const leaf = e.leaf.toLowerCase();
    const block = Math.max(e.block, this.changed.get(leaf) ?? -1);
    this.changed.delete(leaf);
    this.changed.set(leaf, block);
    if (this.changed.size > MAX_LEAVES) {
      const [oldest, b] = this.changed.entries().next().value as [string, number];
      this.changed.delete(oldest);
      this.forgottenUpTo = Math.max(this.forgottenUpTo, b);
    }
  }
}

/** The registry's mark events (voids, whole reimbursements, claims in parts, their releases) over any ethers provider: the leaf is each event's second indexed topic. */
export function providerMarkEvents(provider: Provider, registry: string): MarkEventSource["markEvents"] {
  const abi = registryInterface();
  const topics = ["BillVoided", "BillReimbursed", "ReimbursementReleased", "BillClaimed", "ClaimReleased"].map((name) => abi.getEvent(name)!.topicHash);
  return async (from, to) => {
    const logs = await provider.getLogs({ address: registry, fromBlock: from, toBlock: to, topics: [topics] });
    return logs.filter((l) => l.topics.length >= 3).map((l) => ({ leaf: l.topics[2], block: l.blockNumber }));
  };
}
