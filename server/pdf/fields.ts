/**
 * The display values of a bill: what each template key prints as. Pure functions of the bill.
 */
import type { Bill, DonationBill, IdType, MedicalBill } from "../issuance/model";
import { ID_TYPE_NAMES } from "../issuance/check-digits";
import { maskIdNumber } from "../issuance/masking";
import { displayTime } from "../format/time";

export type Values = Record<string, string>;

/**
 * How a field withheld from a copy prints (server/issuance/redaction.ts): never as a blank that looks
 * like data. The verify page says the same (server/verification/page.ts).
 */
export const WITHHELD_TEXT = "已隐去 withheld";

/** Whether the bill shows no value at `pointer` because a copy withholds it (or an object holding it). */
function isWithheld(withheld: ReadonlySet<string>, pointer: string): boolean {
  for (const p of withheld) if (p === pointer || pointer.startsWith(`${p}/`)) return true;
  return false;
}

const PATIENT_TYPES = { outpatient: "门诊 Outpatient", inpatient: "住院 Inpatient" } as const;
const INSURANCE_TYPES = {
  employee: "城镇职工基本医疗保险",
  resident: "城乡居民基本医疗保险",
  self: "自费 Self-paying",
} as const;
const DONOR_TYPES = { individual: "个人 Individual", organisation: "单位 Organisation", anonymous: "匿名 Anonymous" } as const;
const DONATION_FORMS = { cash: "现金 Cash", "in-kind": "实物 In kind" } as const;
const PURPOSE_TYPES = { restricted: "定向 Restricted", unrestricted: "非定向 Unrestricted" } as const;
const VALUATION_BASES = { invoice: "凭发票 invoice", appraisal: "第三方评估 appraisal", "market-price": "市场价 market price" } as const;

/** What a bill prints: only what it holds. An absent member prints as an empty cell. */
const shown = <T extends string>(table: Record<T, string>, v: T | undefined): string => (v === undefined ? "" : (table[v] ?? v));

/** "157.00" → "¥157.00", "-157.00" → "-¥157.00". */
export function yuan(amount: string): string {
  return amount.startsWith("-") ? `-¥${amount.slice(1)}` : `¥${amount}`;
}

/** The label of an ID cell: the document's name when sent, else `fallback`. */
function idLabel(type: IdType | undefined, fallback: { zh: string; en: string }): { zh: string; en: string } {
  if (type === undefined) return fallback;
  if (type === "none") return { zh: "证件类型", en: "ID document" };
  return ID_TYPE_NAMES[type];
}

/** ID numbers print masked by the one rule (masking.ts); an organisation's credit code as it is. */
function idValue(type: IdType | undefined, id: string | undefined): string {
  return type === "none" ? "无 None" : maskIdNumber(id);
}

function redRemark(bill: Bill): string {
  if (!bill.redOf) return bill.remarks;
  const { billCode, billNumber, reason } = bill.redOf;
  const red = `红字票据 RED (VOID) BILL — 冲红原票据 cancels bill ${billCode}-${billNumber}；原因 reason: ${reason}`;
  return bill.remarks ? `${red}；${bill.remarks}` : red;
}

function commonValues(bill: Bill): Values {
  return {
    billCode: bill.billCode,
    billNumber: bill.billNumber,
    checkCode: bill.checkCode,
    issueDate: displayTime(bill.issuedAt),
    totalInWords: bill.totalInWords,
    totalFigures: yuan(bill.total),
    remarks: redRemark(bill),
    issuer: bill.issuer.name,
    issuerCreditCode: bill.issuer.creditCode,
    reviewer: bill.reviewer,
    payee: bill.payee,
    businessSerial: bill.businessSerial ?? "",
  };
}

const money = (a: string | undefined) => (a === undefined ? "" : yuan(a));

function visitDates(bill: MedicalBill): string {
  if (bill.patientType !== "inpatient") return bill.visitDate ?? "";
  const { admissionDate: a, dischargeDate: d, inpatientDays: n } = bill;
  const span = a && d ? `${a} 至 ${d}` : a ? `${a} 入院 admitted` : "";
  return n === undefined ? span : `${span}（${n} 天 days）`;
}

function medicalValues(bill: MedicalBill, withheld: ReadonlySet<string>): Values {
  const inpatient = bill.patientType === "inpatient";
  const s = bill.insurance;
  // a copy may withhold the payer's name and ID number: the object is then partly or wholly absent
  const payer = bill.payer ?? ({} as Partial<MedicalBill["payer"]>);
  const label = idLabel(payer.idType, { zh: "交款人证件号码", en: "Payer ID" });
  return {
    payerName: isWithheld(withheld, "/payer/name") ? WITHHELD_TEXT : (payer.name ?? ""),
    payerIdLabel: label.zh,
    payerIdLabelEn: label.en,
    payerId: isWithheld(withheld, "/payer/idNumber") ? WITHHELD_TEXT : idValue(payer.idType, payer.idNumber),
    patientType: PATIENT_TYPES[bill.patientType] ?? bill.patientType,
    department: bill.department,
    visitNumber: bill.visitNumber,
    visitLabel: inpatient ? "住院号" : "门诊号",
    visitLabelEn: inpatient ? "Admission no." : "Visit no.",
    datesLabel: inpatient ? "入院 — 出院日期" : "就诊日期",
    datesLabelEn: inpatient ? "Admission — discharge" : "Visit date",
    visitDates: visitDates(bill),
    institutionType: bill.institutionType ?? "",
    insuranceType: shown(INSURANCE_TYPES, bill.insuranceType),
    fundPaid: money(s?.fundPaid),
    accountPaid: money(s?.accountPaid),
    otherPaid: money(s?.otherPaid),
    // bills composed before cashPaid existed hold the cash payment as selfPaid
    cashPaid: money(s?.cashPaid ?? s?.selfPaid),
    coPayment: money(s?.coPayment),
    selfFunded: money(s?.selfFunded),
  };
}

function donationValues(bill: DonationBill, withheld: ReadonlySet<string>): Values {
  const donor = bill.donor ?? ({} as Partial<DonationBill["donor"]>);
  const organisation = donor.type === "organisation";
  const label = idLabel(donor.idType, organisation ? { zh: "统一社会信用代码", en: "Credit code" } : { zh: "证件号码", en: "ID number" });
  return {
    donorName: isWithheld(withheld, "/donor/name") ? WITHHELD_TEXT : (donor.name ?? ""),
    donorIdLabel: label.zh,
    donorIdLabelEn: label.en,
    donorId: isWithheld(withheld, "/donor/idNumber") ? WITHHELD_TEXT : idValue(donor.idType, donor.idNumber),
    donorType: donor.type === undefined ? "" : shown(DONOR_TYPES, donor.type),
    purpose: bill.purpose,
    purposeType: shown(PURPOSE_TYPES, bill.purposeType),
  };
}

/** Every header, party, summary and footer value of the bill, keyed as in the templates. */
export function billValues(bill: Bill, withheld: ReadonlySet<string> = new Set()): Values {
  const own = bill.kind === "medical" ? medicalValues(bill, withheld) : donationValues(bill, withheld);
  return { ...commonValues(bill), ...own };
}

/**
 * One row of values per line item, keyed by the template's column keys; absent members print empty.
 * A copy that withholds the items prints one row saying so (the totals stay on the bill).
 */
export function itemRows(bill: Bill, withheld: ReadonlySet<string> = new Set()): Values[] {
  if (bill.items === undefined && isWithheld(withheld, "/items")) return [{ index: "", name: `明细${WITHHELD_TEXT} items withheld` }];
  if (bill.kind === "medical") {
    return bill.items.map((it, i) => ({
      index: String(i + 1),
      code: it.code,
      name: it.name,
      specification: it.specification ?? "",
      category: it.category ?? "",
      unit: it.unit ?? "",
      quantity: it.quantity,
      unitPrice: it.unitPrice,
      amount: it.amount,
    }));
  }
  return bill.items.map((it, i) => ({
    index: String(i + 1),
    name: it.name,
    form: DONATION_FORMS[it.form] ?? it.form,
    goods: [it.description, it.valuationBasis === undefined ? undefined : `估值依据 valued by: ${shown(VALUATION_BASES, it.valuationBasis)}`]
      .filter(Boolean)
      .join("；"),
    quantity: it.quantity ?? "",
    unit: it.unit ?? "",
    amount: it.amount,
  }));
}
