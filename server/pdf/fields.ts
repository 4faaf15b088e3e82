/**
 * The display values of a bill: what each template key prints as. Pure functions of the bill.
 */
import type { Bill, DonationBill, MedicalBill } from "../issuance/model";
import { maskIdNumber } from "../issuance/masking";

export type Values = Record<string, string>;

const PATIENT_TYPES = { outpatient: "门诊 Outpatient", inpatient: "住院 Inpatient" } as const;
const INSURANCE_TYPES = {
  employee: "城镇职工基本医疗保险",
  resident: "城乡居民基本医疗保险",
  self: "自费 Self-paying",
} as const;
const DONOR_TYPES = { individual: "个人 Individual", organisation: "单位 Organisation" } as const;
const DONATION_FORMS = { cash: "现金 Cash", "in-kind": "实物 In kind" } as const;

/** "157.00" → "¥157.00", "-157.00" → "-¥157.00". */
export function yuan(amount: string): string {
  return amount.startsWith("-") ? `-¥${amount.slice(1)}` : `¥${amount}`;
}


/** "2026-11-23T10:31:07+08:00" → "2026-11-23 10:31:07", in Asia/Shanghai whatever the offset. */
export function shanghaiDateTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?\+08:00$/.exec(iso);
  if (m) return `${m[1]} ${m[2]}`;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
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
    issueDate: shanghaiDateTime(bill.issuedAt),
    totalInWords: bill.totalInWords,
    totalFigures: yuan(bill.total),
    remarks: redRemark(bill),
    issuer: bill.issuer.name,
    issuerCreditCode: bill.issuer.creditCode,
    reviewer: bill.reviewer,
    payee: bill.payee,
  };
}

function medicalValues(bill: MedicalBill): Values {
  const inpatient = bill.patientType === "inpatient";
  return {
    payerName: bill.payer.name,
    payerId: maskIdNumber(bill.payer.idNumber),
    patientType: PATIENT_TYPES[bill.patientType] ?? bill.patientType,
    department: bill.department,
    visitNumber: bill.visitNumber,
    visitLabel: inpatient ? "住院号" : "门诊号",
    visitLabelEn: inpatient ? "Admission no." : "Visit no.",
    insuranceType: INSURANCE_TYPES[bill.insuranceType] ?? bill.insuranceType,
    fundPaid: yuan(bill.insurance.fundPaid),
    accountPaid: yuan(bill.insurance.accountPaid),
    selfPaid: yuan(bill.insurance.selfPaid),
  };
}

function donationValues(bill: DonationBill): Values {
  const organisation = bill.donor.type === "organisation";
  return {
    donorName: bill.donor.name,
    donorId: maskIdNumber(bill.donor.idNumber),
    donorIdLabel: organisation ? "统一社会信用代码" : "证件号码",
    donorIdLabelEn: organisation ? "Credit code" : "ID number",
    donorType: DONOR_TYPES[bill.donor.type] ?? bill.donor.type,
    purpose: bill.purpose,
  };
}

/** Every header, party, summary and footer value of the bill, keyed as in the templates. */
export function billValues(bill: Bill): Values {
  const own = bill.kind === "medical" ? medicalValues(bill) : donationValues(bill);
  return { ...commonValues(bill), ...own };
}

/** One row of values per line item, keyed by the template's column keys. */
export function itemRows(bill: Bill): Values[] {
  if (bill.kind === "medical") {
    return bill.items.map((it, i) => ({
      index: String(i + 1),
      code: it.code,
      name: it.name,
      category: it.category,
      quantity: it.quantity,
      unitPrice: it.unitPrice,
      amount: it.amount,
    }));
  }
  return bill.items.map((it, i) => ({
    index: String(i + 1),
    name: it.name,
    form: DONATION_FORMS[it.form] ?? it.form,
    quantity: it.quantity ?? "",
    amount: it.amount,
  }));
}
