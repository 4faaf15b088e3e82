/**
 * The chain reads of a verification, with what may be remembered of them and for how long.
 *
 * What never changes is remembered; what can change is asked again, or remembered only briefly:
 *
 * | fact                                              | remembered                                          |
 * |---------------------------------------------------|-----------------------------------------------------|
 * | an issuer's record of a root (block, time), the leaf's inclusion, the issuer's kind and credit-code hash, whether it was active and held the bill's number at the anchoring block | only once the batch has `minConfirmations` (final by the service's own rule); then for good, keyed by issuer, root, leaf, bill code and number |
 * | an allotment found for a bill code and number     | for good (allotments are never taken back); "none" ≤ `issuerTtlMs` |
 * | the registry's EIP-712 domain                     | for good (the contract cannot change it)             |
 * | the chain head                                    | ≤ `headTtlMs` (250 ms): confirmations are at most that stale |
 * | a bill's void / reimbursement marks               | ≤ `marksTtlMs` (1 s), and never past a write of this process to that bill (store/bill-changes.ts billChanged); with a marks watch (marks-watch.ts) fresh within `marksTtlMs`, until an event of a later block names the bill (≤ `watchedMaxAgeMs`, 30 s) |
 * | an issuer's record (issuerOf: `active` changes)   | ≤ `issuerTtlMs` (1 s)                                |
 *
 * A failed read is never remembered, and nothing unconfirmed is: while the chain is down a bill whose
 * batch is not yet final gets ERROR at once, a final one ERROR as soon as its marks are older than
 * `marksTtlMs` (an outage is never INVALID).
 */
import type { Evidence } from "../chain";
import { Lru, readIsCurrent, writeEpoch } from "./cache";
import type { AllotmentRecord, BillMarks, ChainView, Eip712DomainRecord, IssuerRecord } from "./chain-view";
import type { MarksWatch } from "./marks-watch";

export interface ChainFactsOptions {
  /** the service's confirmations rule: a batch with this many is final */
  minConfirmations: number;
  headTtlMs?: number;
  marksTtlMs?: number;
  issuerTtlMs?: number;
  /** entries per table */
  max?: number;
  /** the registry's mark events, followed: marks are then kept until an event names the bill */
  watch?: MarksWatch;
  /** the longest a watched read is kept, ms (default 30 s) */
  watchedMaxAgeMs?: number;
  now?: () => number;
}

/** What the chain said of a bill under a final batch; every field is immutable from then on. */
export type FinalEvidence = Omit<Evidence, "status" | "issuer" | "batch"> & {
  batch: NonNullable<Evidence["batch"]>;
  issuer: Pick<Evidence["issuer"], "kind" | "creditCodeHash">;
  included: true;
};

/** The identity of one bill's evidence: the inputs of evidence() that are not the proof. */
export interface BillRef {
  issuer: string;
  root: string;
  leaf: string;
  billCode: string;
  billNumber: string;
}

const refKey = (r: BillRef) =>
  [r.issuer, r.root, r.leaf]
    .map((s) => s.toLowerCase())
    .concat(r.billCode, r.billNumber)
    .join(":");
const marksKey = (issuer: string, leaf: string) => `${issuer.toLowerCase()}:${leaf.toLowerCase()}`;

export class ChainFacts {
  private readonly min: number;
  private readonly headTtlMs: number;
  private readonly now: () => number;
  private readonly finals: Lru<string, FinalEvidence>;
  private readonly marks: Lru<string, { value: BillMarks; epoch: number }>;
  private readonly watch: MarksWatch | undefined;
  /** marks read when the watch had reached block `since` */
  private readonly watched: Lru<string, { value: BillMarks; epoch: number; since: number }>;
  private readonly issuers: Lru<string, IssuerRecord>;
  private readonly allotments: Lru<string, AllotmentRecord>;
  private readonly noAllotment: Lru<string, true>;
  private readonly sealKeys: Lru<string, { hash: string | null }>;
  private headValue: { value: number; at: number } | null = null;
  private headInFlight: Promise<number> | null = null;
  private domainRead: Promise<Eip712DomainRecord> | null = null;

  constructor(
    readonly chain: ChainView,
    o: ChainFactsOptions,
  ) {
    this.min = Math.max(1, o.minConfirmations);
    this.headTtlMs = o.headTtlMs ?? 250;
    this.now = o.now ?? Date.now;
    const max = o.max ?? 50_000;
    this.finals = new Lru(max, Infinity, this.now);
    this.marks = new Lru(max, o.marksTtlMs ?? 1_000, this.now);
    this.watch = o.watch;
    this.watched = new Lru(max, o.watchedMaxAgeMs ?? 30_000, this.now);
    this.issuers = new Lru(1_000, o.issuerTtlMs ?? 1_000, this.now);
    this.allotments = new Lru(10_000, Infinity, this.now);
    this.noAllotment = new Lru(10_000, o.issuerTtlMs ?? 1_000, this.now);
    this.sealKeys = new Lru(10_000, o.issuerTtlMs ?? 1_000, this.now);
  }

  get chainId(): number | null {
    return this.chain.chainId;
  }

  get registry(): string {
    return this.chain.registry;
  }

  private final(blockNumber: number, head: number): boolean {
    return blockNumber >= 0 && head - blockNumber + 1 >= this.min;
  }

  /** The head, read at most every headTtlMs; concurrent callers share one read. */
  head(): Promise<number> {
    const h = this.headValue;
    if (h && this.now() - h.at <= this.headTtlMs) return Promise.resolve(h.value);
    if (this.headInFlight) return this.headInFlight;
    const at = this.now();
    const p = this.chain.head().then(
      (value) => {
        this.headValue = { value, at };
        this.headInFlight = null;
        return value;
      },
      (err: unknown) => {
        this.headInFlight = null;
        throw err;
      },
    );
    this.headInFlight = p;
    return p;
  }

  /** The registry's signing domain, read once. */
  domain(): Promise<Eip712DomainRecord> {
    this.domainRead ??= this.chain.domain().catch((err: unknown) => {
      this.domainRead = null;
      throw err;
    });
    return this.domainRead;
  }

  /** The chain's evidence for a bill under a batch that was already final, if it was asked before. */
  finalEvidence(ref: BillRef): FinalEvidence | undefined {
    return this.finals.get(refKey(ref));
  }

  /** Always asks the chain; the marks it carries are remembered as a statusOf() read. */
  async evidence(ref: BillRef, proof: string[]): Promise<Evidence> {
    const epoch = writeEpoch();
    const at = this.now();
    const since = this.watch?.syncedBlock() ?? null;
    const ev = await this.chain.evidence(ref.issuer, ref.root, ref.leaf, proof, ref.billCode, ref.billNumber);
    this.rememberMarks(ref.issuer, ref.leaf, ev.status, epoch, at, since);
    return ev;
  }

  /** Remembers `ev` for good when, by `head`, the issuer anchored its root, it includes the leaf and is final. */
  settle(ref: BillRef, ev: Evidence, head: number): void {
    if (ev.batch === null || !ev.included || !this.final(ev.batch.blockNumber, head)) return;
    const value: FinalEvidence = {
      batch: { ...ev.batch },
      issuer: { kind: ev.issuer.kind, creditCodeHash: ev.issuer.creditCodeHash },
      included: true,
      activeAtAnchor: ev.activeAtAnchor,
      allottedAtAnchor: ev.allottedAtAnchor,
    };
    this.finals.set(refKey(ref), Object.freeze(value));
  }

  /** A bill's marks: at most marksTtlMs old, and never from before this process's last write to it. */
  async statusOf(issuer: string, leaf: string): Promise<BillMarks> {
    const key = marksKey(issuer, leaf);
    const since = this.watch?.syncedBlock() ?? null;
    if (since !== null) {
      // the watch has read every event up to a head seen at most marksTtlMs ago: served if none names this
      // bill since the read (the timed entry is not used then: it cannot tell whether an event came after it)
      const w = this.watched.get(key);
      if (w !== undefined && readIsCurrent(leaf, w.epoch) && !this.watch!.changedAfter(leaf, w.since)) return w.value;
    } else {
      const hit = this.marks.get(key);
      if (hit !== undefined && readIsCurrent(leaf, hit.epoch)) return hit.value;
    }
    const epoch = writeEpoch();
    const at = this.now();
    const value = await this.chain.statusOf(issuer, leaf);
    this.rememberMarks(issuer, leaf, value, epoch, at, since);
    return value;
  }

  /** `since`: the block the watch had reached when the read started (null: no fresh watch) */
  private rememberMarks(issuer: string, leaf: string, value: BillMarks, epoch: number, at: number, since: number | null): void {
    // a read begun before a write of this process is the state before it: not to be served after
    if (!readIsCurrent(leaf, epoch)) return;
    this.marks.set(marksKey(issuer, leaf), { value: { ...value }, epoch }, at);
    if (since !== null) this.watched.set(marksKey(issuer, leaf), { value: { ...value }, epoch, since }, at);
  }

  /** issuerOf, at most issuerTtlMs old (suspension changes `active`). */
  async issuerOf(account: string): Promise<IssuerRecord> {
    const key = account.toLowerCase();
    const hit = this.issuers.get(key);
    if (hit !== undefined) return hit;
    const at = this.now();
    const record = await this.chain.issuerOf(account);
    this.issuers.set(key, { ...record }, at);
    return record;
  }

  /** The allotment holding a bill number: a found one for good, none for at most issuerTtlMs. */
  async allotmentOf(billCode: string, billNumber: string): Promise<AllotmentRecord | null> {
    const key = `${billCode}:${billNumber}`;
    const hit = this.allotments.get(key);
    if (hit !== undefined) return hit;
    if (this.noAllotment.get(key)) return null;
    const at = this.now();
    const found = await this.chain.allotmentOf(billCode, billNumber);
    if (found) this.allotments.set(key, Object.freeze({ ...found }), at);
    else this.noAllotment.set(key, true, at);
    return found;
  }

  /** The issuer's seal key hash at a block (null: now), at most issuerTtlMs old: a rotation shows within that. */
  async sealKeyAt(issuer: string, block: number | null): Promise<string | null> {
    const key = `${issuer.toLowerCase()}:${block ?? "now"}`;
    const hit = this.sealKeys.get(key);
    if (hit !== undefined) return hit.hash;
    const at = this.now();
    const hash = await this.chain.sealKeyAt(issuer, block);
    this.sealKeys.set(key, { hash }, at);
    return hash;
  }
}
