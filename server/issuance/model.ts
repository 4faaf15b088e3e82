/**
 * The bill as it is signed, hashed and embedded in the PDF: its canonical form.
 *
 * Amounts are decimal strings with exactly two fraction digits ("157.00"): the canonical form never
 * holds a binary float. Arithmetic on them goes through integer fen (see money.ts).
 */
export type BillKind = "medical" | "donation";

export interface IssuerRef {
  name: string;
  /** 统一社会信用代码, 18 characters, GB 32100-2015 check character valid */
  creditCode: string;
  /** the issuer's chain account (0x…, checksummed) that signs and anchors its bills */
  account: string;
}

export interface BillCommon {
  /** canonical-form version; bumps only with a migration of the hashing rules */
  v: 1;
  kind: BillKind;
  /** 票据代码, 8 digits */
  billCode: string;
  /** 票据号码, 10 digits */
  billNumber: string;
  /** 校验码, 6 characters */
  checkCode: string;
  /** ISO 8601 in Asia/Shanghai, e.g. 2026-11-25T10:31:07+08:00 */
  issuedAt: string;
  issuer: IssuerRef;
  payee: string;
  reviewer: string;
  remarks: string;
  total: string;
  /** the total in Chinese capital numerals, e.g. 壹佰伍拾柒元整 */
  totalInWords: string;
  /** for a red bill (红字票据): the bill it cancels */
  redOf?: { billCode: string; billNumber: string; reason: string };
}

export type PatientType = "outpatient" | "inpatient";
export type InsuranceType = "employee" | "resident" | "self";

export interface MedicalItem {
  code: string;
  name: string;
  /** one of the standard fee categories (床位费 … 其他费) */
  category: string;
  quantity: string;
  unitPrice: string;
  amount: string;
}

export interface MedicalBill extends BillCommon {
  kind: "medical";
  payer: { name: string; idNumber?: string };
  patientType: PatientType;
  department: string;
  visitNumber: string;
  insuranceType: InsuranceType;
  items: MedicalItem[];
  insurance: { fundPaid: string; accountPaid: string; selfPaid: string };
}

export interface DonationItem {
  name: string;
  form: "cash" | "in-kind";
  quantity?: string;
  amount: string;
}

export interface DonationBill extends BillCommon {
  kind: "donation";
  donor: { name: string; type: "individual" | "organisation"; idNumber?: string };
  items: DonationItem[];
  purpose: string;
}

export type Bill = MedicalBill | DonationBill;

/** What the leaf commits to: the bill and its per-bill random salt (≥128 bits, hex). */
export interface SaltedBill {
  bill: Bill;
  salt: string;
}

/** Chain evidence of an anchored bill, as stored and as embedded in the PDF. */
export interface AnchorProof {
  chainId: number;
  registry: string;
  root: string;
  proof: string[];
  txHash: string;
  blockNumber: number;
}

/**
 * The machine-readable bill embedded in the PDF (and returned by the API): enough, with the chain
 * alone, to verify it.
 */
export interface BillEnvelope {
  format: "lianpiao-bill/1";
  bill: Bill;
  salt: string;
  /** keccak256 of the canonical JSON of { bill, salt } */
  billHash: string;
  /** StandardMerkleTree leaf hash of [billHash] */
  leaf: string;
  /** the issuer's EIP-712 signature over billHash (see signing.ts) */
  signature: string;
  anchor: AnchorProof | null;
}
