/**
 * From a validated request to the canonical bill (the display masks are in masking.ts).
 *
 * The bill holds what the issuer sent and nothing it did not: no default fee category, insurance type
 * or settlement, no empty optional member (an empty idNumber is absent). What the service adds is its
 * own (numbers, check code, time, issuer) or computed from what was sent and stated as such: the total
 * in capital numerals (totalInWords). Amounts and quantities are in their canonical text; the
 * deprecated `insurance.selfPaid` is recorded under its name `cashPaid`; remarks default to "".
 */
import { toCapitalNumerals } from "./capital-numerals";
import { normalizeAmount, toFen } from "./money";
import type { Bill, DonationBill, IssuerRef, MedicalBill, MedicalItem, MedicalSettlement } from "./model";
import type { DonationInvoiceInput, InvoiceInput, MedicalInvoiceInput, MedicalItemInput } from "./schema";
import { formatShanghaiTime } from "../format/time";

export { formatShanghaiTime };

export interface ComposeContext {
  billCode: string;
  billNumber: string;
  checkCode: string;
  issuedAt: Date;
  issuer: IssuerRef;
}

/** The object without its undefined members: optional members are absent, never undefined or null. */
export function present<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function composeItem(it: MedicalItemInput): MedicalItem {
  return present({
    code: it.code,
    name: it.name,
    category: it.category,
    specification: it.specification,
    unit: it.unit,
    quantity: it.quantity,
    unitPrice: normalizeAmount(it.unitPrice),
    amount: normalizeAmount(it.amount),
  });
}

function composeSettlement(s: NonNullable<MedicalInvoiceInput["insurance"]>): MedicalSettlement {
  const amt = (a: string | undefined) => (a === undefined ? undefined : normalizeAmount(a));
  return present({
    fundPaid: normalizeAmount(s.fundPaid),
    accountPaid: normalizeAmount(s.accountPaid),
    otherPaid: amt(s.otherPaid),
    cashPaid: amt(s.cashPaid ?? s.selfPaid),
    coPayment: amt(s.coPayment),
    selfFunded: amt(s.selfFunded),
  });
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
    businessSerial: input.businessSerial,
    total,
    totalInWords: toCapitalNumerals(toFen(total)),
  };
}

function composeMedical(input: MedicalInvoiceInput, ctx: ComposeContext): MedicalBill {
  return present({
    ...common(input, ctx),
    kind: "medical" as const,
    payer: present({ name: input.payer.name, idType: input.payer.idType, idNumber: input.payer.idNumber }),
    patientType: input.patientType,
    department: input.department,
    visitNumber: input.visitNumber,
    visitDate: input.visitDate,
    admissionDate: input.admissionDate,
    dischargeDate: input.dischargeDate,
    inpatientDays: input.inpatientDays,
    institutionType: input.institutionType,
    insuranceType: input.insuranceType,
    items: input.items.map(composeItem),
    insurance: input.insurance ? composeSettlement(input.insurance) : undefined,
  });
}

function composeDonation(input: DonationInvoiceInput, ctx: ComposeContext): DonationBill {
  return present({
    ...common(input, ctx),
    kind: "donation" as const,
    donor: present({ name: input.donor.name, type: input.donor.type, idType: input.donor.idType, idNumber: input.donor.idNumber }),
    items: input.items.map((it) =>
      present({
        name: it.name,
        form: it.form,
        quantity: it.quantity,
        unit: it.unit,
        description: it.description,
        valuationBasis: it.valuationBasis,
        amount: normalizeAmount(it.amount),
      }),
    ),
    purpose: input.purpose,
    purposeType: input.purposeType,
  });
}

/** The canonical bill for a validated request (see parseInvoiceRequest) and its numbering context. */
export function composeBill(input: InvoiceInput, ctx: ComposeContext): Bill {
  return input.kind === "medical" ? composeMedical(input, ctx) : composeDonation(input, ctx);
}
