/**
 * Claims in parts (分次报销) by relying parties (docs/PROTOCOL.md §7, "Claims"): several parties claim
 * amounts of one bill until its claimable amount is used up; each releases only its own claims. The
 * store accepts a claim with one conditional update (claimed_fen + amount ≤ the cap), so two concurrent
 * claims cannot both pass it; the registry enforces the same cap on chain from the bill's own field
 * commitment (contracts/FieldOpenings.sol), whatever a party sends it directly.
 */
import { randomUUID } from "node:crypto";
import { id as keccakUtf8 } from "ethers";
import { sql } from "kysely";
import type { BillRow, Institution } from "../store/schema";
import type { BillEnvelope } from "../issuance/model";
import { ApiError } from "../http/errors";
import { claimableFen } from "../issuance/claimable";
import { toFen } from "../issuance/money";
import { audit } from "../store/institutions";
import { billChanged } from "../store/bill-changes";
import { emitBillEvent } from "../webhooks/events";
import { assertNotVoidedOnChain, readChainMarks, reimbursedOnChain } from "./chain-marks";
import { alreadyReimbursed, assertMarkable, findByNumber, issuerAccountOf, partyAccount, type MarkContext, type MarkInput } from "./reimbursement";
import { isoTime } from "../format/time";

export interface ClaimInput extends MarkInput {
  /** in fen; absent: the whole remaining amount */
  amountFen?: number;
}

export interface ClaimResult {
  billCode: string;
  billNumber: string;
  by: string;
  at: string;
  reference: string;
  amountFen: number;
  claimableFen: number;
  claimedFen: number;
  remainingFen: number;
}

const fen = (v: number | string | bigint) => BigInt(v);

function exceeds(remaining: bigint, claimed: bigint, cap: bigint): ApiError {
  return new ApiError("CLAIM_EXCEEDS_REMAINING", `Only ${remaining} fen of the bill's claimable ${cap} fen remain to be claimed`, {
    remainingFen: Number(remaining),
    claimedFen: Number(claimed),
    claimableFen: Number(cap),
  });
}

/** The bill's claimable amount (the cash paid of a medical bill with a settlement, else the total). */
export function capOf(bill: BillRow): bigint {
  return claimableFen((JSON.parse(bill.envelope) as BillEnvelope).bill as unknown as Record<string, unknown>);
}

/** Whether the bill printed with these fields has open claims (then a mark without amount claims what remains). */
export async function hasOpenClaims(ctx: MarkContext, billCode: string, billNumber: string): Promise<boolean> {
  const bill = await findByNumber(ctx.db, billCode, billNumber);
  return !!bill && fen(bill.claimed_fen) > 0n;
}

export async function claimPart(ctx: MarkContext, party: Institution, input: ClaimInput, ip: string | null): Promise<ClaimResult> {
  const { db } = ctx;
  const account = partyAccount(party);
  const bill = await findByNumber(db, input.billCode, input.billNumber);
  if (!bill || bill.check_code !== input.checkCode || BigInt(bill.total_fen) !== toFen(input.total)) throw new ApiError("BILL_NOT_FOUND");
  if (bill.reimbursed_by) throw await alreadyReimbursed(db, bill);
  assertMarkable(bill);
  const cap = capOf(bill);
  const chain = await readChainMarks(ctx.chainMarks, await issuerAccountOf(db, bill), bill.leaf);
  assertNotVoidedOnChain(chain);
  if (chain.reimbursedBy) throw await reimbursedOnChain(db, chain, "ALREADY_REIMBURSED");
  // The first claim on the registry fixes the field every later one must open (docs/PROTOCOL.md §7). A
  // party that sends its own first claim against /total of a bill with a settlement pins the registry's
  // cap to the total for good: every claim this service sends (opening the cash paid) is then refused on
  // chain, and would be undone after a 201. Nothing can be claimed here on such a bill: say so up front
  // (test/security/attacks-claims-copies.test.ts).
  if (chain.capFen !== 0n && chain.capFen !== cap) {
    throw new ApiError(
      "CLAIM_EXCEEDS_REMAINING",
      `The registry holds this bill's claimable amount as ${chain.capFen} fen, fixed by a claim made outside this service against another field; it refuses the claims this service sends`,
      { remainingFen: 0, claimedFen: Number(chain.claimedFen), claimableFen: Number(cap) },
    );
  }
  // claims the registry holds beyond the store's (made outside this service) count against the cap too
  const stored = fen(bill.claimed_fen);
  const outside = chain.claimedFen > stored ? chain.claimedFen - stored : 0n;
  const limit = cap - outside;
  const remaining = limit - stored > 0n ? limit - stored : 0n;
  const amount = input.amountFen === undefined ? remaining : BigInt(input.amountFen);
  if (amount <= 0n || amount > remaining) throw exceeds(remaining, stored + outside, cap);
  const open = await db
    .selectFrom("claims")
    .select("id")
    .where("bill_id", "=", bill.id)
    .where("party_id", "=", party.id)
    .where("reference", "=", input.reference)
    .where("released_at", "is", null)
    .executeTakeFirst();
  if (open) throw new ApiError("CLAIM_EXISTS", "This party already holds an open claim with this reference on the bill; release it or use another reference");
  const now = Date.now();
  const won = await db.transaction().execute(async (trx) => {
    const upd = await trx
      .updateTable("bills")
      .set({ claimed_fen: sql`claimed_fen + ${Number(amount)}` })
      .where("id", "=", bill.id)
      .where(sql<number>`claimed_fen + ${Number(amount)}`, "<=", Number(limit))
      .where("reimbursed_by", "is", null)
      .where("status", "=", "anchored")
      .executeTakeFirst();
    if (Number(upd.numUpdatedRows) !== 1) return false;
    const claimId = randomUUID();
    const referenceHash = keccakUtf8(input.reference);
    await trx
      .insertInto("claims")
      .values({
        id: claimId,
        bill_id: bill.id,
        party_id: party.id,
        amount_fen: Number(amount),
        reference: input.reference,
        reference_hash: referenceHash,
        created_at: now,
        released_at: null,
        end_reason: null,
      })
      .execute();
    await trx
      .insertInto("outbox")
      .values({
        bill_id: bill.id,
        account,
        action: "claim",
        payload: JSON.stringify({ claimId, reference: referenceHash, amountFen: Number(amount) }),
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
        action: "bill.claim",
        subject: bill.id,
        detail: { billCode: bill.bill_code, billNumber: bill.bill_number, reference: input.reference, amountFen: Number(amount) },
      },
      now,
    );
    await emitBillEvent(
      trx,
      "bill.reimbursed",
      bill,
      { reimbursement: { partyId: party.id, by: party.name, at: isoTime(now), reference: input.reference, amountFen: Number(amount) } },
      now,
    );
    return true;
  });
  if (!won) {
    const again = (await findByNumber(db, input.billCode, input.billNumber)) as BillRow;
    if (again.reimbursed_by) throw await alreadyReimbursed(db, again);
    assertMarkable(again);
    const claimed = fen(again.claimed_fen) + outside;
    throw exceeds(cap > claimed ? cap - claimed : 0n, claimed, cap);
  }
  billChanged(bill.leaf);
  ctx.onMarked?.(account);
  const claimed = stored + outside + amount;
  return {
    billCode: bill.bill_code,
    billNumber: bill.bill_number,
    by: party.name,
    at: isoTime(now),
    reference: input.reference,
    amountFen: Number(amount),
    claimableFen: Number(cap),
    claimedFen: Number(claimed),
    remainingFen: Number(cap - claimed),
  };
}

/** Releases the caller's own open claim `reference` on the bill; another party's claim is not found. */
export async function releaseClaim(
  ctx: MarkContext,
  party: Institution,
  billCode: string,
  billNumber: string,
  reference: string,
  ip: string | null,
): Promise<ClaimResult> {
  const { db } = ctx;
  const account = partyAccount(party);
  const bill = await findByNumber(db, billCode, billNumber);
  if (!bill) throw new ApiError("BILL_NOT_FOUND");
  const now = Date.now();
  const released = await db.transaction().execute(async (trx) => {
    const claim = await trx
      .selectFrom("claims")
      .selectAll()
      .where("bill_id", "=", bill.id)
      .where("party_id", "=", party.id)
      .where("reference", "=", reference)
      .where("released_at", "is", null)
      .executeTakeFirst();
    if (!claim) return null;
    const upd = await trx
      .updateTable("claims")
      .set({ released_at: now, end_reason: "released" })
      .where("id", "=", claim.id)
      .where("released_at", "is", null)
      .executeTakeFirst();
    if (Number(upd.numUpdatedRows) !== 1) return null;
    await trx
      .updateTable("bills")
      .set({ claimed_fen: sql`claimed_fen - ${Number(claim.amount_fen)}` })
      .where("id", "=", bill.id)
      .execute();
    await trx
      .insertInto("outbox")
      .values({
        bill_id: bill.id,
        account,
        action: "release_claim",
        payload: JSON.stringify({ claimId: claim.id, reference: claim.reference_hash }),
        created_at: now,
        batch_id: null,
        done_at: null,
        error: null,
      })
      .execute();
    await audit(
      trx,
      { actor: party.id, ip, action: "bill.claim.release", subject: bill.id, detail: { billCode, billNumber, reference, amountFen: Number(claim.amount_fen) } },
      now,
    );
    await emitBillEvent(
      trx,
      "bill.released",
      bill,
      { release: { partyId: party.id, by: party.name, at: isoTime(now), amountFen: Number(claim.amount_fen) } },
      now,
    );
    return claim;
  });
  if (!released) throw new ApiError("NO_CLAIM", "This party holds no open claim with this reference on the bill");
  billChanged(bill.leaf);
  ctx.onMarked?.(account);
  const after = (await findByNumber(db, billCode, billNumber)) as BillRow;
  const cap = capOf(after);
  const claimed = fen(after.claimed_fen);
  return {
    billCode,
    billNumber,
    by: party.name,
    at: isoTime(now),
    reference,
    amountFen: Number(released.amount_fen),
    claimableFen: Number(cap),
    claimedFen: Number(claimed),
    remainingFen: Number(cap - claimed),
  };
}
