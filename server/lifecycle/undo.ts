/**
 * A mark the registry refused for good (docs/PROTOCOL.md §8) is undone in the store, so that the
 * service's verdict goes back to the chain's, and it is reported: audit log, error log, metrics.
 *
 * - a void: the bill is valid again (anchored, or pending); the red bill issued with the void is
 *   withdrawn — voided in its turn, on chain too, so that nobody can rely on it;
 * - a reimbursement: the party's mark is taken off the bill;
 * - a release: nothing to undo in the store (reconciliation shows the chain's mark); reported;
 * - a claim in parts: the party's claim is ended and its amount given back to the bill's remaining.
 */
import { sql } from "kysely";
import type { Db } from "../store/database";
import type { RefusedMark } from "../anchoring/worker";
import { audit } from "../store/institutions";
import { billChanged } from "../store/bill-changes";
import { emitBillEvent } from "../webhooks/events";
import { isoTime } from "../format/time";

/** Why a withdrawn red bill is void, as printed in its void reason. */
export const RED_BILL_WITHDRAWN = "作废：原票据冲红未被区块链登记簿接受 withdrawn: the registry refused the void of the bill it cancels";

export async function undoRefusedMark(db: Db, m: RefusedMark, now = Date.now()): Promise<void> {
  const leaf = await db.transaction().execute(async (trx) => {
    const bill = await trx.selectFrom("bills").select(["id", "leaf", "batch_id", "institution_id"]).where("id", "=", m.billId).executeTakeFirst();
    if (!bill) return null;
    const party = await trx.selectFrom("institutions").select(["id", "name"]).where("account", "=", m.account).executeTakeFirst();
    const detail: Record<string, unknown> = { action: m.action, error: m.error, why: m.why, account: m.account };
    if (m.action === "void") {
      await trx
        .updateTable("bills")
        .set({ status: bill.batch_id ? "anchored" : "pending", void_reason: null, voided_at: null })
        .where("id", "=", bill.id)
        .where("status", "=", "voided")
        .execute();
      const red = await trx.selectFrom("bills").select(["id", "status"]).where("red_of_id", "=", bill.id).executeTakeFirst();
      if (red && red.status !== "voided") {
        await trx.updateTable("bills").set({ status: "voided", void_reason: RED_BILL_WITHDRAWN, voided_at: now }).where("id", "=", red.id).execute();
        const redRow = await trx.selectFrom("bills").selectAll().where("id", "=", red.id).executeTakeFirstOrThrow();
        await emitBillEvent(trx, "bill.voided", redRow, { void: { reason: RED_BILL_WITHDRAWN, at: isoTime(now), redBill: null } }, now);
        // the red bill is anchored as usual, then voided on chain by the same issuer
        await trx
          .insertInto("outbox")
          .values({
            bill_id: red.id,
            account: m.account,
            action: "void",
            payload: JSON.stringify({ reason: 1 }),
            created_at: now,
            batch_id: null,
            done_at: null,
            error: null,
          })
          .execute();
        detail.redBillWithdrawn = red.id;
      }
    } else if (m.action === "claim" && typeof m.payload?.claimId === "string") {
      const claim = await trx
        .selectFrom("claims")
        .select(["id", "amount_fen"])
        .where("id", "=", m.payload.claimId)
        .where("released_at", "is", null)
        .executeTakeFirst();
      if (claim) {
        await trx
          .updateTable("claims")
          .set({ released_at: now, end_reason: `refused by the registry: ${m.error}` })
          .where("id", "=", claim.id)
          .execute();
        await trx
          .updateTable("bills")
          .set({ claimed_fen: sql`claimed_fen - ${Number(claim.amount_fen)}` })
          .where("id", "=", bill.id)
          .execute();
        detail.claimId = claim.id;
        detail.amountFen = Number(claim.amount_fen);
        const row = await trx.selectFrom("bills").selectAll().where("id", "=", bill.id).executeTakeFirstOrThrow();
        if (party)
          await emitBillEvent(
            trx,
            "bill.released",
            row,
            { release: { partyId: party.id, by: party.name, at: isoTime(now), refusedByRegistry: true, amountFen: Number(claim.amount_fen) } },
            now,
          );
      }
    } else if (m.action === "reimburse" && party) {
      const upd = await trx
        .updateTable("bills")
        .set({ reimbursed_by: null, reimbursed_at: null, reimbursement_ref: null })
        .where("id", "=", bill.id)
        .where("reimbursed_by", "=", party.id)
        .executeTakeFirst();
      // the mark the issuer and the party were told of is gone: they hear it as a release by the registry's refusal
      if (Number(upd.numUpdatedRows) === 1) {
        const row = await trx.selectFrom("bills").selectAll().where("id", "=", bill.id).executeTakeFirstOrThrow();
        await emitBillEvent(trx, "bill.released", row, { release: { partyId: party.id, by: party.name, at: isoTime(now), refusedByRegistry: true } }, now);
      }
    }
    await audit(trx, { actor: party?.id ?? bill.institution_id, action: `bill.${m.action}.refused`, subject: bill.id, detail }, now);
    return bill.leaf;
  });
  if (leaf) billChanged(leaf);
}
