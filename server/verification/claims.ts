/**
 * What a verification answer says about claims in parts (docs/PROTOCOL.md §7, "Claims"): the bill's
 * claimable amount, what is claimed, what remains, and who claimed — by institution name from the
 * service's store, the totals from the registry too (a party may claim outside this service).
 */
import { claimablePointer, claimableFen, CLAIMABLE_POINTERS } from "../issuance/claimable";
import type { BillEnvelope } from "../issuance/model";
import type { ChainMarks } from "./status";
import type { ClaimsSummary, StoreState } from "./types";
import { textOf } from "../format/text";

/** The claimable amount the bill itself shows, or null when a copy withholds its claimable field. */
function shownClaimable(env: BillEnvelope): bigint | null {
  if (Object.keys(env.withheld).some((p) => (CLAIMABLE_POINTERS as readonly string[]).includes(p) || p === "/insurance")) return null;
  const bill = env.bill as unknown as Record<string, unknown>;
  if (bill.v === undefined || textOf(bill.total).startsWith("-")) return null; // a red bill is never claimed
  try {
    claimablePointer(bill);
    return claimableFen(bill);
  } catch {
    return null;
  }
}

export function claimsSummary(env: BillEnvelope, chain: ChainMarks | null, stored: StoreState | null): ClaimsSummary | null {
  const fromBill = shownClaimable(env);
  const cap = fromBill ?? (chain && chain.capFen > 0n ? chain.capFen : null);
  const parties = stored?.claims ?? [];
  const storeSum = parties.reduce((s, p) => s + BigInt(p.amountFen), 0n);
  const chainSum = chain?.claimedFen ?? 0n;
  const claimed = storeSum > chainSum ? storeSum : chainSum;
  if (cap === null && claimed === 0n) return null;
  const remaining = cap === null ? null : cap > claimed ? cap - claimed : 0n;
  return {
    claimableFen: cap === null ? null : Number(cap),
    claimedFen: Number(claimed),
    remainingFen: remaining === null ? null : Number(remaining),
    parties,
  };
}
