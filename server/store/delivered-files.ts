/**
 * The record of delivered PDFs (table delivered_files): every file the service hands out is recorded
 * by SHA-256 before it leaves, so that an upload of exactly that file is recognised without rendering
 * it again, also after the renderer version changed.
 */
import { createHash } from "node:crypto";
import type { Db } from "./database";

export interface DeliveredFile {
  billId: string;
  sha256: string;
  bytes: number;
  renderer: string;
  createdAt: number;
}

export const sha256Hex = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** Records a delivered file; the same bytes of the same bill are recorded once (the first time). */
export async function recordDelivered(db: Db, billId: string, pdf: Buffer, renderer: string, now = Date.now()): Promise<void> {
  await db
    .insertInto("delivered_files")
    .values({ bill_id: billId, sha256: sha256Hex(pdf), bytes: pdf.length, renderer, created_at: now })
    .onConflict((oc) => oc.columns(["bill_id", "sha256"]).doNothing())
    .execute();
}

/** The record of these bytes delivered for this bill, or undefined. */
export async function deliveredFile(db: Db, billId: string, sha256: string): Promise<DeliveredFile | undefined> {
  const r = await db.selectFrom("delivered_files").selectAll().where("bill_id", "=", billId).where("sha256", "=", sha256).executeTakeFirst();
  return r && { billId: r.bill_id, sha256: r.sha256, bytes: r.bytes, renderer: r.renderer, createdAt: r.created_at };
}
