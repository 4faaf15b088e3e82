/**
 * Voiding (冲红) a bill by its issuer. In one store transaction: the bill becomes voided with its
 * reason, a "void" outbox entry asks the issuer's account to mark it on chain (for a pending bill the
 * mark follows its anchor, so it is never left half-done), and the red bill is issued from the
 * issuer's range with its own "anchor" outbox entry.
 */
import { z } from "zod";
import type { Db } from "../store/database";
import type { BillRow, Institution } from "../store/schema";
import { ApiError } from "../http/errors";
import { recordBill, type IssueContext } from "../issuance/service";
import type { BillEnvelope } from "../issuance/model";
import { audit } from "../store/institutions";
import { composeRedBill } from "./red-bill";
import { emitBillEvent } from "../webhooks/events";
import { billChanged } from "../store/bill-changes";
import { assertNotVoidedOnChain, readChainMarks, reimbursedOnChain, type ChainMarksReader } from "./chain-marks";
import { billClaimed } from "./reimbursement";
import { isoTime } from "../format/time";
import { freeText } from "../issuance/free-text";

export const voidBody = z
  .object({
    reason: freeText(200).describe("Why the bill is voided (冲红), printed on the red bill; 1–200 characters."),
    reasonCode: z.number().int().min(1).max(255).default(1).describe("The reason's code recorded on chain, 1–255 (default 1)."),
  })
  .strict();

export type VoidInput = z.output<typeof voidBody>;

export interface VoidResult {
  bill: BillRow;
  red: BillRow;
}

function assertVoidable(bill: BillRow): void {
  if (bill.status === "voided") throw new ApiError("ALREADY_VOIDED", `The bill was voided at ${isoTime(bill.voided_at ?? 0)}`);
  if (bill.red_of_id) throw new ApiError("BILL_NOT_VALID", "A red bill cannot itself be voided");
  if (bill.reimbursed_by) {
    throw new ApiError("BILL_REIMBURSED", "The bill is marked reimbursed; the reimbursing party must release it first", {
      reimbursedAt: isoTime(bill.reimbursed_at ?? 0),
    });
  }
  if (BigInt(bill.claimed_fen) > 0n) throw billClaimed(BigInt(bill.claimed_fen));
}

/**
 * Marks of different accounts reach the chain independently: a void sent before another party's
 * release is mined would be refused by the registry. So a void waits until they are written.
 */
export async function assertNoMarkInFlight(db: Db, billId: string): Promise<void> {
  const open = await db
    .selectFrom("outbox")
    .select("action")
    .where("bill_id", "=", billId)
    .where("action", "in", ["reimburse", "release", "claim", "release_claim"])
    .where("done_at", "is", null)
    .executeTakeFirst();
  if (open)
    throw new ApiError("BILL_NOT_VALID", `A reimbursement ${open.action} of this bill is still being written to the chain; retry in a few seconds`, {
      retryAfter: 2,
    });
}

/** The registry must not already record the bill voided or reimbursed (docs/PROTOCOL.md §8). */
async function assertChainAllowsVoid(ctx: VoidContext, issuer: string, billId: string): Promise<void> {
  const bill = await ctx.db.selectFrom("bills").select(["leaf", "institution_id"]).where("id", "=", billId).executeTakeFirst();
  if (!bill) return; // answered as not found inside the transaction
  const m = await readChainMarks(ctx.chainMarks, issuer, bill.leaf);
  if (m.voided) throw new ApiError("ALREADY_VOIDED", "The registry already records the bill voided");
  assertNotVoidedOnChain(m);
  if (m.reimbursedBy) throw await reimbursedOnChain(ctx.db, m, "BILL_REIMBURSED");
  if (m.claimCount > 0) throw billClaimed(m.claimedFen);
}

export interface VoidContext extends IssueContext {
  chainMarks: ChainMarksReader;
}

export async function voidBill(ctx: VoidContext, inst: Institution, billId: string, input: VoidInput, ip: string | null): Promise<VoidResult> {
  if (inst.status !== "active") throw new ApiError("ISSUER_SUSPENDED", "A suspended issuer can neither issue nor void");
  if (!inst.account) throw new ApiError("FORBIDDEN", "This institution has no chain account");
  const issuer = inst as Institution & { account: string };
  await assertChainAllowsVoid(ctx, issuer.account, billId);
  const result = await ctx.db.transaction().execute(async (trx) => {
    const bill = await trx.selectFrom("bills").selectAll().where("id", "=", billId).executeTakeFirst();
    if (!bill || bill.institution_id !== inst.id) throw new ApiError("NOT_FOUND", "No bill with this id");
    assertVoidable(bill);
    await assertNoMarkInFlight(trx, billId);
    const now = Date.now();
    // Conditional on the state just read: a concurrent void or reimbursement makes this update miss.
    const upd = await trx
      .updateTable("bills")
      .set({ status: "voided", void_reason: input.reason, voided_at: now })
      .where("id", "=", billId)
      .where("status", "!=", "voided")
      .where("reimbursed_by", "is", null)
      .where("claimed_fen", "=", 0)
      .executeTakeFirst();
    if (Number(upd.numUpdatedRows) !== 1) throw new ApiError("BILL_NOT_VALID", "The bill changed meanwhile; read it again");
    await trx
      .insertInto("outbox")
      .values({
        bill_id: billId,
        account: issuer.account,
        action: "void",
        payload: JSON.stringify({ reason: input.reasonCode }),
        created_at: now,
        batch_id: null,
        done_at: null,
        error: null,
      })
      .execute();
    const original = (JSON.parse(bill.envelope) as BillEnvelope).bill;
    const red = await recordBill(trx, ctx, issuer, (c) => composeRedBill(original, input.reason, c), { redOfId: billId });
    await emitBillEvent(
      trx,
      "bill.voided",
      { ...bill, status: "voided", void_reason: input.reason, voided_at: now },
      {
        void: { reason: input.reason, at: isoTime(now), redBill: { id: red.id, billCode: red.bill_code, billNumber: red.bill_number } },
      },
      now,
    );
    await audit(
      trx,
      {
        actor: inst.id,
        ip,
        action: "bill.void",
        subject: billId,
        detail: { reason: input.reason, reasonCode: input.reasonCode, redBillId: red.id, wasStatus: bill.status },
      },
      now,
    );
    return { bill: { ...bill, status: "voided" as const, void_reason: input.reason, voided_at: now }, red };
  });
  // cached chain marks of this bill read before the void are no longer served
  billChanged(result.bill.leaf);
  ctx.onIssued?.(issuer.account);
  return result;
}

export async function redBillOf(db: Db, billId: string): Promise<BillRow | undefined> {
  return db.selectFrom("bills").selectAll().where("red_of_id", "=", billId).executeTakeFirst();
}
