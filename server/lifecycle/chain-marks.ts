/**
 * The chain's marks of a bill, read before a void, reimbursement or release is accepted, so that the
 * service never accepts a change the registry would refuse (docs/PROTOCOL.md §8). A chain that cannot
 * be asked refuses the change (503): a mark is never accepted blind.
 */
import { ApiError } from "../http/errors";
import type { BillMarks } from "../chain";
import type { Db } from "../store/database";
import { isoChainTime } from "../format/time";

/** Reads a bill's marks under its issuer on the registry. */
export type ChainMarksReader = (issuer: string, leaf: string) => Promise<BillMarks>;

export async function readChainMarks(read: ChainMarksReader, issuer: string, leaf: string): Promise<BillMarks> {
  try {
    return await read(issuer, leaf);
  } catch (err) {
    throw new ApiError(
      "CHAIN_UNAVAILABLE",
      `The registry could not be asked for the bill's marks, so no change is accepted now: ${(err as Error)?.message ?? String(err)}`.slice(0, 300),
      { retryAfter: 5 },
    );
  }
}

/** The institution name behind a chain account, or the account itself. */
export async function partyName(db: Db, account: string): Promise<string> {
  const row = await db.selectFrom("institutions").select("name").where("account", "=", account).executeTakeFirst();
  return row?.name ?? account;
}

/** Refuses a change to a bill that the registry already records voided. */
export function assertNotVoidedOnChain(m: BillMarks): void {
  if (m.voided)
    throw new ApiError("BILL_NOT_VALID", `The registry records the bill voided (冲红) at ${isoChainTime(m.voidedAt)}`, {
      billStatus: "voided",
      voidedAt: isoChainTime(m.voidedAt),
    });
}

/** The 409 for a bill the registry records reimbursed by another party. */
export async function reimbursedOnChain(db: Db, m: BillMarks, code: "ALREADY_REIMBURSED" | "BILL_REIMBURSED"): Promise<ApiError> {
  const by = await partyName(db, m.reimbursedBy as string);
  const at = isoChainTime(m.reimbursedAt);
  return new ApiError(code, `The registry records the bill reimbursed by ${by} at ${at}`, { reimbursedBy: by, reimbursedAt: at });
}
