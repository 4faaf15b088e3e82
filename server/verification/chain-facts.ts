/**
 * The chain reads of a verification, with what may be remembered of them and for how long.
 *
 * What never changes is remembered; what can change is asked again, or remembered only briefly:
 *
 * | fact                                              | remembered                                          |
 * |---------------------------------------------------|-----------------------------------------------------|
 * | a batch's record (anchoring account, block, time), the leaf's inclusion, the anchoring issuer's kind and credit-code hash | only once the batch has `minConfirmations` (final by the service's own rule); then for good |
 * | wasIssuerAt(account, kind, block)                 | once `block` itself is final (past checkpoints never change); then for good |
 * | the chain head                                    | ≤ `headTtlMs` (250 ms): confirmations are at most that stale (ethers' provider already shares a read for 250 ms) |
 * | a bill's void / reimbursement marks               | ≤ `marksTtlMs` (1 s), and never past a write of this process to that bill (cache.ts billChanged) |
 * | an issuer's record (issuerOf: `active` changes)   | ≤ `issuerTtlMs` (1 s)                                |
 *
 * A failed read is never remembered, and nothing unconfirmed is: while the chain is down a bill whose
 * batch is not yet final gets ERROR at once, a final one ERROR as soon as its marks are older than
 * `marksTtlMs` (issue 7: cached, finalised evidence may still say VALID; an outage is never INVALID).
 */
import type { Evidence, IssuerKind } from "../chain";
import { Lru, readIsCurrent, writeEpoch } from "./cache";
import type { BillMarks, ChainView, IssuerRecord } from "./chain-view";

export interface ChainFactsOptions {
  /** the service's confirmations rule: a batch with this many is final */
  minConfirmations: number;
  headTtlMs?: number;
  marksTtlMs?: number;
  issuerTtlMs?: number;
  /** entries per table */
  max?: number;
  now?: () => number;
}

/** What the chain said of a bill under a final batch; every field is immutable from then on. */
export interface FinalEvidence {
  batch: Evidence["batch"];
  issuer: Pick<Evidence["issuer"], "kind" | "creditCodeHash">;
  included: true;
}

export class ChainFacts {
  private readonly min: number;
  private readonly headTtlMs: number;
  private readonly now: () => number;
  private readonly finals: Lru<string, FinalEvidence>;
  private readonly admitted: Lru<string, boolean>;
  private readonly marks: Lru<string, { value: BillMarks; epoch: number }>;
  private readonly issuers: Lru<string, IssuerRecord>;
  private headValue: { value: number; at: number } | null = null;
  private headInFlight: Promise<number> | null = null;
  /** the highest head seen: the chain only grows, so it is a lower bound of the head now */
  private highestHead = -1;

  constructor(readonly chain: ChainView, o: ChainFactsOptions) {
    this.min = Math.max(1, o.minConfirmations);
    this.headTtlMs = o.headTtlMs ?? 250;
    this.now = o.now ?? Date.now;
    const max = o.max ?? 50_000;
    this.finals = new Lru(max, Infinity, this.now);
    this.admitted = new Lru(max, Infinity, this.now);
    this.marks = new Lru(max, o.marksTtlMs ?? 1_000, this.now);
    this.issuers = new Lru(1_000, o.issuerTtlMs ?? 1_000, this.now);
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
        this.highestHead = Math.max(this.highestHead, value);
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

  /** The chain's evidence for a bill under a batch that was already final, if it was asked before. */
  finalEvidence(root: string, leaf: string): FinalEvidence | undefined {
    return this.finals.get(`${root.toLowerCase()}:${leaf.toLowerCase()}`);
  }

  /** Always asks the chain; the marks it carries are remembered as a statusOf() read. */
  async evidence(root: string, leaf: string, proof: string[]): Promise<Evidence> {
    const epoch = writeEpoch();
    const at = this.now();
    const ev = await this.chain.evidence(root, leaf, proof);
    this.rememberMarks(leaf, ev.status, epoch, at);
    return ev;
  }

  /** Remembers `ev` for good when, by `head`, its batch is anchored, includes the leaf and is final. */
  settle(root: string, leaf: string, ev: Evidence, head: number): void {
    if (ev.batch.issuer === null || !ev.included || !this.final(ev.batch.blockNumber, head)) return;
    const value: FinalEvidence = {
      batch: { ...ev.batch },
      issuer: { kind: ev.issuer.kind, creditCodeHash: ev.issuer.creditCodeHash },
      included: true,
    };
    this.finals.set(`${root.toLowerCase()}:${leaf.toLowerCase()}`, Object.freeze(value));
  }

  /** wasIssuerAt, remembered once `blockNumber` is final by the highest head seen. */
  async wasIssuerAt(account: string, kind: IssuerKind, blockNumber: number): Promise<boolean> {
    const key = `${account.toLowerCase()}:${kind}:${blockNumber}`;
    const hit = this.admitted.get(key);
    if (hit !== undefined) return hit;
    const was = await this.chain.wasIssuerAt(account, kind, blockNumber);
    if (this.final(blockNumber, this.highestHead)) this.admitted.set(key, was);
    return was;
  }

  /** A bill's marks: at most marksTtlMs old, and never from before this process's last write to it. */
  async statusOf(leaf: string): Promise<BillMarks> {
    const key = leaf.toLowerCase();
    const hit = this.marks.get(key);
    if (hit !== undefined && readIsCurrent(key, hit.epoch)) return hit.value;
    const epoch = writeEpoch();
    const at = this.now();
    const value = await this.chain.statusOf(leaf);
    this.rememberMarks(leaf, value, epoch, at);
    return value;
  }

  private rememberMarks(leaf: string, value: BillMarks, epoch: number, at: number): void {
    // a read begun before a write of this process is the state before it: not to be served after
    if (readIsCurrent(leaf, epoch)) this.marks.set(leaf.toLowerCase(), { value: { ...value }, epoch }, at);
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
}
