/**
 * The status check: voided (冲红) or not, and the reimbursement mark (报销 / 入账) — by whom, when.
 *
 * Two witnesses: the chain's per-leaf marks, and the service's store. The store may be ahead of the
 * chain (a void is recorded at once and mined a moment later), so a void in either counts. The
 * store also knows institution names where the chain only has addresses.
 */
import type { BillMarks } from "./chain-view";
import { errored, failed, passed, skipped } from "./checks";
import type { Check, Reimbursement, Settled, StoreState, StoreView } from "./types";
import { isoChainTime } from "../format/time";

export type ChainMarks = BillMarks;

export interface StatusFindings {
  check: Check;
  void: { reason: string; at: string | null } | null;
  reimbursement: Reimbursement | null;
}

async function nameOf(store: StoreView | undefined, account: string): Promise<string> {
  if (!store) return account;
  // a name is a nicety: when the store cannot say, the address is still the truth
  return store.nameOf(account).then(
    (n) => n ?? account,
    () => account,
  );
}

async function reimbursementOf(chain: ChainMarks | null, stored: StoreState | null, store?: StoreView): Promise<Reimbursement | null> {
  if (stored?.reimbursed) return stored.reimbursed;
  if (chain?.reimbursedBy) return { by: await nameOf(store, chain.reimbursedBy), at: chain.reimbursedAt ? isoChainTime(chain.reimbursedAt) : "" };
  return null;
}

function voidOf(chain: ChainMarks | null, stored: StoreState | null): StatusFindings["void"] {
  if (stored?.voided) return stored.voided;
  if (chain?.voided) return { reason: `reason code ${chain.voidReason}`, at: chain.voidedAt ? isoChainTime(chain.voidedAt) : null };
  return null;
}

export async function statusCheck(marks: Settled<ChainMarks> | null, stored: Settled<StoreState | null> | null, store?: StoreView): Promise<StatusFindings> {
  const chain = marks?.ok ? marks.value : null;
  const known = stored?.ok ? stored.value : null;
  const voided = voidOf(chain, known);
  const reimbursement = await reimbursementOf(chain, known, store);
  const out = (check: Check): StatusFindings => ({ check, void: voided, reimbursement });
  if (marks && !marks.ok) return out(errored("status", marks.code, marks.detail));
  if (stored && !stored.ok) return out(errored("status", stored.code, stored.detail));
  if (voided) return out(failed("status", "VOIDED", `Voided (冲红)${voided.at ? ` at ${voided.at}` : ""}: ${voided.reason}`));
  if (!marks && !stored) return out(skipped("status", "Not checked: the bill is not on chain"));
  if (reimbursement) return out(passed("status", `Not voided; reimbursed (已报销) by ${reimbursement.by} at ${reimbursement.at}`));
  return out(passed("status", "Not voided; not reimbursed"));
}
