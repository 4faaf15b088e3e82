/**
 * Claims in parts (docs/PROTOCOL.md §7, "Claims"): each relying party's claims on a bill, and the sum of
 * a bill's open claims on the bill itself, so that a claim is accepted by one conditional update
 * (claimed_fen + amount ≤ the claimable amount) and two concurrent claims cannot both pass the cap.
 */
import type { Migration } from "kysely";

export const migration008: Migration = {
  async up(db) {
    await db.schema
      .alterTable("bills")
      .addColumn("claimed_fen", "bigint", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createTable("claims")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("bill_id", "text", (c) => c.notNull().references("bills.id"))
      .addColumn("party_id", "text", (c) => c.notNull().references("institutions.id"))
      .addColumn("amount_fen", "bigint", (c) => c.notNull())
      .addColumn("reference", "text", (c) => c.notNull())
      // keccak256(utf8(reference)): what the registry keys the claim by
      .addColumn("reference_hash", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("released_at", "bigint")
      // why it ended: "released" by its party, or the registry's refusal
      .addColumn("end_reason", "text")
      .execute();
    await db.schema.createIndex("claims_bill").on("claims").columns(["bill_id", "released_at"]).execute();
    await db.schema.createIndex("claims_party").on("claims").columns(["party_id", "created_at"]).execute();
  },
  async down(db) {
    await db.schema.dropTable("claims").ifExists().execute();
    await db.schema.alterTable("bills").dropColumn("claimed_fen").execute();
  },
};
