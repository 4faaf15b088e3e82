/**
 * The body of POST /api/v1/invoices (SPEC §7 and the national medical e-bill fields): shape and field
 * formats in zod, then the bill rules (line amounts, sums, the settlement, dates, identity documents)
 * as a plain function over the parsed value.
 *
 * Every problem comes back as { path, code, message } with a stable `code` that clients may switch on
 * (see ISSUE_CODES); `path` reads like "items[1].amount". Amounts come out normalized ("37" → "37.00"),
 * quantities without trailing zeros ("2.50" → "2.5"), text trimmed and NFC-normalized, identifiers
 * uppercased. Every field the SPEC examples omit is optional, and compose.ts keeps only what was sent:
 * nothing is derived onto the bill (no default category, insurance type or settlement).
 *
 * Every field carries its description (`.meta`): the OpenAPI document is generated from these shapes.
 */
import { z } from "zod";
import { formatFen, formatQuantity, lineAmount, parseAmount, parseQuantity, sumFen, toFen } from "./money";
import { ID_RULES, ID_TYPES, idNumberProblem, type IdType } from "./check-digits";
import { checkFreeText } from "./free-text";
import { shanghaiDate } from "../format/time";

export const FEE_CATEGORIES = [
  "床位费",
  "诊察费",
  "检查费",
  "化验费",
  "治疗费",
  "手术费",
  "护理费",
  "卫生材料费",
  "西药费",
  "中药饮片费",
  "中成药费",
  "一般诊疗费",
  "挂号费",
  "其他费",
] as const;
export type FeeCategory = (typeof FEE_CATEGORIES)[number];

export const ISSUE_CODES = [
  "REQUIRED",
  "TYPE",
  "UNKNOWN_FIELD",
  "INVALID_VALUE",
  "KIND_INVALID",
  "TOO_LONG",
  "TOO_FEW",
  "TOO_MANY",
  "CONTROL_CHARACTER",
  "AMOUNT_FORMAT",
  "AMOUNT_TOO_LARGE",
  "QUANTITY_FORMAT",
  "AMOUNT_MISMATCH",
  "AMOUNT_NOT_POSITIVE",
  "TOTAL_NOT_POSITIVE",
  "ITEMS_TOTAL_MISMATCH",
  "INSURANCE_SPLIT_MISMATCH",
  "INSURANCE_TYPE_MISMATCH",
  "ID_NUMBER_INVALID",
  "CREDIT_CODE_INVALID",
  "INVALID",
  "FIELD_NOT_ALLOWED",
  "FIELD_CONFLICT",
  "DATE_FORMAT",
  "DATE_IN_FUTURE",
  "DATE_ORDER",
  "INPATIENT_DAYS_MISMATCH",
  "PERSONAL_SHARE_MISMATCH",
  "ID_TYPE_MISMATCH",
] as const;
export type IssueCode = (typeof ISSUE_CODES)[number];

export interface Issue {
  path: string;
  code: IssueCode;
  message: string;
}

/** Up to this many line items on one bill; the PDF continues them over pages. */
export const MAX_ITEMS = 1000;

type Ctx = z.core.$RefinementCtx<unknown>;

function fail(ctx: Ctx, code: IssueCode, message: string): typeof z.NEVER {
  ctx.addIssue({ code: "custom", message, params: { code } });
  return z.NEVER;
}

/** Free text under the one rule for every text field (free-text.ts), described for the API document. */
function text(max: number, description: string, opts: { allowEmpty?: boolean; example?: string } = {}) {
  return z
    .string()
    .transform((raw, ctx) => {
      const r = checkFreeText(raw, max, { allowEmpty: opts.allowEmpty });
      return r.ok ? r.value : fail(ctx, r.code, r.message);
    })
    .meta({
      description: `${description} Text, trimmed; at most ${max} characters${opts.allowEmpty ? "" : ", not blank"}; no control, invisible or bidirectional formatting characters.`,
      maxLength: max,
      ...(opts.example ? { examples: [opts.example] } : {}),
    });
}

export const AMOUNT_PATTERN = "^(0|[1-9]\\d{0,11})(\\.\\d{1,2})?$";

/**
 * An amount string (money.ts grammar), normalized ("157.5" → "157.50"); z.unknown so that a JSON number
 * gets AMOUNT_FORMAT rather than a bare TYPE. Every amount the API takes is read by this one rule.
 */
export function amount(description = "An amount.", example = "157.00") {
  return z
    .unknown()
    .transform((v, ctx) => {
      if (v === undefined) return fail(ctx, "REQUIRED", "is required");
      const r = parseAmount(v);
      if (r.ok) return formatFen(r.value);
      if (r.error === "TOO_LARGE") return fail(ctx, "AMOUNT_TOO_LARGE", "must be at most 999999999999.99");
      return fail(ctx, "AMOUNT_FORMAT", 'must be a decimal string with at most two fraction digits, e.g. "157.00"');
    })
    .meta({
      type: "string",
      pattern: AMOUNT_PATTERN,
      description: `${description} Yuan as a decimal string (never a JSON number), at most two fraction digits, at most 999999999999.99; answered as "157.00".`,
      examples: [example],
    });
}

export const QUANTITY_PATTERN = "^(0|[1-9]\\d{0,7})(\\.\\d{1,4})?$";

function quantity(description: string) {
  return z
    .unknown()
    .transform((v, ctx) => {
      if (v === undefined) return fail(ctx, "REQUIRED", "is required");
      const r = parseQuantity(v);
      if (r.ok) return formatQuantity(r.value);
      return fail(ctx, "QUANTITY_FORMAT", 'must be a positive decimal string with at most four fraction digits, e.g. "2" or "0.5"');
    })
    .meta({
      type: "string",
      pattern: QUANTITY_PATTERN,
      description: `${description} A positive decimal string with at most four fraction digits ("2", "0.25").`,
      examples: ["2"],
    });
}

export const DATE_PATTERN = "^\\d{4}-\\d{2}-\\d{2}$";

/** A calendar date YYYY-MM-DD (Asia/Shanghai), real and not after today. */
function date(description: string) {
  return z
    .unknown()
    .transform((v, ctx) => {
      if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return fail(ctx, "DATE_FORMAT", "must be a date YYYY-MM-DD");
      const t = Date.parse(`${v}T00:00:00Z`);
      if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== v || v < "1900-01-01")
        return fail(ctx, "DATE_FORMAT", "must be a real calendar date YYYY-MM-DD");
      if (v > shanghaiDate()) return fail(ctx, "DATE_IN_FUTURE", "must not be after today (Asia/Shanghai)");
      return v;
    })
    .meta({
      type: "string",
      format: "date",
      pattern: DATE_PATTERN,
      description: `${description} A date YYYY-MM-DD in Asia/Shanghai, not after today.`,
      examples: ["2026-11-20"],
    });
}

const ID_TYPE_DOC = (Object.entries(ID_RULES) as Array<[string, { rule: string }]>).map(([t, r]) => `\`${t}\`: ${r.rule}`).join("; ");

const idType = z.enum(ID_TYPES).meta({
  description:
    "证件类型, the identity document: `resident-id` 居民身份证, `passport` 护照, `hk-macao-permit` 港澳居民来往内地通行证, " +
    "`taiwan-permit` 台湾居民来往大陆通行证, `foreign-permanent-resident-id` 外国人永久居留身份证, `credit-code` 统一社会信用代码 " +
    "(an organisation), `none` (no document; then no idNumber). Without idType an idNumber is a 居民身份证 number.",
});

/** An ID number: optional; an empty string counts as absent (billing systems often send ""). Checked by the rules. */
const idNumber = z
  .string()
  .transform((raw) => raw.trim().toUpperCase() || undefined)
  .meta({
    description: `证件号码, the number of the document named by idType, trimmed and uppercased; "" counts as absent. Rules: ${ID_TYPE_DOC}.`,
    maxLength: 32,
    examples: ["11010519491231002X"],
  });

const medicalItem = z
  .strictObject({
    code: text(40, "项目编码, the item's code in the hospital's or the national catalogue.", { example: "A01" }),
    name: text(100, "项目名称, the item's name.", { example: "西药费" }),
    category: z
      .enum(FEE_CATEGORIES)
      .optional()
      .meta({ description: "费用类别, one of the standard fee categories; printed only when sent (never derived from the name)." }),
    specification: text(60, "规格, e.g. a drug's strength and pack.", { example: "0.25g×24粒" }).optional(),
    unit: text(10, "单位, the unit of the quantity.", { example: "盒" }).optional(),
    quantity: quantity("数量, the quantity."),
    unitPrice: amount("单价, the unit price.", "18.50"),
    amount: amount("金额, quantity × unitPrice rounded half-up to the fen.", "37.00"),
  })
  .meta({ id: "MedicalItem", description: "A line item (收费项目) of a medical bill." });

const settlement = z
  .strictObject({
    fundPaid: amount("医保统筹基金支付, paid by the basic medical insurance pooled fund.", "90.00"),
    accountPaid: amount("个人账户支付, paid from the patient's personal medical insurance account.", "30.00"),
    otherPaid: amount(
      "其他医保支付, paid by other insurance funds (critical illness insurance, medical assistance, civil servant subsidy …).",
      "0.00",
    ).optional(),
    cashPaid: amount("个人现金支付, paid by the person in cash (or card, or mobile payment).", "37.00").optional(),
    selfPaid: amount(
      "Deprecated name of cashPaid (SPEC §7's three-way split: fundPaid + accountPaid + selfPaid = total); the bill records it as cashPaid. Send one of the two.",
      "37.00",
    )
      .optional()
      .meta({ deprecated: true }),
    coPayment: amount(
      "个人自付, the person's share of the costs inside the insurance's scope (deductible, co-insurance, 乙类先行自付); part of what the person paid.",
      "20.00",
    ).optional(),
    selfFunded: amount("个人自费, costs outside the insurance's scope, borne wholly by the person; part of what the person paid.", "17.00").optional(),
  })
  .meta({
    id: "MedicalSettlement",
    description:
      "医保结算, the settlement of the bill. Rules: fundPaid + accountPaid + otherPaid + cashPaid = total (INSURANCE_SPLIT_MISMATCH); " +
      "coPayment + selfFunded ≤ accountPaid + cashPaid, because both are parts of what the person paid (PERSONAL_SHARE_MISMATCH); " +
      "otherPaid, coPayment and selfFunded are printed only when sent.",
  });

export const PATIENT_TYPES = ["outpatient", "inpatient"] as const;
export const INSURANCE_TYPES = ["employee", "resident", "self"] as const;

const commonFields = {
  total: amount("金额合计, the total; the items add up to it.", "157.00"),
  payee: text(50, "收款人, the cashier.", { example: "李四" }),
  reviewer: text(50, "复核人, the reviewer.", { example: "王五" }),
  remarks: text(200, "备注, remarks printed on the bill; may be empty.", { allowEmpty: true }).optional(),
  businessSerial: text(40, "业务流水号, the issuer's own business serial number of this payment (unique in its system); bills can be found by it.", {
    example: "HIS20261123000017",
  }).optional(),
};

const medicalSchema = z
  .strictObject({
    kind: z.literal("medical").meta({ description: "医疗收费电子票据, a medical fee e-bill." }),
    payer: z
      .strictObject({ name: text(50, "交款人, the patient or payer.", { example: "张三" }), idType: idType.optional(), idNumber: idNumber.optional() })
      .meta({ id: "MedicalPayer", description: "交款人: the payer and their identity document." }),
    patientType: z.enum(PATIENT_TYPES).meta({ description: "患者类别: `outpatient` 门诊 or `inpatient` 住院." }),
    department: text(50, "科室, the department.", { example: "内科" }),
    visitNumber: text(40, "门诊号 or 住院号, the visit (outpatient) or admission (inpatient) number; bills can be found by it.", {
      example: "MZ2026112300017",
    }),
    visitDate: date("就诊日期, an outpatient bill's visit date.").optional(),
    admissionDate: date("入院日期, an inpatient bill's admission date.").optional(),
    dischargeDate: date("出院日期, an inpatient bill's discharge date; not before the admission date.").optional(),
    inpatientDays: z.number().int().min(1).max(36600).optional().meta({
      description: "住院天数, days in hospital: the discharge date minus the admission date, and 1 for a same-day discharge (算入不算出); needs both dates.",
    }),
    institutionType: text(
      40,
      "医疗机构类型, the hospital's type as the issuer names it (e.g. 综合医院, 中医医院, 社区卫生服务中心; WS 218); printed only when sent.",
      { example: "综合医院" },
    ).optional(),
    items: z
      .array(medicalItem)
      .min(1)
      .max(MAX_ITEMS)
      .meta({ description: `收费项目, 1 to ${MAX_ITEMS} line items; the PDF continues them over pages.` }),
    insurance: settlement.optional(),
    insuranceType: z.enum(INSURANCE_TYPES).optional().meta({
      description:
        "医保类型: `employee` 城镇职工基本医疗保险, `resident` 城乡居民基本医疗保险, `self` 自费 (no insurance: no fund, account or other insurance payment). Printed only when sent, never derived.",
    }),
    ...commonFields,
  })
  .meta({ id: "MedicalInvoiceRequest", title: "Medical fee e-bill (医疗收费电子票据)", description: "A medical fee e-bill to issue." });

export const DONOR_TYPES = ["individual", "organisation", "anonymous"] as const;
export const VALUATION_BASES = ["invoice", "appraisal", "market-price"] as const;

const donationItem = z
  .strictObject({
    name: text(100, "捐赠项目, the donation item (for goods, what they are).", { example: "儿童先心病救助项目" }),
    form: z.enum(["cash", "in-kind"]).meta({ description: "捐赠形式: `cash` 货币 or `in-kind` 实物 (goods)." }),
    amount: amount("金额, the amount; for goods their valuation (折合金额).", "500.00"),
    quantity: quantity("数量, for goods the quantity.").optional(),
    unit: text(10, "单位, the unit of the quantity.", { example: "箱" }).optional(),
    description: text(200, "实物描述, for goods (in-kind only): their description (model, condition, batch, expiry …).", {
      example: "医用外科口罩，50只/箱，有效期至2028-06",
    }).optional(),
    valuationBasis: z.enum(VALUATION_BASES).optional().meta({
      description:
        "估值依据, for goods (in-kind only): how the amount was valued: `invoice` 凭捐赠方发票, `appraisal` 第三方评估, `market-price` 公允市场价格.",
    }),
  })
  .meta({ id: "DonationItem", description: "A line of a donation receipt: cash, or goods (实物) with their valuation." });

const donationSchema = z
  .strictObject({
    kind: z.literal("donation").meta({ description: "公益事业捐赠统一票据, a donation receipt." }),
    donor: z
      .strictObject({
        name: text(100, "捐赠人, the donor's name; absent for an anonymous donor.", { example: "陈小明" }).optional(),
        type: z.enum(DONOR_TYPES).meta({
          description: "捐赠人类型: `individual` 个人, `organisation` 单位 (identified by its credit code), `anonymous` 匿名 (no name, no document).",
        }),
        idType: idType.optional(),
        idNumber: idNumber.optional(),
      })
      .meta({ id: "Donor", description: "捐赠人: the donor; an organisation's idNumber is its 统一社会信用代码." }),
    items: z
      .array(donationItem)
      .min(1)
      .max(MAX_ITEMS)
      .meta({ description: `捐赠项目, 1 to ${MAX_ITEMS} lines.` }),
    purpose: text(100, "捐赠用途, the purpose or project.", { example: "儿童先心病救助" }),
    purposeType: z
      .enum(["restricted", "unrestricted"])
      .optional()
      .meta({ description: "用途类型: `restricted` 定向捐赠 (the donor restricted the use to the purpose) or `unrestricted` 非定向. Printed only when sent." }),
    ...commonFields,
  })
  .meta({ id: "DonationInvoiceRequest", title: "Donation receipt (公益事业捐赠统一票据)", description: "A donation receipt to issue." });

export const invoiceSchema = z
  .discriminatedUnion("kind", [medicalSchema, donationSchema])
  .meta({ id: "InvoiceRequest", description: "A bill to issue: `kind` chooses a medical fee e-bill or a donation receipt." });

export type MedicalInvoiceInput = z.output<typeof medicalSchema>;
export type MedicalItemInput = MedicalInvoiceInput["items"][number];
export type DonationInvoiceInput = z.output<typeof donationSchema>;
export type DonationItemInput = DonationInvoiceInput["items"][number];
export type InvoiceInput = MedicalInvoiceInput | DonationInvoiceInput;

/** ["items", 1, "amount"] → "items[1].amount" */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function joinPath(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

function toIssues(iss: z.core.$ZodIssue): Issue[] {
  const path = formatPath(iss.path);
  switch (iss.code) {
    case "custom":
      return [{ path, code: (iss.params?.code as IssueCode) ?? "INVALID", message: iss.message }];
    case "invalid_type":
      // zod omits `input` when it was undefined, i.e. the field is missing
      return "input" in iss && iss.input !== undefined
        ? [{ path, code: "TYPE", message: `must be of type ${iss.expected}` }]
        : [{ path, code: "REQUIRED", message: "is required" }];
    case "unrecognized_keys":
      return iss.keys.map((k) => ({ path: joinPath(path, k), code: "UNKNOWN_FIELD", message: "is not a known field" }));
    case "too_big":
      return [{ path, code: iss.origin === "array" ? "TOO_MANY" : "TOO_LONG", message: `must have at most ${iss.maximum}` }];
    case "too_small":
      return [{ path, code: iss.origin === "array" ? "TOO_FEW" : "REQUIRED", message: `must have at least ${iss.minimum}` }];
    case "invalid_value":
      return [{ path, code: "INVALID_VALUE", message: `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(", ")}` }];
    case "invalid_union": {
      const input = (iss as { input?: unknown }).input as { kind?: unknown } | undefined;
      if ("discriminator" in iss && input?.kind === undefined) return [{ path, code: "REQUIRED", message: 'is required: "medical" or "donation"' }];
      return [{ path, code: "KIND_INVALID", message: 'must be "medical" or "donation"' }];
    }
    default:
      return [{ path, code: "INVALID", message: iss.message }];
  }
}

function sumsTo(parts: string[], total: string): boolean {
  return sumFen(parts.map(toFen)) === toFen(total);
}

const fen = (a: string | undefined) => (a === undefined ? 0n : toFen(a));

/** The identity document of a payer or donor at `path`: each document by its own rule. */
function identityIssues(path: string, p: { idType?: IdType; idNumber?: string }, allowed: readonly IdType[]): Issue[] {
  const { idType, idNumber } = p;
  if (idType !== undefined && !allowed.includes(idType)) {
    return [{ path: `${path}.idType`, code: "ID_TYPE_MISMATCH", message: `must be one of ${allowed.map((t) => JSON.stringify(t)).join(", ")} here` }];
  }
  if (idType === "none")
    return idNumber === undefined ? [] : [{ path: `${path}.idNumber`, code: "FIELD_NOT_ALLOWED", message: 'must be absent when idType is "none"' }];
  if (idNumber === undefined)
    return idType === undefined ? [] : [{ path: `${path}.idNumber`, code: "REQUIRED", message: `is required with idType "${idType}"` }];
  const type = idType ?? (allowed.includes("resident-id") ? "resident-id" : "credit-code");
  const problem = idNumberProblem(type, idNumber);
  if (problem === null) return [];
  if (type === "credit-code")
    return [{ path: `${path}.idNumber`, code: "CREDIT_CODE_INVALID", message: `is not a valid unified social credit code (GB 32100): ${problem}` }];
  return [{ path: `${path}.idNumber`, code: "ID_NUMBER_INVALID", message: `is not a valid ${type} number: ${problem}` }];
}

const PERSONAL_ID_TYPES: readonly IdType[] = ["resident-id", "passport", "hk-macao-permit", "taiwan-permit", "foreign-permanent-resident-id", "none"];

/** Days in hospital: discharge − admission, a same-day stay counting 1 (算入不算出). */
export function inpatientDaysOf(admission: string, discharge: string): number {
  return Math.max(1, Math.round((Date.parse(`${discharge}T00:00:00Z`) - Date.parse(`${admission}T00:00:00Z`)) / 86_400_000));
}

function visitIssues(b: MedicalInvoiceInput): Issue[] {
  const issues: Issue[] = [];
  const notFor = (field: string, type: string) => issues.push({ path: field, code: "FIELD_NOT_ALLOWED", message: `is not a field of an ${type} bill` });
  if (b.patientType === "outpatient") {
    for (const f of ["admissionDate", "dischargeDate", "inpatientDays"] as const) if (b[f] !== undefined) notFor(f, "outpatient");
    return issues;
  }
  if (b.visitDate !== undefined) notFor("visitDate", "inpatient");
  if (b.dischargeDate !== undefined && b.admissionDate === undefined)
    issues.push({ path: "admissionDate", code: "REQUIRED", message: "is required with dischargeDate" });
  if (b.admissionDate && b.dischargeDate && b.dischargeDate < b.admissionDate)
    issues.push({ path: "dischargeDate", code: "DATE_ORDER", message: `must not be before the admission date ${b.admissionDate}` });
  else if (b.inpatientDays !== undefined) {
    if (!b.admissionDate || !b.dischargeDate) issues.push({ path: "inpatientDays", code: "REQUIRED", message: "needs admissionDate and dischargeDate" });
    else if (b.inpatientDays !== inpatientDaysOf(b.admissionDate, b.dischargeDate)) {
      issues.push({
        path: "inpatientDays",
        code: "INPATIENT_DAYS_MISMATCH",
        message: `must be ${inpatientDaysOf(b.admissionDate, b.dischargeDate)}: discharge − admission in days, 1 for a same-day stay`,
      });
    }
  }
  return issues;
}

function settlementIssues(b: MedicalInvoiceInput): Issue[] {
  const s = b.insurance;
  if (!s) return [];
  if (s.cashPaid !== undefined && s.selfPaid !== undefined)
    return [{ path: "insurance.selfPaid", code: "FIELD_CONFLICT", message: "is the deprecated name of cashPaid: send one of the two" }];
  const cash = s.cashPaid ?? s.selfPaid;
  if (cash === undefined) return [{ path: "insurance.cashPaid", code: "REQUIRED", message: "is required (个人现金支付; selfPaid is its deprecated name)" }];
  const issues: Issue[] = [];
  if (!sumsTo([s.fundPaid, s.accountPaid, s.otherPaid ?? "0", cash], b.total)) {
    issues.push({ path: "insurance", code: "INSURANCE_SPLIT_MISMATCH", message: `fundPaid + accountPaid + otherPaid + cashPaid must equal total ${b.total}` });
  }
  if (fen(s.coPayment) + fen(s.selfFunded) > toFen(s.accountPaid) + toFen(cash)) {
    issues.push({
      path: "insurance",
      code: "PERSONAL_SHARE_MISMATCH",
      message: `coPayment + selfFunded must not exceed what the person paid, accountPaid + cashPaid = ${formatFen(toFen(s.accountPaid) + toFen(cash))}`,
    });
  }
  if (b.insuranceType === "self" && toFen(s.fundPaid) + toFen(s.accountPaid) + fen(s.otherPaid) > 0n) {
    issues.push({ path: "insuranceType", code: "INSURANCE_TYPE_MISMATCH", message: "a self-paying bill has no fund, account or other insurance payment" });
  }
  return issues;
}

function medicalRules(b: MedicalInvoiceInput): Issue[] {
  const issues: Issue[] = identityIssues("payer", b.payer, [...PERSONAL_ID_TYPES, "credit-code"]);
  b.items.forEach((it, i) => {
    const q = parseQuantity(it.quantity);
    const expected = q.ok ? lineAmount(q.value, toFen(it.unitPrice)) : -1n;
    if (expected !== toFen(it.amount)) {
      issues.push({
        path: `items[${i}].amount`,
        code: "AMOUNT_MISMATCH",
        message: `must equal quantity × unitPrice rounded half-up: ${it.quantity} × ${it.unitPrice} = ${formatFen(expected)}`,
      });
    }
  });
  if (
    !sumsTo(
      b.items.map((it) => it.amount),
      b.total,
    )
  ) {
    issues.push({
      path: "total",
      code: "ITEMS_TOTAL_MISMATCH",
      message: `items add up to ${formatFen(sumFen(b.items.map((it) => toFen(it.amount))))}, not ${b.total}`,
    });
  }
  return issues.concat(visitIssues(b), settlementIssues(b));
}

function donorIssues(d: DonationInvoiceInput["donor"]): Issue[] {
  if (d.type === "anonymous") {
    return (["name", "idType", "idNumber"] as const)
      .filter((f) => d[f] !== undefined)
      .map((f) => ({ path: `donor.${f}`, code: "FIELD_NOT_ALLOWED" as const, message: "must be absent for an anonymous donor" }));
  }
  const issues: Issue[] = d.name === undefined ? [{ path: "donor.name", code: "REQUIRED", message: "is required (absent only for an anonymous donor)" }] : [];
  return issues.concat(identityIssues("donor", d, d.type === "organisation" ? ["credit-code"] : PERSONAL_ID_TYPES));
}

function donationRules(b: DonationInvoiceInput): Issue[] {
  const issues: Issue[] = donorIssues(b.donor);
  b.items.forEach((it, i) => {
    if (toFen(it.amount) <= 0n) issues.push({ path: `items[${i}].amount`, code: "AMOUNT_NOT_POSITIVE", message: "must be greater than 0" });
    if (it.form === "cash") {
      for (const f of ["description", "valuationBasis"] as const) {
        if (it[f] !== undefined) issues.push({ path: `items[${i}].${f}`, code: "FIELD_NOT_ALLOWED", message: "is only for in-kind (实物) donations" });
      }
    }
  });
  if (
    !sumsTo(
      b.items.map((it) => it.amount),
      b.total,
    )
  ) {
    issues.push({
      path: "total",
      code: "ITEMS_TOTAL_MISMATCH",
      message: `items add up to ${formatFen(sumFen(b.items.map((it) => toFen(it.amount))))}, not ${b.total}`,
    });
  }
  return issues;
}

/** The bill rules over a well-formed body; an empty list means the body is acceptable. */
export function checkInvoiceRules(input: InvoiceInput): Issue[] {
  const issues: Issue[] = toFen(input.total) > 0n ? [] : [{ path: "total", code: "TOTAL_NOT_POSITIVE", message: "must be greater than 0" }];
  return issues.concat(input.kind === "medical" ? medicalRules(input) : donationRules(input));
}

export type ParseInvoiceResult = { ok: true; value: InvoiceInput } | { ok: false; issues: Issue[] };

/** Validates a POST /api/v1/invoices body; never throws. */
export function parseInvoiceRequest(body: unknown): ParseInvoiceResult {
  const parsed = invoiceSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.flatMap(toIssues) };
  const value: InvoiceInput = parsed.data;
  const issues = checkInvoiceRules(value);
  return issues.length ? { ok: false, issues } : { ok: true, value };
}
