/**
 * The display values of a bill: what each template key prints as. Pure functions of the bill.
 */
import type { Bill, DonationBill, IdType, MedicalBill } from "../issuance/model";
import { ID_TYPE_NAMES } from "../issuance/check-digits";
import { maskIdNumber } from "../issuance/masking";
import { displayTime } from "../format/time";

export type Values = Record<string, string>;

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

function medicalValues(bill: MedicalBill): Values {
  const inpatient = bill.patientType === "inpatient";
  const s = bill.insurance;
  const label = idLabel(bill.payer.idType, { zh: "交款人证件号码", en: "Payer ID" });
  return {
    payerName: bill.payer.name,
    payerIdLabel: label.zh,
    payerIdLabelEn: label.en,
    payerId: idValue(bill.payer.idType, bill.payer.idNumber),
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

function donationValues(bill: DonationBill): Values {
  const organisation = bill.donor.type === "organisation";
  const label = idLabel(bill.donor.idType, organisation ? { zh: "统一社会信用代码", en: "Credit code" } : { zh: "证件号码", en: "ID number" });
  return {
    donorName: bill.donor.name ?? "",
    donorIdLabel: label.zh,
    donorIdLabelEn: label.en,
    donorId: idValue(bill.donor.idType, bill.donor.idNumber),
    donorType: shown(DONOR_TYPES, bill.donor.type),
    purpose: bill.purpose,
    purposeType: shown(PURPOSE_TYPES, bill.purposeType),
  };
}

/** Every header, party, summary and footer value of the bill, keyed as in the templates. */
export function billValues(bill: Bill): Values {
  const own = bill.kind === "medical" ? medicalValues(bill) : donationValues(bill);
  return { ...commonValues(bill), ...own };
}

/** One row of values per line item, keyed by the template's column keys; absent members print empty. */
export function itemRows(bill: Bill): Values[] {
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
    goods: [it.description, it.valuationBasis === undefined ? undefined : `估值依据 valued by: ${shown(VALUATION_BASES, it.valuationBasis)}`].filter(Boolean).join("；"),
    quantity: it.quantity ?? "",
    unit: it.unit ?? "",
    amount: it.amount,
  }));
}
