/**
 * Reimbursement locks (报销 / 入账) by relying parties. A bill is identified by what is printed on it
 * (code, number, check code, total); a mismatch answers exactly like an unknown bill. The mark is one
 * conditional update, so of two concurrent marks exactly one wins; the other learns who and when.
 * The chain mark goes through the outbox from the party's own account.
 */
import { id as keccakUtf8 } from "ethers";
import { z } from "zod";
import type { Db } from "../store/database";
import type { BillRow, Institution } from "../store/schema";
import { ApiError } from "../http/errors";
import { MAX_FEN, toFen } from "../issuance/money";
import { audit, findInstitution } from "../store/institutions";
import { billChanged } from "../store/bill-changes";
import { emitBillEvent } from "../webhooks/events";
import { assertNotVoidedOnChain, readChainMarks, reimbursedOnChain, type ChainMarksReader } from "./chain-marks";
import { isoTime } from "../format/time";
import { amount } from "../issuance/schema";
import { freeText } from "../issuance/free-text";
import { printedFields } from "../issuance/printed-fields";

export const markBody = z
  .object({
    ...printedFields,
    total: amount().describe("The bill's total as printed, a decimal string."),
    reference: freeText(100).describe("The relying party's claim reference, 1–100 characters (only its hash goes on chain)."),
    amountFen: z
      .number()
      .int()
      .min(1)
      .max(Number(MAX_FEN))
      .optional()
      .describe(
        "Claim this part of the bill, in fen (分, an integer): several parties may claim parts until the bill's claimable amount (the cash paid of a medical bill with a settlement, else the total) is used up; " +
          "a claim over what remains is 409 CLAIM_EXCEEDS_REMAINING with remainingFen. Absent: the whole bill is marked reimbursed, or, when it already has claims, what remains is claimed.",
      ),
  })
  .strict();

export type MarkInput = z.output<typeof markBody>;

export interface Mark {
  billCode: string;
  billNumber: string;
  by: string;
  at: string;
  reference: string | null;
}

export function partyAccount(party: Institution): string {
  if (!party.account) throw new ApiError("FORBIDDEN", "This relying party has no chain account to mark bills with");
  return party.account;
}

export async function findByNumber(db: Db, billCode: string, billNumber: string): Promise<BillRow | undefined> {
  return db.selectFrom("bills").selectAll().where("bill_code", "=", billCode).where("bill_number", "=", billNumber).executeTakeFirst();
}

export async function alreadyReimbursed(db: Db, bill: BillRow): Promise<ApiError> {
  const by = bill.reimbursed_by ? await findInstitution(db, bill.reimbursed_by) : undefined;
  const at = isoTime(bill.reimbursed_at ?? 0);
  return new ApiError("ALREADY_REIMBURSED", `The bill was marked reimbursed by ${by?.name ?? "another party"} at ${at}`, {
    reimbursedBy: by?.name ?? null,
    reimbursedAt: at,
  });
}

export function assertMarkable(bill: BillRow): void {
  if (bill.red_of_id) throw new ApiError("BILL_NOT_VALID", "A red bill (红字票据) cannot be reimbursed", { billStatus: "red" });
  if (bill.status === "voided") throw new ApiError("BILL_NOT_VALID", "The bill is voided (冲红)", { billStatus: "voided" });
  if (bill.status !== "anchored") throw new ApiError("BILL_NOT_VALID", "The bill is not yet anchored; retry in a few seconds", { billStatus: "pending" });
}

/** The 409 for a bill that has open claims in parts (a void or a whole-bill mark waits for their release). */
export function billClaimed(claimedFen: bigint): ApiError {
  return new ApiError("BILL_CLAIMED", `The bill has open claims of ${claimedFen} fen in all; the claiming parties must release them first`, {
    claimedFen: Number(claimedFen),
  });
}

export interface MarkContext {
  db: Db;
  chainMarks: ChainMarksReader;
  onMarked?: (account: string) => void;
}

/** The account of the bill's issuer: every chain mark of the bill lives under it. */
export async function issuerAccountOf(db: Db, bill: BillRow): Promise<string> {
  const row = await db.selectFrom("institutions").select("account").where("id", "=", bill.institution_id).executeTakeFirst();
  if (!row?.account) throw new Error(`bill ${bill.id}: its issuer has no chain account`);
  return row.account;
}

export async function markReimbursed(ctx: MarkContext, party: Institution, input: MarkInput, ip: string | null): Promise<Mark> {
  const { db, onMarked } = ctx;
  const account = partyAccount(party);
  const bill = await findByNumber(db, input.billCode, input.billNumber);
  if (!bill || bill.check_code !== input.checkCode || BigInt(bill.total_fen) !== toFen(input.total)) throw new ApiError("BILL_NOT_FOUND");
  if (bill.reimbursed_by) throw await alreadyReimbursed(db, bill);
  assertMarkable(bill);
  // the registry is the witness: a mark it already holds (made by a party outside this service) wins
  const chain = await readChainMarks(ctx.chainMarks, await issuerAccountOf(db, bill), bill.leaf);
  assertNotVoidedOnChain(chain);
  if (chain.reimbursedBy) throw await reimbursedOnChain(db, chain, "ALREADY_REIMBURSED");
  if (chain.claimCount > 0) throw billClaimed(chain.claimedFen);
  const releasing = await db
    .selectFrom("outbox")
    .select("id")
    .where("bill_id", "=", bill.id)
    .where("action", "=", "release")
    .where("done_at", "is", null)
    .executeTakeFirst();
  if (releasing) throw new ApiError("BILL_NOT_VALID", "A release of this bill is still being written to the chain; retry in a few seconds", { retryAfter: 2 });
  const now = Date.now();
  const won = await db.transaction().execute(async (trx) => {
    const upd = await trx
      .updateTable("bills")
      .set({ reimbursed_by: party.id, reimbursed_at: now, reimbursement_ref: input.reference })
      .where("id", "=", bill.id)
      .where("reimbursed_by", "is", null)
      .where("status", "=", "anchored")
      // a whole-bill mark and claims in parts exclude each other, as on the registry
      .where("claimed_fen", "=", 0)
      .executeTakeFirst();
    if (Number(upd.numUpdatedRows) !== 1) return false;
    await trx
      .insertInto("outbox")
      .values({
        bill_id: bill.id,
        account,
        action: "reimburse",
        payload: JSON.stringify({ reference: keccakUtf8(input.reference) }),
        created_at: now,
        batch_id: null,
        done_at: null,
        error: null,
      })
      .execute();
    await audit(
      trx,
      {
        actor: party.id,
        ip,
        action: "bill.reimburse",
        subject: bill.id,
        detail: { billCode: bill.bill_code, billNumber: bill.bill_number, reference: input.reference },
      },
      now,
    );
    await emitBillEvent(
      trx,
      "bill.reimbursed",
      { ...bill, reimbursed_by: party.id, reimbursed_at: now },
      { reimbursement: { partyId: party.id, by: party.name, at: isoTime(now), reference: input.reference } },
      now,
    );
    return true;
  });
  if (!won) {
    const now2 = (await findByNumber(db, input.billCode, input.billNumber)) as BillRow;
    if (now2.reimbursed_by) throw await alreadyReimbursed(db, now2);
    assertMarkable(now2);
    if (Number(now2.claimed_fen) > 0) throw billClaimed(BigInt(now2.claimed_fen));
    throw new ApiError("BILL_NOT_VALID", "The bill changed meanwhile; retry");
  }
  billChanged(bill.leaf);
  onMarked?.(account);
  return { billCode: bill.bill_code, billNumber: bill.bill_number, by: party.name, at: isoTime(now), reference: input.reference };
}

export async function releaseReimbursement(ctx: MarkContext, party: Institution, billCode: string, billNumber: string, ip: string | null): Promise<Mark> {
  const { db, onMarked } = ctx;
  const account = partyAccount(party);
  const bill = await findByNumber(db, billCode, billNumber);
  if (!bill) throw new ApiError("BILL_NOT_FOUND");
  if (!bill.reimbursed_by) throw new ApiError("NOT_REIMBURSED", "The bill is not marked reimbursed");
  if (bill.reimbursed_by !== party.id) throw new ApiError("NOT_REIMBURSING_PARTY");
  const chain = await readChainMarks(ctx.chainMarks, await issuerAccountOf(db, bill), bill.leaf);
  if (chain.reimbursedBy && chain.reimbursedBy.toLowerCase() !== account.toLowerCase())
    throw new ApiError("NOT_REIMBURSING_PARTY", "The registry records another party's mark on this bill");
  const now = Date.now();
  const released = await db.transaction().execute(async (trx) => {
    const upd = await trx
      .updateTable("bills")
      .set({ reimbursed_by: null, reimbursed_at: null, reimbursement_ref: null })
      .where("id", "=", bill.id)
      .where("reimbursed_by", "=", party.id)
      .executeTakeFirst();
    if (Number(upd.numUpdatedRows) !== 1) return false;
    await trx
      .insertInto("outbox")
      .values({ bill_id: bill.id, account, action: "release", payload: "{}", created_at: now, batch_id: null, done_at: null, error: null })
      .execute();
    await audit(
      trx,
      { actor: party.id, ip, action: "bill.release", subject: bill.id, detail: { billCode, billNumber, reference: bill.reimbursement_ref } },
      now,
    );
    await emitBillEvent(
      trx,
      "bill.released",
      { ...bill, reimbursed_by: null, reimbursed_at: null },
      { release: { partyId: party.id, by: party.name, at: isoTime(now) } },
      now,
    );
    return true;
  });
  if (!released) throw new ApiError("NOT_REIMBURSED", "The bill is no longer marked reimbursed by this party");
  billChanged(bill.leaf);
  onMarked?.(account);
  return { billCode, billNumber, by: party.name, at: isoTime(now), reference: null };
}
