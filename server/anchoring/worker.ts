/**
 * The anchoring worker: for each sending account whose lease this process holds, it keeps at most one
 * transaction in flight and moves it built → sent → mined → confirmed, re-sending dropped
 * transactions, bumping fees of stuck ones and noticing reorganisations.
 */
import { zeroPadValue, type Interface, type Provider } from "ethers";
import type { Logger } from "pino";
import type { Db } from "../store/database";
import type { BatchRow } from "../store/schema";
import type { SignerSet } from "./signers";
import { MARK_ACTIONS, buildDueBatch, buildMarkBatch, confirmBatch, confirmMark, failMark, releaseBatch, type BatchPolicy } from "./batches";
import { broadcast, bumpFees, canBump, currentFees, feesOf, hashOf, signCall, type CallSpec } from "./sender";
import { crashPoint } from "../observability/crash";
import { acquireLease } from "./lease";
import { classifyRefusal, type Refusal } from "./refusals";
import { registryErrorOf, registryReads } from "../chain";
import type { AnchorMetrics } from "../observability/metrics";
import { isoTime } from "../format/time";

/** Rolls back a send whose batch is no longer the one we read. */
class StaleBatch extends Error {}

export interface WorkerDeps {
  db: Db;
  provider: Provider;
  iface: Interface;
  registry: string;
  chainId: bigint;
  signers: SignerSet;
  log: Logger;
  instanceId: string;
  policy: BatchPolicy;
  confirmations: number;
  pollMs: number;
  bumpAfterMs: number;
  /** how long a consumed nonce may go without one of our receipts before the batch is given up */
  nonceLossGraceMs?: number;
  /** counters for /metrics (batch sizes, sends, retries, anchored bills) */
  metrics?: AnchorMetrics;
  /**
   * A mark (void, reimbursement, release) the registry will never accept as asked: the area that
   * accepted it undoes it in the store and reports it (server/lifecycle). Called before the mark is
   * closed as failed.
   */
  onMarkRefused?: (mark: RefusedMark) => Promise<void>;
  /** after a batch is confirmed (its bills' webhook events are written with it) */
  onConfirmed?: () => void;
}

/** A mark the registry refused for good: which bill, sent from which account, and the registry's error. */
export interface RefusedMark {
  action: Exclude<BatchRow["action"], "anchor">;
  billId: string;
  account: string;
  error: string;
  why: string;
  /** the outbox entry's parameters (a claim's id, amount and hashed reference) */
  payload?: Record<string, unknown>;
}

/** An account whose transactions the registry refuses for a reason that lasts (docs/PROTOCOL.md §8). */
export interface Hold {
  account: string;
  error: string;
  why: string;
  since: number;
  /** when the refusal is next re-checked (an eth_call, never a transaction) */
  nextCheckAt: number;
  delayMs: number;
}

const HOLD_FIRST_MS = 1_000;
const HOLD_MAX_MS = 60_000;

/** transactions of one account awaiting confirmation at once (each with its own nonce) */
const MAX_OPEN_BATCHES = 4;

const MAX_RETRY_MS = 5_000;

/** The delay before the next pass: the poll interval, doubled per consecutive failure, capped. */
export function retryDelay(pollMs: number, failures: number): number {
  return Math.min(MAX_RETRY_MS, pollMs * 2 ** Math.min(failures, 16));
}

/** An eth_call that the node answered with a revert (as opposed to a node that could not be asked). */
function isRevert(err: unknown): boolean {
  const e = err as { code?: unknown; action?: unknown };
  return e?.code === "CALL_EXCEPTION";
}

export class AnchorWorker {
  private timer: NodeJS.Timeout | null = null;
  /** when the armed timer fires (epoch ms) */
  private timerAt = 0;
  private running: Promise<void> | null = null;
  private stopped = true;
  private lastError: string | null = null;
  /** consecutive failed passes: the retry delay doubles with each, up to MAX_RETRY_MS */
  private failures = 0;
  /** when a batch's nonce was first seen consumed with none of its receipts */
  private nonceLostSince = new Map<string, number>();
  /** accounts the registry refuses for a lasting reason, by account */
  private holds = new Map<string, Hold>();

  constructor(private readonly d: WorkerDeps) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Ask for a pass soon (a bill was issued). */
  wake(): void {
    if (this.stopped || this.running) return;
    const ms = Math.min(this.d.pollMs, 20);
    // Never push back a pass already due: under steady issuing (a bill every few ms) re-arming the
    // timer on each wake would postpone the pass for as long as the load lasts.
    if (this.timer && this.timerAt <= Date.now() + ms) return;
    this.schedule(ms);
  }

  /** Finishes the pass under way, then stops: nothing is left half-written (every step is one transaction). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  health(): { lastError: string | null; held: Array<Pick<Hold, "account" | "error" | "why"> & { since: string }> } {
    const held = [...this.holds.values()].map((h) => ({ account: h.account, error: h.error, why: h.why, since: isoTime(h.since) }));
    return { lastError: this.lastError, held };
  }

  /** Re-check held accounts at the next pass (after a reinstatement, say). */
  retryHeld(): void {
    for (const h of this.holds.values()) h.nextCheckAt = 0;
    this.wake();
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.pass()
        .then(() => {
          this.failures = 0;
        })
        .catch((err) => {
          this.failures++;
          this.lastError = String((err as Error).message ?? err);
          this.d.log.warn({ err: this.lastError, failures: this.failures }, "anchoring pass failed; retrying");
        })
        .finally(() => {
          this.running = null;
          if (!this.stopped) this.schedule(retryDelay(this.d.pollMs, this.failures));
        });
    }, ms);
  }

  /**
   * One pass over every account; exposed for tests. One account's failure does not stop the others;
   * the pass then fails as a whole, so that the next one backs off.
   */
  async pass(): Promise<void> {
    let failure: Error | null = null;
    for (const account of this.d.signers.accounts()) {
      if (this.stopped) return;
      const hold = this.holds.get(account);
      if (hold && Date.now() < hold.nextCheckAt) continue;
      try {
        if (!(await acquireLease(this.d.db, account, this.d.instanceId))) continue;
        await this.advanceAccount(account);
      } catch (err) {
        failure ??= err instanceof Error ? err : new Error(String(err));
      }
    }
    if (failure !== null) throw failure;
    this.lastError = null;
  }

  private async advanceAccount(account: string): Promise<void> {
    const open = await this.d.db
      .selectFrom("batches")
      .selectAll()
      .where("account", "=", account)
      .where("state", "in", ["built", "sent", "mined"])
      .orderBy("created_at")
      .execute();
    for (const batch of open) await this.advance(batch);
    // Pipelining: once every open transaction is mined and only waits for confirmations, the next
    // batch goes out with the next nonce instead of waiting a whole confirmation period.
    if (open.length >= MAX_OPEN_BATCHES) return;
    const unmined = await this.d.db.selectFrom("batches").select("action").where("account", "=", account).where("state", "in", ["built", "sent"]).execute();
    // A root does not depend on another root: while anchors wait for their block, a due batch goes out
    // with the next nonce and is mined in the same block, instead of a block later (issue 14: time to
    // anchored). A mark (void, reimbursement) may depend on a root still unmined, so marks wait, as
    // everything waits behind an unmined mark.
    // A waiting mark stops new anchors from going out meanwhile, so that a steady stream of roots
    // cannot keep it waiting for ever.
    if (unmined.length && (unmined.some((b) => b.action !== "anchor") || (await this.markWaiting(account)))) return;
    const batch = unmined.length
      ? await buildDueBatch(this.d.db, this.d.iface, account, this.d.policy)
      : ((await buildDueBatch(this.d.db, this.d.iface, account, this.d.policy)) ?? (await buildMarkBatch(this.d.db, this.d.iface, account)));
    if (!batch) return;
    if (batch.action === "anchor") this.d.metrics?.batchBuilt(batch.bill_count);
    crashPoint("batch-built");
    await this.send(batch);
  }

  /** Whether a mark of this account (void, reimbursement, claim, or a release) waits for its transaction. */
  private async markWaiting(account: string): Promise<boolean> {
    const row = await this.d.db
      .selectFrom("outbox")
      .select("id")
      .where("account", "=", account)
      .where("action", "in", MARK_ACTIONS)
      .where("done_at", "is", null)
      .where("batch_id", "is", null)
      .executeTakeFirst();
    return row !== undefined;
  }

  private async advance(batch: BatchRow): Promise<void> {
    if (batch.state === "built") await this.send(batch);
    else if (batch.state === "sent") await this.checkSent(batch);
    else if (batch.state === "mined") await this.checkMined(batch);
  }

  /** The registry's answer to the batch's call from its account, now: null when it would succeed. */
  private async simulate(batch: BatchRow): Promise<Refusal | null> {
    try {
      await this.d.provider.call({ from: batch.account, to: this.d.registry, data: batch.call_data });
      return null;
    } catch (err) {
      const decoded = registryErrorOf(err);
      // a node that cannot be asked is no refusal: the pass fails and backs off
      if (decoded === null && !isRevert(err)) throw err;
      return classifyRefusal(batch.action, batch.account, decoded);
    }
  }

  private async send(batch: BatchRow): Promise<void> {
    const refusal = await this.simulate(batch);
    if (refusal) return this.refused(batch, refusal, false);
    this.clearHold(batch.account);
    const { db, provider, signers } = this.d;
    const sender = await db.selectFrom("senders").selectAll().where("account", "=", batch.account).executeTakeFirstOrThrow();
    const chainNonce = await provider.getTransactionCount(batch.account, "pending");
    const nonce = Math.max(sender.next_nonce ?? 0, chainNonce);
    const fees = await currentFees(provider);
    const tx = await signCall(signers.get(batch.account), this.d.chainId, nonce, this.callOf(batch), fees);
    const now = Date.now();
    // Fenced: the RPC calls above may have outlasted our lease, and another replica may have sent
    // (even confirmed) this batch meanwhile; then nothing is written and nothing is broadcast.
    const fenced = await db
      .transaction()
      .execute(async (trx) => {
        const held = await trx
          .updateTable("senders")
          .set({ next_nonce: nonce + 1 })
          .where("account", "=", batch.account)
          .where("lease_owner", "=", this.d.instanceId)
          .executeTakeFirst();
        if (Number(held.numUpdatedRows) !== 1) return false;
        const r = await trx
          .updateTable("batches")
          .set({
            state: "sent",
            nonce,
            raw_txs: JSON.stringify([tx.raw]),
            tx_hash: tx.hash,
            max_fee: String(fees.maxFeePerGas),
            priority_fee: String(fees.maxPriorityFeePerGas),
            attempts: batch.attempts + 1,
            sent_at: now,
          })
          .where("id", "=", batch.id)
          .where("state", "=", "built")
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 1) return true;
        throw new StaleBatch();
      })
      .catch((err: Error) => (err instanceof StaleBatch ? false : Promise.reject(err)));
    if (!fenced) return this.stale(batch, "send");
    crashPoint("tx-signed");
    if (batch.attempts === 0) this.d.metrics?.txSent();
    await broadcast(provider, tx.raw);
    this.d.log.info({ batch: batch.id, root: batch.root, bills: batch.bill_count, nonce, tx: tx.hash }, "batch sent");
    crashPoint("tx-sent");
  }

  private async checkSent(batch: BatchRow): Promise<void> {
    const { provider, db } = this.d;
    const raws = JSON.parse(batch.raw_txs) as string[];
    for (const raw of raws) {
      const receipt = await provider.getTransactionReceipt(hashOf(raw));
      if (!receipt) continue;
      this.nonceLostSince.delete(batch.id);
      crashPoint("receipt-seen");
      if (receipt.status !== 1) {
        // the chain changed between the check before sending and the block: ask it why, now
        this.d.metrics?.txRetried("reverted");
        const refusal = (await this.simulate(batch)) ?? {
          kind: "retry",
          error: "UNKNOWN",
          why: `transaction ${receipt.hash} reverted, and the same call now succeeds`,
        };
        this.d.log.warn({ batch: batch.id, action: batch.action, tx: receipt.hash, refusal }, "registry transaction reverted");
        return this.refused(batch, refusal, true);
      }
      const r = await db
        .updateTable("batches")
        .set({ state: "mined", tx_hash: receipt.hash, block_number: receipt.blockNumber, block_hash: receipt.blockHash })
        .where("id", "=", batch.id)
        .where("state", "=", "sent")
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return this.stale(batch, "mined");
      return this.checkMined({ ...batch, state: "mined", tx_hash: receipt.hash, block_number: receipt.blockNumber, block_hash: receipt.blockHash });
    }
    await this.unmined(batch, raws);
  }

  /** None of the batch's transactions is mined: detect a lost nonce, re-send a dropped one, bump a stuck one. */
  private async unmined(batch: BatchRow, raws: string[]): Promise<void> {
    const { provider, db } = this.d;
    const minedNonce = await provider.getTransactionCount(batch.account, "latest");
    if (batch.nonce !== null && minedNonce > batch.nonce) {
      // Our nonce is used, by none of our transactions (or its receipt is not visible yet): wait a grace
      // period, then give the bills back — the batch can never be mined now.
      const since = this.nonceLostSince.get(batch.id) ?? Date.now();
      this.nonceLostSince.set(batch.id, since);
      if (Date.now() - since < (this.d.nonceLossGraceMs ?? 5_000)) return;
      this.nonceLostSince.delete(batch.id);
      this.d.log.warn({ batch: batch.id, nonce: batch.nonce }, "nonce consumed by another transaction; re-batching");
      await db.updateTable("senders").set({ next_nonce: minedNonce }).where("account", "=", batch.account).execute();
      this.d.metrics?.txRetried("rebatch");
      return releaseBatch(db, batch, "nonce consumed by another transaction");
    }
    const latest = raws[raws.length - 1];
    const now = Date.now() - (batch.sent_at ?? 0) >= this.d.bumpAfterMs ? await currentFees(provider) : null;
    if (now && canBump(feesOf(latest), now)) {
      const fees = bumpFees(feesOf(latest), now);
      const tx = await signCall(this.d.signers.get(batch.account), this.d.chainId, batch.nonce as number, this.callOf(batch), fees);
      const r = await db
        .updateTable("batches")
        .set({
          raw_txs: JSON.stringify([...raws, tx.raw]),
          tx_hash: tx.hash,
          max_fee: String(fees.maxFeePerGas),
          priority_fee: String(fees.maxPriorityFeePerGas),
          attempts: batch.attempts + 1,
          sent_at: Date.now(),
        })
        .where("id", "=", batch.id)
        .where("state", "=", "sent")
        .where("attempts", "=", batch.attempts)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return this.stale(batch, "fee bump");
      this.d.log.warn({ batch: batch.id, tx: tx.hash, maxFeePerGas: String(fees.maxFeePerGas) }, "transaction not mined in time; fee bumped");
      this.d.metrics?.txRetried("fee-bump");
      await broadcast(provider, tx.raw);
      return;
    }
    // Re-broadcast when the node no longer knows the transaction (dropped from its pool, or a node restart).
    if (!(await provider.getTransaction(hashOf(latest)))) {
      this.d.log.warn({ batch: batch.id, tx: hashOf(latest) }, "transaction missing from the node; re-sending");
      this.d.metrics?.txRetried("rebroadcast");
      await broadcast(provider, latest);
    }
  }

  private async checkMined(batch: BatchRow): Promise<void> {
    const { provider, db } = this.d;
    const block = await provider.getBlock(batch.block_number as number);
    if (!block || block.hash !== batch.block_hash) {
      this.d.log.warn({ batch: batch.id, block: batch.block_number }, "anchoring block reorganised away; back to sent");
      this.d.metrics?.txRetried("reorg");
      await db
        .updateTable("batches")
        .set({ state: "sent", block_number: null, block_hash: null, sent_at: 0 })
        .where("id", "=", batch.id)
        .where("state", "=", "mined")
        .execute();
      return;
    }
    const head = await provider.getBlockNumber();
    if (head - (batch.block_number as number) + 1 < this.d.confirmations) return;
    crashPoint("confirming");
    if (batch.action !== "anchor") {
      await confirmMark(db, batch);
      this.d.log.info({ batch: batch.id, action: batch.action, block: batch.block_number }, "bill mark confirmed");
      return;
    }
    const n = await confirmBatch(db, batch);
    this.d.onConfirmed?.();
    this.d.metrics?.billsAnchored(n);
    this.d.log.info({ batch: batch.id, root: batch.root, bills: n, block: batch.block_number }, "batch anchored");
  }

  /**
   * Acts on a refusal of `batch` (docs/PROTOCOL.md §8). `consumed`: a transaction of the batch was
   * mined and reverted, so its nonce is spent and the batch goes back to "built" unless it is settled.
   */
  private async refused(batch: BatchRow, r: Refusal, consumed: boolean): Promise<void> {
    this.d.metrics?.registryRefused(batch.action, r.error);
    if (r.kind === "done") {
      this.clearHold(batch.account);
      if (batch.action === "anchor") return this.adopt(batch);
      this.d.log.info({ batch: batch.id, action: batch.action, error: r.error }, `registry mark already in place: ${r.why}`);
      return confirmMark(this.d.db, batch);
    }
    if (r.kind === "undo" && batch.action !== "anchor") {
      this.d.log.error({ batch: batch.id, action: batch.action, error: r.error }, `registry refuses the mark for good (${r.why}); undoing it in the store`);
      const outbox = await this.d.db.selectFrom("outbox").select(["bill_id", "payload"]).where("batch_id", "=", batch.id).executeTakeFirst();
      if (outbox)
        await this.d.onMarkRefused?.({
          action: batch.action,
          billId: outbox.bill_id,
          account: batch.account,
          error: r.error,
          why: r.why,
          payload: JSON.parse(outbox.payload) as Record<string, unknown>,
        });
      return failMark(this.d.db, batch, `${r.error}: ${r.why}`);
    }
    if (consumed) await this.rebuild(batch);
    if (r.kind === "hold") return this.hold(batch.account, r);
    throw new Error(`registry refused batch ${batch.id} (${batch.action}): ${r.why}`);
  }

  /** A batch whose transaction reverted is signed again later with a fresh nonce (the reverted one changed nothing). */
  private async rebuild(batch: BatchRow): Promise<void> {
    await this.d.db
      .updateTable("batches")
      .set({ state: "built", nonce: null, raw_txs: "[]", tx_hash: null, sent_at: null, block_number: null, block_hash: null })
      .where("id", "=", batch.id)
      .where("state", "=", "sent")
      .execute();
  }

  private hold(account: string, r: Refusal): void {
    const prior = this.holds.get(account);
    const delayMs = prior ? Math.min(HOLD_MAX_MS, prior.delayMs * 2) : HOLD_FIRST_MS;
    if (!prior || prior.error !== r.error) this.d.log.warn({ account, error: r.error }, `anchoring for ${account} waits: ${r.why}`);
    this.holds.set(account, { account, error: r.error, why: r.why, since: prior?.since ?? Date.now(), nextCheckAt: Date.now() + delayMs, delayMs });
    this.d.metrics?.heldAccounts(this.holds.size);
  }

  private clearHold(account: string): void {
    if (!this.holds.delete(account)) return;
    this.d.log.info({ account }, "anchoring resumes: the registry accepts the account's transactions again");
    this.d.metrics?.heldAccounts(this.holds.size);
  }

  /** The account already anchored the batch's root (a send whose receipt we lost): take that anchor as ours. */
  private async adopt(batch: BatchRow): Promise<void> {
    const { provider, db } = this.d;
    const record = await registryReads(provider, this.d.registry).batchOf(batch.account, batch.root);
    if (!record) throw new Error(`batch ${batch.id}: the registry reports the root anchored but holds no record of it`);
    const topics = [this.d.iface.getEvent("BatchAnchored")!.topicHash, zeroPadValue(batch.account, 32), batch.root];
    const [block, logs] = await Promise.all([
      provider.getBlock(record.blockNumber),
      provider.getLogs({ address: this.d.registry, fromBlock: record.blockNumber, toBlock: record.blockNumber, topics }),
    ]);
    if (!block?.hash || logs.length === 0)
      throw new Error(`batch ${batch.id}: the anchoring transaction of root ${batch.root} is not found in block ${record.blockNumber}`);
    const r = await db
      .updateTable("batches")
      .set({ state: "mined", tx_hash: logs[0].transactionHash, block_number: record.blockNumber, block_hash: block.hash })
      .where("id", "=", batch.id)
      .where("state", "in", ["built", "sent"])
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return this.stale(batch, "adopt");
    this.d.log.info({ batch: batch.id, root: batch.root, block: record.blockNumber }, "root already anchored by this account; adopted");
    return this.checkMined({ ...batch, state: "mined", tx_hash: logs[0].transactionHash, block_number: record.blockNumber, block_hash: block.hash });
  }

  /** The batch changed under us (another replica took the lease while our RPC calls hung): drop this pass's view. */
  private stale(batch: BatchRow, step: string): void {
    this.d.log.warn({ batch: batch.id, step }, "batch changed by another sender; this pass's view is dropped");
  }

  private callOf(batch: BatchRow): CallSpec {
    return { to: this.d.registry, data: batch.call_data, gasLimit: BigInt(batch.gas_limit) };
  }
}
