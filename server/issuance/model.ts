/**
 * The bill as it is signed, hashed and embedded in the PDF: its canonical form.
 *
 * Amounts are decimal strings with exactly two fraction digits ("157.00"): the canonical form never
 * holds a binary float. Arithmetic on them goes through integer fen (see money.ts).
 */
import type { IdType } from "./check-digits";

export type BillKind = "medical" | "donation";

export interface IssuerRef {
  name: string;
  /** 统一社会信用代码, 18 characters, GB 32100-2015 check character valid */
  creditCode: string;
  /** the issuer's chain account (0x…, checksummed) that signs and anchors its bills */
  account: string;
}

export interface BillCommon {
  /** canonical-form version (docs/PROTOCOL.md); bumps only with a change of the hashing rules */
  v: 2;
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
  /** the total in Chinese capital numerals, e.g. 壹佰伍拾柒元整: computed from `total`, stated as such */
  totalInWords: string;
  /** 业务流水号, the issuer's business serial number, when sent */
  businessSerial?: string;
  /** for a red bill (红字票据): the bill it cancels */
  redOf?: { billCode: string; billNumber: string; reason: string };
}

export type PatientType = "outpatient" | "inpatient";
export type InsuranceType = "employee" | "resident" | "self";
export type { IdType } from "./check-digits";

/** Optional members are absent unless the issuer sent them: nothing is derived onto a bill. */
export interface MedicalItem {
  code: string;
  name: string;
  /** one of the standard fee categories (床位费 … 其他费), when sent */
  category?: string;
  /** 规格 */
  specification?: string;
  /** 单位 */
  unit?: string;
  quantity: string;
  unitPrice: string;
  amount: string;
}

/** 医保结算: fundPaid + accountPaid + otherPaid + cashPaid = total; coPayment + selfFunded ≤ accountPaid + cashPaid. */
export interface MedicalSettlement {
  /** 医保统筹基金支付 */
  fundPaid: string;
  /** 个人账户支付 */
  accountPaid: string;
  /** 其他医保支付 */
  otherPaid?: string;
  /** 个人现金支付 */
  cashPaid?: string;
  /** bills composed before cashPaid existed name the personal cash payment selfPaid */
  selfPaid?: string;
  /** 个人自付 */
  coPayment?: string;
  /** 个人自费 */
  selfFunded?: string;
}

export interface Person {
  name: string;
  idType?: IdType;
  idNumber?: string;
}

export interface MedicalBill extends BillCommon {
  kind: "medical";
  payer: Person;
  patientType: PatientType;
  department: string;
  visitNumber: string;
  /** 就诊日期 (outpatient), YYYY-MM-DD */
  visitDate?: string;
  /** 入院日期, 出院日期 (inpatient), YYYY-MM-DD */
  admissionDate?: string;
  dischargeDate?: string;
  /** 住院天数 */
  inpatientDays?: number;
  /** 医疗机构类型, as sent */
  institutionType?: string;
  insuranceType?: InsuranceType;
  items: MedicalItem[];
  insurance?: MedicalSettlement;
}

export interface DonationItem {
  name: string;
  form: "cash" | "in-kind";
  quantity?: string;
  unit?: string;
  /** goods only: what they are, and how they were valued */
  description?: string;
  valuationBasis?: "invoice" | "appraisal" | "market-price";
  amount: string;
}

export interface DonationBill extends BillCommon {
  kind: "donation";
  /** an anonymous donor has no name */
  donor: { name?: string; type: "individual" | "organisation" | "anonymous"; idType?: IdType; idNumber?: string };
  items: DonationItem[];
  purpose: string;
  /** 定向 or 非定向, when sent */
  purposeType?: "restricted" | "unrestricted";
}

export type Bill = MedicalBill | DonationBill;

/** Chain evidence of an anchored bill, as stored and as embedded in the PDF. */
export interface AnchorProof {
  chainId: number;
  registry: string;
  root: string;
  proof: string[];
  txHash: string;
  blockNumber: number;
}

export const ENVELOPE_FORMAT = "lianpiao-bill/3";

/**
 * The machine-readable bill embedded in the PDF (and returned by the API): enough, with the chain
 * alone, to verify it (docs/PROTOCOL.md §5). A copy may withhold fields: they are then absent from
 * `bill` and `salts` and listed in `withheld` with their commitments.
 */
export interface BillEnvelope {
  format: typeof ENVELOPE_FORMAT;
  bill: Bill;
  /** each shown field's 32-byte salt, by JSON Pointer */
  salts: Record<string, string>;
  /** each withheld field's commitment, by JSON Pointer; empty for a complete bill */
  withheld: Record<string, string>;
  /** the root of the field commitments (commitments.ts) */
  billHash: string;
  /** StandardMerkleTree leaf hash of [billHash] */
  leaf: string;
  /** the issuer's EIP-712 signature over billHash, bill code and number (see signing.ts) */
  signature: string;
  /** the issuer's SM2 seal (GM/T 0003 with SM3 and Z_A) over the same values (server/sm/sm2.ts, docs/PROTOCOL.md §6.2) */
  sm2: { publicKey: string; signature: string };
  anchor: AnchorProof | null;
}
