/**
 * Turning open outbox entries into batches, and recording a confirmed batch on its bills.
 */
import { accountHasSubscribers, emitBillEvent } from "../webhooks/events";
import crypto from "node:crypto";
import type { Db } from "../store/database";
import { sql } from "kysely";
import type { BatchRow, BillRow } from "../store/schema";
import type { Interface } from "ethers";
import { buildBatchTree, type BatchTree } from "../issuance/canonical";
import { claimableOpening } from "../issuance/claimable";

export interface BatchPolicy {
  maxSize: number;
  maxAgeMs: number;
}

/** Gas limits are fixed, not estimated: an estimate would revert for a root that is already anchored. */
/** bills whose proofs are stored per transaction when a batch is confirmed */
const CONFIRM_CHUNK = 100;

export const GAS = { anchor: 120_000, mark: 200_000, claim: 400_000 } as const;

function newBatch(account: string, action: BatchRow["action"], root: string, billCount: number, callData: string, now: number): BatchRow {
  return {
    id: crypto.randomUUID(),
    account,
    action,
    root,
    bill_count: billCount,
    call_data: callData,
    // a claim proves a field of the bill too, and checks the party's earlier claims on it
    gas_limit: action === "anchor" ? GAS.anchor : action === "claim" ? GAS.claim : GAS.mark,
    state: "built",
    nonce: null,
    raw_txs: "[]",
    tx_hash: null,
    max_fee: null,
    priority_fee: null,
    attempts: 0,
    block_number: null,
    block_hash: null,
    error: null,
    created_at: now,
    sent_at: null,
    confirmed_at: null,
  };
}

/** Builds the next anchor batch of `account` if one is due (full, or its oldest bill old enough). */
export async function buildDueBatch(db: Db, iface: Interface, account: string, policy: BatchPolicy, now = Date.now()): Promise<BatchRow | null> {
  // A suspended issuer's account would be refused by the registry: its pending bills wait for reinstatement.
  const suspended = await db.selectFrom("institutions").select("id").where("account", "=", account).where("status", "=", "suspended").executeTakeFirst();
  if (suspended) return null;
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom("outbox")
      .innerJoin("bills", "bills.id", "outbox.bill_id")
      .select(["outbox.id", "outbox.created_at", "bills.bill_hash"])
      .where("outbox.account", "=", account)
      .where("outbox.action", "=", "anchor")
      .where("outbox.done_at", "is", null)
      .where("outbox.batch_id", "is", null)
      .orderBy("outbox.id")
      .limit(policy.maxSize)
      .execute();
    if (rows.length === 0) return null;
    if (rows.length < policy.maxSize && now - rows[0].created_at < policy.maxAgeMs) return null;
    const tree = buildBatchTree(rows.map((r) => r.bill_hash));
    rememberTree(tree);
    const batch = newBatch(account, "anchor", tree.root, rows.length, iface.encodeFunctionData("anchor", [tree.root, rows.length]), now);
    await trx.insertInto("batches").values(batch).execute();
    const ids = rows.map((r) => r.id);
    for (let i = 0; i < ids.length; i += 500) {
      await trx
        .updateTable("outbox")
        .set({ batch_id: batch.id })
        .where("id", "in", ids.slice(i, i + 500))
        .execute();
    }
    return batch;
  });
}

/** The batch's bills with their hashes, in outbox order (the order the tree was built in). */
async function batchBills(db: Db, batchId: string): Promise<Array<{ outboxId: number; billId: string; billHash: string }>> {
  const rows = await db
    .selectFrom("outbox")
    .innerJoin("bills", "bills.id", "outbox.bill_id")
    .select(["outbox.id", "outbox.bill_id", "bills.bill_hash"])
    .where("outbox.batch_id", "=", batchId)
    .orderBy("outbox.id")
    .execute();
  return rows.map((r) => ({ outboxId: r.id, billId: r.bill_id, billHash: r.bill_hash }));
}

/** Marks the batch confirmed and stores every bill's proof, all in one transaction. */
/**
 * Trees built in this process, by root, until their batch is confirmed: building a 1,000-bill tree
 * costs tens of milliseconds of event-loop time, and confirming needs the same proofs again. After a
 * restart the tree is simply rebuilt from the stored bill hashes.
 */
const trees = new Map<string, BatchTree>();

function rememberTree(tree: BatchTree): void {
  if (trees.size >= 32) trees.delete(trees.keys().next().value as string);
  trees.set(tree.root, tree);
}

const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Stores every bill's proof, then marks the batch confirmed. The bills are written in chunks, each its
 * own transaction with the event loop free in between, so a large batch does not stall issuing; each
 * chunk is idempotent (only bills without a batch), so a crash midway is finished by the next pass.
 */
export async function confirmBatch(db: Db, batch: BatchRow, now = Date.now()): Promise<number> {
  const bills = await batchBills(db, batch.id);
  const hashes = bills.map((b) => b.billHash);
  const cached = trees.get(batch.root);
  const tree = cached && cached.entries.length === hashes.length && cached.entries.every((e, i) => e.billHash === hashes[i]) ? cached : buildBatchTree(hashes);
  if (tree.root !== batch.root) throw new Error(`batch ${batch.id}: rebuilt root ${tree.root} differs from ${batch.root}`);
  // a subscription made during this confirmation may miss this batch's events: it receives events from its creation on
  const announce = await accountHasSubscribers(db, batch.account, "bill.anchored");
  for (let from = 0; from < bills.length; from += CONFIRM_CHUNK) {
    await db.transaction().execute(async (trx) => {
      for (let i = from; i < Math.min(from + CONFIRM_CHUNK, bills.length); i++) {
        // A bill voided while pending stays voided, but gets its proof: its void mark follows the anchor.
        const upd = await trx
          .updateTable("bills")
          .set({
            batch_id: batch.id,
            proof: JSON.stringify(tree.entries[i].proof),
            status: sql<BillRow["status"]>`CASE WHEN status = 'pending' THEN 'anchored' ELSE status END`,
          })
          .where("id", "=", bills[i].billId)
          .where("batch_id", "is", null)
          .executeTakeFirst();
        // its bill.anchored webhook event, in the same transaction (only once: the update above is)
        if (announce && Number(upd.numUpdatedRows) === 1) {
          const bill = await trx.selectFrom("bills").selectAll().where("id", "=", bills[i].billId).executeTakeFirstOrThrow();
          if (bill.status === "anchored") {
            await emitBillEvent(
              trx,
              "bill.anchored",
              bill,
              { anchor: { root: batch.root, txHash: batch.tx_hash, blockNumber: batch.block_number === null ? null : Number(batch.block_number) } },
              now,
            );
          }
        }
      }
    });
    await yieldToRequests();
  }
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("outbox").set({ done_at: now }).where("batch_id", "=", batch.id).execute();
    await trx.updateTable("batches").set({ state: "confirmed", confirmed_at: now }).where("id", "=", batch.id).execute();
  });
  trees.delete(batch.root);
  return bills.length;
}

/** Gives a batch's entries back to the outbox (the batch can no longer be mined). */
export async function releaseBatch(db: Db, batch: BatchRow, error: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("outbox").set({ batch_id: null, error }).where("batch_id", "=", batch.id).execute();
    await trx.updateTable("batches").set({ state: "failed", error }).where("id", "=", batch.id).execute();
  });
}

/**
 * The next single-bill mark (void, reimbursement, release) of `account` whose bill is anchored: a
 * mark needs the bill's root and proof, so a mark on a pending bill waits for its anchor.
 */
/** The outbox actions that are marks on an anchored bill (each its own transaction), not roots. */
export const MARK_ACTIONS = ["void", "reimburse", "release", "claim", "release_claim"] as const;

export async function buildMarkBatch(db: Db, iface: Interface, account: string, now = Date.now()): Promise<BatchRow | null> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("outbox")
      .innerJoin("bills", "bills.id", "outbox.bill_id")
      .innerJoin("batches", "batches.id", "bills.batch_id")
      .innerJoin("institutions", "institutions.id", "bills.institution_id")
      .select([
        "outbox.id",
        "outbox.action",
        "outbox.payload",
        "bills.leaf",
        "bills.proof",
        "bills.bill_hash",
        "bills.envelope",
        "batches.root",
        "institutions.account as issuer",
      ])
      .where("outbox.account", "=", account)
      .where("outbox.action", "in", MARK_ACTIONS)
      .where("outbox.done_at", "is", null)
      .where("outbox.batch_id", "is", null)
      .orderBy("outbox.id")
      .limit(1)
      .executeTakeFirst();
    if (!row) return null;
    const proof = JSON.parse(row.proof ?? "[]") as string[];
    const p = JSON.parse(row.payload) as { reason?: number; reference?: string; amountFen?: number };
    // every mark names the bill's own issuer: its root, and the (issuer, leaf) its marks live under
    let data: string;
    if (row.action === "void") data = iface.encodeFunctionData("voidBill", [row.root, row.leaf, proof, p.reason ?? 1]);
    else if (row.action === "reimburse") data = iface.encodeFunctionData("markReimbursed", [row.issuer, row.root, row.leaf, proof, p.reference]);
    else if (row.action === "release") data = iface.encodeFunctionData("releaseReimbursement", [row.issuer, row.leaf]);
    else if (row.action === "claim") {
      // the cap is proven to the registry from the bill's own commitment: its claimable field, opened
      const env = JSON.parse(row.envelope) as { bill: Record<string, unknown>; salts: Record<string, string> };
      const opening = claimableOpening(env.bill, env.salts);
      data = iface.encodeFunctionData("claim", [row.issuer, row.root, row.bill_hash, proof, opening, p.amountFen, p.reference]);
    } else data = iface.encodeFunctionData("releaseClaim", [row.issuer, row.leaf, p.reference]);
    const batch = newBatch(account, row.action, row.root, 1, data, now);
    await trx.insertInto("batches").values(batch).execute();
    await trx.updateTable("outbox").set({ batch_id: batch.id }).where("id", "=", row.id).execute();
    return batch;
  });
}

/** A mark's effect is in the store already (set when it was accepted): confirming closes its outbox entry. */
export async function confirmMark(db: Db, batch: BatchRow, now = Date.now()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("outbox").set({ done_at: now }).where("batch_id", "=", batch.id).execute();
    await trx.updateTable("batches").set({ state: "confirmed", confirmed_at: now }).where("id", "=", batch.id).execute();
  });
}

/** A reverted mark is not retried (the chain refused it for a reason a retry would not change). */
export async function failMark(db: Db, batch: BatchRow, error: string, now = Date.now()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("outbox").set({ done_at: now, error }).where("batch_id", "=", batch.id).execute();
    await trx.updateTable("batches").set({ state: "failed", error }).where("id", "=", batch.id).execute();
  });
}
