/**
 * What the anchoring worker does when the registry refuses one of its transactions (docs/PROTOCOL.md
 * §8). Every refusal is decoded from the registry's custom error — by name, never by message — before
 * a transaction is sent (an eth_call from the sending account) and again after one reverted, so a
 * cause that lasts (a suspended issuer) costs calls, not a stream of failing transactions.
 */
import type { RegistryError } from "../chain";
import type { OutboxAction } from "../store/schema";

export type Refusal =
  /** the chain already holds what the transaction wanted: count it as done */
  | { kind: "done"; error: string; why: string }
  /** the account cannot send this now (suspended, not admitted): wait, re-check with backoff */
  | { kind: "hold"; error: string; why: string }
  /** the change can never land as asked: undo it in the store and report it */
  | { kind: "undo"; error: string; why: string }
  /** not understood: retry later with backoff */
  | { kind: "retry"; error: string; why: string };

const same = (a: unknown, b: string) => typeof a === "string" && a.toLowerCase() === b.toLowerCase();

/** How to treat the registry's refusal `err` of `action` sent from `account`. */
export function classifyRefusal(action: OutboxAction, account: string, err: RegistryError | null): Refusal {
  if (err === null) return { kind: "retry", error: "UNKNOWN", why: "the registry refused without an error it names" };
  const { name, args } = err;
  const r = (kind: Refusal["kind"], why: string): Refusal => ({ kind, error: name, why });
  if (name === "BillRegistryIssuerSuspended" || name === "BillRegistryUnknownIssuer") {
    // for a relying party's mark, the named issuer's state does not matter: only an issuer's own sends wait
    if (action === "anchor" || action === "void")
      return r("hold", `the account ${account} is ${name === "BillRegistryIssuerSuspended" ? "suspended" : "not an admitted issuer"} on the registry`);
  }
  switch (action) {
    case "anchor":
      if (name === "BillRegistryRootAlreadyAnchored" && same(args.issuer, account)) return r("done", "the account already anchored this root");
      break;
    case "void":
      if (name === "BillRegistryBillVoided") return r("done", "the bill is already voided on the registry");
      if (name === "BillRegistryBillClaimed") return r("undo", `the bill has open claims on the registry (${String(args.claimedFen)} fen)`);
      if (name === "BillRegistryAlreadyReimbursed") return r("undo", `the bill is reimbursed on the registry by ${String(args.reimbursedBy)}`);
      if (name === "BillRegistryUnknownRoot" || name === "BillRegistryInvalidProof")
        return r("undo", "the registry does not hold the bill under its issuer's root");
      break;
    case "reimburse":
      if (name === "BillRegistryAlreadyReimbursed") {
        return same(args.reimbursedBy, account)
          ? r("done", "the party already marked the bill")
          : r("undo", `the bill is already reimbursed on the registry by ${String(args.reimbursedBy)}`);
      }
      if (name === "BillRegistryBillVoided") return r("undo", "the bill is voided on the registry");
      if (name === "BillRegistryBillClaimed") return r("undo", "the bill has open claims on the registry");
      if (name === "AccessControlUnauthorizedAccount") return r("undo", `the account ${account} is not a relying party on the registry`);
      if (name === "BillRegistryUnknownRoot" || name === "BillRegistryInvalidProof")
        return r("undo", "the registry does not hold the bill under its issuer's root");
      break;
    case "claim":
      if (name === "BillRegistryClaimExists")
        return same(args.party, account) ? r("done", "the party already holds this claim") : r("retry", "a claim of another party");
      if (name === "BillRegistryClaimExceedsRemaining") return r("undo", `the registry has only ${String(args.remaining)} fen left to claim on the bill`);
      if (name === "BillRegistryBillVoided") return r("undo", "the bill is voided on the registry");
      if (name === "BillRegistryAlreadyReimbursed") return r("undo", `the bill is reimbursed as a whole on the registry by ${String(args.reimbursedBy)}`);
      if (name === "BillRegistryInvalidFieldProof" || name === "BillRegistryInvalidClaimable")
        return r("undo", "the registry does not accept the bill's claimable field as opened");
      if (name === "AccessControlUnauthorizedAccount") return r("undo", `the account ${account} is not a relying party on the registry`);
      if (name === "BillRegistryUnknownRoot" || name === "BillRegistryInvalidProof")
        return r("undo", "the registry does not hold the bill under its issuer's root");
      break;
    case "release_claim":
      if (name === "BillRegistryNoClaim") return r("done", "the registry holds no such claim of the party to release");
      break;
    case "release":
      if (name === "BillRegistryNotReimbursed") return r("done", "the bill carries no reimbursement mark to release");
      if (name === "BillRegistryNotReimbursingParty") return r("undo", `the bill's mark is another party's (${String(args.markedBy)})`);
      break;
  }
  return r("retry", `the registry refused with ${name}`);
}
