/**
 * Turning open outbox entries into batches, and recording a confirmed batch on its bills.
 */
import crypto from "node:crypto";
import type { Db } from "../store/database";
import type { BatchRow } from "../store/schema";
import { buildBatchTree } from "../issuance/canonical";

export interface BatchPolicy {
  maxSize: number;
  maxAgeMs: number;
}

/** Builds the next anchor batch of `account` if one is due (full, or its oldest bill old enough). */
export async function buildDueBatch(db: Db, account: string, policy: BatchPolicy, now = Date.now()): Promise<BatchRow | null> {
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
    const batch: BatchRow = {
      id: crypto.randomUUID(),
      account,
      action: "anchor",
      root: tree.root,
      bill_count: rows.length,
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
    await trx.insertInto("batches").values(batch).execute();
    const ids = rows.map((r) => r.id);
    for (let i = 0; i < ids.length; i += 500) {
      await trx.updateTable("outbox").set({ batch_id: batch.id }).where("id", "in", ids.slice(i, i + 500)).execute();
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
export async function confirmBatch(db: Db, batch: BatchRow, now = Date.now()): Promise<number> {
  const bills = await batchBills(db, batch.id);
  const tree = buildBatchTree(bills.map((b) => b.billHash));
  if (tree.root !== batch.root) throw new Error(`batch ${batch.id}: rebuilt root ${tree.root} differs from ${batch.root}`);
  await db.transaction().execute(async (trx) => {
    for (const [i, b] of bills.entries()) {
      await trx
        .updateTable("bills")
        .set({ batch_id: batch.id, proof: JSON.stringify(tree.entries[i].proof), status: "anchored" })
        .where("id", "=", b.billId)
        .where("status", "=", "pending")
        .execute();
    }
    await trx.updateTable("outbox").set({ done_at: now }).where("batch_id", "=", batch.id).execute();
    await trx.updateTable("batches").set({ state: "confirmed", confirmed_at: now }).where("id", "=", batch.id).execute();
  });
  return bills.length;
}

/** Gives a batch's entries back to the outbox (the batch can no longer be mined). */
export async function releaseBatch(db: Db, batch: BatchRow, error: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("outbox").set({ batch_id: null, error }).where("batch_id", "=", batch.id).execute();
    await trx.updateTable("batches").set({ state: "failed", error }).where("id", "=", batch.id).execute();
  });
}
