/**
 * From a validated request to the canonical bill (the display masks are in masking.ts).
 *
 * Derivations (documented in the API description too):
 * - a line item without a category takes its name when the name is a standard fee category, else 其他费;
 * - without `insurance` the bill is wholly self-paid: { fundPaid: 0, accountPaid: 0, selfPaid: total };
 * - without `insuranceType`: "self" when fund and account paid nothing; otherwise "employee", because
 *   the personal account (个人账户) only exists in 城镇职工 insurance and it is the common case for
 *   fund payments as well. Clients that know the scheme should send it.
 * - remarks default to "".
 */
import { toCapitalNumerals } from "./capital-numerals";
import { normalizeAmount, toFen } from "./money";
import { Bill, DonationBill, InsuranceType, IssuerRef, MedicalBill, MedicalItem } from "./model";
import { DonationInvoiceInput, FEE_CATEGORIES, FeeCategory, InvoiceInput, MedicalInvoiceInput, MedicalItemInput } from "./schema";

export interface ComposeContext {
  billCode: string;
  billNumber: string;
  checkCode: string;
  issuedAt: Date;
  issuer: IssuerRef;
}

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/**
 * ISO 8601 in Asia/Shanghai to the second, e.g. "2026-11-25T10:31:07+08:00". China has kept UTC+8
 * without daylight saving since 1991, so a fixed offset is exact and independent of the process TZ.
 */
export function formatShanghaiTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError("invalid date");
  const local = new Date(date.getTime() + SHANGHAI_OFFSET_MS);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return (
    `${p(local.getUTCFullYear(), 4)}-${p(local.getUTCMonth() + 1)}-${p(local.getUTCDate())}` +
    `T${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${p(local.getUTCSeconds())}+08:00`
  );
}

export function deriveCategory(name: string): FeeCategory {
  return (FEE_CATEGORIES as readonly string[]).includes(name) ? (name as FeeCategory) : "其他费";
}

export function deriveInsuranceType(insurance: { fundPaid: string; accountPaid: string }): InsuranceType {
  return toFen(insurance.fundPaid) + toFen(insurance.accountPaid) === 0n ? "self" : "employee";
}

function composeItem(it: MedicalItemInput): MedicalItem {
  return {
    code: it.code,
    name: it.name,
    category: it.category ?? deriveCategory(it.name),
    quantity: it.quantity,
    unitPrice: normalizeAmount(it.unitPrice),
    amount: normalizeAmount(it.amount),
  };
}

function common(input: InvoiceInput, ctx: ComposeContext) {
  const total = normalizeAmount(input.total);
  return {
    v: 2 as const,
    billCode: ctx.billCode,
    billNumber: ctx.billNumber,
    checkCode: ctx.checkCode,
    issuedAt: formatShanghaiTime(ctx.issuedAt),
    issuer: { name: ctx.issuer.name, creditCode: ctx.issuer.creditCode, account: ctx.issuer.account },
    payee: input.payee,
    reviewer: input.reviewer,
    remarks: input.remarks ?? "",
    total,
    totalInWords: toCapitalNumerals(toFen(total)),
  };
}

function composeMedical(input: MedicalInvoiceInput, ctx: ComposeContext): MedicalBill {
  const c = common(input, ctx);
  const insurance = input.insurance
    ? {
        fundPaid: normalizeAmount(input.insurance.fundPaid),
        accountPaid: normalizeAmount(input.insurance.accountPaid),
        selfPaid: normalizeAmount(input.insurance.selfPaid),
      }
    : { fundPaid: "0.00", accountPaid: "0.00", selfPaid: c.total };
  // optional keys are left out rather than set to undefined, so the canonical JSON is unambiguous
  const payer: MedicalBill["payer"] = { name: input.payer.name };
  if (input.payer.idNumber) payer.idNumber = input.payer.idNumber;
  return {
    ...c,
    kind: "medical",
    payer,
    patientType: input.patientType,
    department: input.department,
    visitNumber: input.visitNumber,
    insuranceType: input.insuranceType ?? deriveInsuranceType(insurance),
    items: input.items.map(composeItem),
    insurance,
  };
}

function composeDonation(input: DonationInvoiceInput, ctx: ComposeContext): DonationBill {
  const donor: DonationBill["donor"] = { name: input.donor.name, type: input.donor.type };
  if (input.donor.idNumber) donor.idNumber = input.donor.idNumber;
  return {
    ...common(input, ctx),
    kind: "donation",
    donor,
    items: input.items.map((it) => {
      const item: DonationBill["items"][number] = { name: it.name, form: it.form, amount: normalizeAmount(it.amount) };
      if (it.quantity !== undefined) item.quantity = it.quantity;
      return item;
    }),
    purpose: input.purpose,
  };
}

/** The canonical bill for a validated request (see parseInvoiceRequest) and its numbering context. */
export function composeBill(input: InvoiceInput, ctx: ComposeContext): Bill {
  return input.kind === "medical" ? composeMedical(input, ctx) : composeDonation(input, ctx);
}
