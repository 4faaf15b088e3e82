/**
 * The checks of SPEC §4 as pure functions of what was presented and what the chain or store said.
 * I/O happens in verifier.ts; everything here is deterministic and table-testable.
 */
import { getAddress } from "ethers";
import type { Evidence } from "../chain";
import { leafOf } from "../issuance/canonical";
import { openCommitment } from "../issuance/commitments";
import type { BillEnvelope } from "../issuance/model";
import type { BillDomain } from "../issuance/signing";
import type { IssuerRecord } from "./chain-view";
import { keccakUtf8Memo, recoverSignerMemo, sm2VerifyMemo, verifyProofMemo } from "./memo";
import { sealKeyHash, sealMessage } from "../sm/sm2";
import type { Check, CheckName, Verdict } from "./types";

export const passed = (name: CheckName, detail: string): Check => ({ name, status: "passed", detail });
export const failed = (name: CheckName, code: string, detail: string): Check => ({ name, status: "failed", code, detail });
export const pending = (name: CheckName, code: string, detail: string): Check => ({ name, status: "pending", code, detail });
export const errored = (name: CheckName, code: string, detail: string): Check => ({ name, status: "error", code, detail });
export const skipped = (name: CheckName, detail: string): Check => ({ name, status: "skipped", detail });

const sameAddress = (a: string | null, b: string) => a !== null && a.toLowerCase() === b.toLowerCase();

/**
 * The presented fields, salts and withheld commitments give the presented billHash, and that the
 * presented leaf (docs/PROTOCOL.md §3, §4).
 */
export function integrityCheck(env: BillEnvelope): Check {
  const opened = openCommitment(env.bill as unknown as Record<string, unknown>, env.salts, env.withheld);
  if (!opened.ok) return failed("integrity", opened.code, `The bill's fields cannot be committed: ${opened.detail}`);
  const hash = opened.billHash;
  if (hash !== env.billHash.toLowerCase()) {
    return failed("integrity", "HASH_MISMATCH", "The bill's contents do not hash to its recorded hash: it was altered after issue");
  }
  if (leafOf(hash) !== env.leaf.toLowerCase()) return failed("integrity", "LEAF_MISMATCH", "The bill's hash does not give its recorded leaf");
  const kept = opened.withheld.length === 0 ? "" : `; ${opened.withheld.length} field(s) withheld by the holder: ${opened.withheld.join(", ")}`;
  return passed("integrity", `The bill hashes to ${hash}${kept}`);
}

/** The EIP-712 signature over the bill recovers to the issuer account the bill names. */
export function signatureCheck(env: BillEnvelope, domain: BillDomain): Check {
  const values = { billHash: env.billHash, billCode: env.bill.billCode, billNumber: env.bill.billNumber };
  // recovery is a pure function of its inputs: remembered, it costs one Map lookup at later scans
  const signer = recoverSignerMemo(domain, values, env.signature);
  if (signer === null) return failed("signature", "SIGNATURE_MALFORMED", "The signature cannot be read");
  if (!sameAddress(signer, env.bill.issuer.account)) {
    return failed("signature", "WRONG_SIGNER", `Signed by ${signer}, not by the issuer's account ${getAddress(env.bill.issuer.account)}`);
  }
  return passed("signature", `Signed by the issuer's account ${signer}`);
}

/**
 * The checks that need no chain: the anchor names this verifier's chain and registry, and the proof
 * places the leaf under the root. Returns null when they pass.
 */
export function offlineInclusionFailure(env: BillEnvelope, chain: { chainId: number | null; registry: string }): Check | null {
  const a = env.anchor;
  if (!a) return null;
  // an unknown chain id (node unreachable) is left to the chain reads, which will say ERROR
  if ((chain.chainId !== null && a.chainId !== chain.chainId) || !sameAddress(a.registry, chain.registry)) {
    return failed(
      "inclusion",
      "OTHER_REGISTRY",
      `The bill names registry ${a.registry} on chain ${a.chainId}; this verifier checks ${chain.registry} on chain ${chain.chainId}`,
    );
  }
  if (!verifyProofMemo(a.root, env.leaf, a.proof))
    return failed("inclusion", "PROOF_MISMATCH", "The Merkle proof does not place the bill's leaf under the batch root");
  return null;
}

/** Inclusion as the chain tells it: the bill's issuer anchored the root, it holds the leaf, enough confirmations. */
export function inclusionFromEvidence(ev: Pick<Evidence, "batch" | "included">, head: number, minConfirmations: number): Check {
  if (ev.batch === null) return failed("inclusion", "ROOT_NOT_ANCHORED", "The bill's issuer has not anchored this batch root on the registry");
  if (!ev.included) return failed("inclusion", "NOT_INCLUDED", "The registry does not place the bill's leaf under the anchored root");
  const confirmations = confirmationsOf(ev.batch.blockNumber, head);
  const where = `anchored in block ${ev.batch.blockNumber}, ${confirmations} confirmation(s)`;
  if (confirmations < minConfirmations) return pending("inclusion", "AWAITING_CONFIRMATIONS", `${where}; ${minConfirmations} required`);
  return passed("inclusion", `In the batch root, ${where}`);
}

export function confirmationsOf(blockNumber: number, head: number): number {
  return Math.max(0, head - blockNumber + 1);
}

const numberOf = (env: BillEnvelope) => `${env.bill.billCode}-${env.bill.billNumber}`;

/**
 * The anchoring account — the bill's own issuer account, whose batch was read — was an admitted issuer
 * of the bill's kind and credit code at the anchoring block, holding the bill's code and number.
 */
export function issuerFromEvidence(
  env: BillEnvelope,
  ev: Pick<Evidence, "batch" | "activeAtAnchor" | "allottedAtAnchor"> & { issuer: Pick<Evidence["issuer"], "kind" | "creditCodeHash"> },
): Check {
  const { bill } = env;
  const mismatch = recordMismatch(env, ev.issuer);
  if (mismatch) return mismatch;
  const block = ev.batch?.blockNumber;
  if (!ev.activeAtAnchor) return failed("issuer", "NOT_ADMITTED_THEN", `The account was not an admitted ${bill.kind} issuer at block ${block}`);
  if (!ev.allottedAtAnchor) {
    return failed("issuer", "NUMBER_NOT_ALLOTTED", `The bill code and number ${numberOf(env)} were not allotted to the issuer's account by block ${block}`);
  }
  return passed(
    "issuer",
    `${bill.issuer.name} (${bill.issuer.creditCode}) was an admitted ${bill.kind} issuer holding ${numberOf(env)} when it anchored the batch`,
  );
}

/** The registry's record of an account against the kind and credit code the bill claims. */
export function recordMismatch(env: BillEnvelope, record: Pick<IssuerRecord, "kind" | "creditCodeHash">): Check | null {
  const { bill } = env;
  if (record.kind === null) return failed("issuer", "UNKNOWN_ISSUER", "The registry has never admitted the bill's issuer account");
  if (record.kind !== bill.kind) return failed("issuer", "WRONG_KIND", `The issuer is admitted for ${record.kind} bills, not ${bill.kind}`);
  if (record.creditCodeHash?.toLowerCase() !== keccakUtf8Memo(bill.issuer.creditCode)) {
    return failed("issuer", "CREDIT_CODE_MISMATCH", "The credit code on the bill is not the one the registry holds for the issuer account");
  }
  return null;
}

/** Where a bill's number is found allotted, for a bill not yet anchored. */
export interface AllotmentFinding {
  /** the issuer account the registry allots the number to, or null when no range holds it */
  onChain: string | null;
  /** the service's register allots it to the signer (its allotment not yet on chain) */
  inStore: boolean;
}

/** For a bill not yet anchored: its signer is an issuer admitted now, holding the bill's number (on chain, or in the store). */
export function admittedIssuerCheck(env: BillEnvelope, record: IssuerRecord, inStore: boolean, allotment: AllotmentFinding): Check {
  const mismatch = recordMismatch(env, record);
  const who = `${env.bill.issuer.name} (${env.bill.issuer.creditCode})`;
  // an allotment on chain to another account decides; none on chain leaves the service's register to say
  const holds = allotment.onChain === null ? allotment.inStore : sameAddress(allotment.onChain, env.bill.issuer.account);
  if (!holds) {
    const whose = allotment.onChain ? `to another account (${allotment.onChain})` : "to no issuer";
    return failed("issuer", "NUMBER_NOT_ALLOTTED", `The bill code and number ${numberOf(env)} are allotted ${whose}, not to the issuer's account`);
  }
  if (!mismatch && record.active) return passed("issuer", `${who} is an admitted ${env.bill.kind} issuer holding ${numberOf(env)}`);
  // the register stands in only for an admission the chain does not hold yet: what the chain records of
  // the account (suspended, another kind or credit code) is the witness's word, whatever the store says
  if (inStore && record.kind === null)
    return passed("issuer", `${who} is an admitted ${env.bill.kind} issuer in the service's register; its admission is not yet on chain`);
  if (!mismatch) return failed("issuer", "ISSUER_SUSPENDED", `${who} is suspended and may not issue`);
  return mismatch;
}

/**
 * The SM2 seal (docs/PROTOCOL.md §6.2): the signature verifies under the envelope's public key over
 * §6.2's message for this chain and registry, and that key's keccak256 is the one the registry
 * recorded for the bill's issuer at the anchoring block (now, for a bill not yet anchored).
 * `recorded` is that hash, or null when the registry holds none for the issuer then.
 */
export function sm2Check(env: BillEnvelope, chain: { chainId: number; registry: string }, recorded: string | null, at: number | null): Check {
  const { publicKey, signature } = env.sm2;
  const message = sealMessage({
    billHash: env.billHash,
    billCode: env.bill.billCode,
    billNumber: env.bill.billNumber,
    chainId: chain.chainId,
    registry: chain.registry,
  });
  if (!sm2VerifyMemo(publicKey, message, signature))
    return failed("sm2", "SM2_BAD_SIGNATURE", "The SM2 seal does not verify under the public key the bill carries");
  const when = at === null ? "now" : `at block ${at}`;
  if (recorded === null) return failed("sm2", "SM2_KEY_NOT_RECORDED", `The registry records no SM2 seal key for the issuer's account ${when}`);
  if (recorded.toLowerCase() !== sealKeyHash(publicKey)) {
    return failed("sm2", "SM2_KEY_MISMATCH", `The SM2 seal key the bill carries is not the one the registry records for the issuer ${when}`);
  }
  return passed("sm2", `Sealed with SM2 by the key the registry records for the issuer ${when} (${sealKeyHash(publicKey)})`);
}

const INVALIDATING: CheckName[] = ["integrity", "signature", "sm2", "inclusion", "issuer", "file"];

/**
 * The verdict from the checks. A definite failure of the bill itself wins over everything (a tampered
 * bill is INVALID even while the chain is down); an unanswered question is ERROR, never INVALID;
 * a void outranks pending; PENDING needs a good signature by an admitted issuer.
 */
export function verdictOf(checks: Check[], voided: boolean): Verdict {
  const by = (name: CheckName) => checks.find((c) => c.name === name);
  if (checks.some((c) => c.status === "failed" && INVALIDATING.includes(c.name))) return "INVALID";
  if (checks.some((c) => c.status === "error")) return "ERROR";
  if (voided) return "VOIDED";
  if (by("signature")?.status !== "passed" || by("sm2")?.status !== "passed" || by("issuer")?.status !== "passed" || by("integrity")?.status !== "passed")
    return "INVALID";
  if (by("inclusion")?.status === "pending") return "PENDING";
  return checks.every((c) => c.status === "passed") ? "VALID" : "INVALID";
}
