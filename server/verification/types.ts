/**
 * The shape of a verification (SPEC §4, §7). Outcomes are values: a tampered bill is a Verification
 * with verdict INVALID, never an exception.
 */
import type { CheckName, Verdict } from "../format/verdicts";

/** `file` (a CheckName): only when a file was presented (PDF upload, CLI): it is exactly the file issued (file-check.ts). */
export type { CheckName, Verdict };

/**
 * One check's outcome, discriminated on `status`. `code` is a stable machine reason for the
 * non-passing outcomes (never match on `detail`, which is prose for people).
 */
export type Check =
  | { name: CheckName; status: "passed"; detail: string }
  | { name: CheckName; status: "pending"; detail: string; code: string }
  | { name: CheckName; status: "failed"; detail: string; code: string }
  | { name: CheckName; status: "error"; detail: string; code: string }
  | { name: CheckName; status: "skipped"; detail: string };

export type CheckStatus = Check["status"];

/** What anyone may see of a bill: no ID numbers, the payer or donor masked (张*). */
export interface BillSummary {
  kind: "medical" | "donation";
  billCode: string;
  billNumber: string;
  /** YYYY-MM-DD in Asia/Shanghai */
  issueDate: string;
  issuedAt: string;
  issuer: { name: string; creditCode: string; account: string };
  /** the payer (medical) or donor (donation), masked; null when the copy withholds the name */
  holder: { role: "payer" | "donor"; name: string | null };
  total: string;
  totalInWords: string;
  /** set for a red bill (红字票据): the bill it cancels */
  redOf: { billCode: string; billNumber: string } | null;
}

export interface AnchorEvidence {
  root: string;
  txHash: string;
  /** the issuer account under which the batch was read (the bill's own) */
  issuer: string;
  /** the block the chain records for the batch (not the envelope's claim) */
  blockNumber: number;
  /** ISO 8601 UTC block time */
  blockTime: string;
  confirmations: number;
  registry: string;
  chainId: number;
}

export interface Reimbursement {
  /** the relying party's name when known, else its chain account */
  by: string;
  at: string;
}

/** Claims in parts on a bill (docs/PROTOCOL.md §7): amounts in fen, integers. */
export interface ClaimsSummary {
  /** what may be claimed in all (the cash paid of a medical bill with a settlement, else the total); null when a copy withholds it and nobody claimed yet */
  claimableFen: number | null;
  claimedFen: number;
  remainingFen: number | null;
  /** the open claims: the party's name, the amount, when */
  parties: Array<{ by: string; amountFen: number; at: string }>;
}

interface VerificationBase {
  /** NOTICE: only the data in the answer is authoritative */
  notice: string;
  checks: Check[];
  bill: BillSummary | null;
  anchor: AnchorEvidence | null;
  reimbursement: Reimbursement | null;
  /** claims in parts: claimed, remaining, who */
  claims: ClaimsSummary | null;
  /** the JSON Pointers of the fields the presented copy withholds (empty for a complete bill) */
  withheld: string[];
}

export type Verification =
  (VerificationBase & { verdict: "VOIDED"; void: { reason: string; at: string | null } }) | (VerificationBase & { verdict: Exclude<Verdict, "VOIDED"> });

/** What the verifier learnt about a bill from the service's store (the QR route, upload, manual). */
export interface StoreState {
  voided: { reason: string; at: string | null } | null;
  reimbursed: Reimbursement | null;
  /** the open claims on the bill, by party name */
  claims?: ClaimsSummary["parties"];
  /** the store holds another bill (another leaf) under this code and number; the two fields above are then null */
  otherBill: boolean;
}

/** The store, as the verifier may use it. Every method may throw: that makes the verdict ERROR. */
export interface StoreView {
  /** the stored state of the bill with this code, number and leaf; null when the store has no such bill */
  billState(b: { billCode: string; billNumber: string; leaf: string }): Promise<StoreState | null>;
  /** whether the store lists `account` as an active issuer of `kind` with this credit code */
  isAdmittedIssuer(account: string, kind: "medical" | "donation", creditCode: string): Promise<boolean>;
  /** whether the store allots this code and number to the institution of `account` */
  allots(account: string, billCode: string, billNumber: string): Promise<boolean>;
  /** the institution name behind a chain account, or null */
  nameOf(account: string): Promise<string | null>;
}

/** What a chain or store read came to: its value, or the error code and detail it failed with. */
export type Settled<T> = { ok: true; value: T } | { ok: false; code: string; detail: string };
