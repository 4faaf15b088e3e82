/**
 * The body of POST /api/v1/invoices (SPEC §7): shape and field formats in zod, then the bill rules
 * (line amounts, sums, insurance split, donor identifiers) as a plain function over the parsed value.
 *
 * Every problem comes back as { path, code, message } with a stable `code` that clients may switch on
 * (see ISSUE_CODES); `path` reads like "items[1].amount". Amounts come out normalized ("37" → "37.00"),
 * quantities without trailing zeros ("2.50" → "2.5"), text trimmed and NFC-normalized, identifiers
 * uppercased. Fields the two SPEC examples omit (category, insurance, insuranceType, remarks, donor ID)
 * stay optional here; compose.ts derives them.
 */
import { z } from "zod";
import { formatFen, formatQuantity, lineAmount, parseAmount, parseQuantity, sumFen, toFen } from "./money";
import { isValidCreditCode, residentIdProblem } from "./check-digits";
import { freeText } from "./free-text";
import { InsuranceType, PatientType } from "./model";

export const FEE_CATEGORIES = [
  "床位费", "诊察费", "检查费", "化验费", "治疗费", "手术费", "护理费",
  "卫生材料费", "西药费", "中药饮片费", "中成药费", "一般诊疗费", "挂号费", "其他费",
] as const;
export type FeeCategory = (typeof FEE_CATEGORIES)[number];

export const ISSUE_CODES = [
  "REQUIRED", "TYPE", "UNKNOWN_FIELD", "INVALID_VALUE", "KIND_INVALID", "TOO_LONG", "TOO_FEW", "TOO_MANY",
  "CONTROL_CHARACTER", "AMOUNT_FORMAT", "AMOUNT_TOO_LARGE", "QUANTITY_FORMAT", "AMOUNT_MISMATCH",
  "AMOUNT_NOT_POSITIVE", "TOTAL_NOT_POSITIVE", "ITEMS_TOTAL_MISMATCH", "INSURANCE_SPLIT_MISMATCH",
  "INSURANCE_TYPE_MISMATCH", "ID_NUMBER_INVALID", "CREDIT_CODE_INVALID", "INVALID",
] as const;
export type IssueCode = (typeof ISSUE_CODES)[number];

export interface Issue {
  path: string;
  code: IssueCode;
  message: string;
}

export interface MedicalItemInput {
  code: string;
  name: string;
  category?: FeeCategory;
  quantity: string;
  unitPrice: string;
  amount: string;
}

export interface MedicalInvoiceInput {
  kind: "medical";
  payer: { name: string; idNumber?: string };
  patientType: PatientType;
  department: string;
  visitNumber: string;
  items: MedicalItemInput[];
  insurance?: { fundPaid: string; accountPaid: string; selfPaid: string };
  insuranceType?: InsuranceType;
  total: string;
  payee: string;
  reviewer: string;
  remarks?: string;
}

export interface DonationItemInput {
  name: string;
  form: "cash" | "in-kind";
  amount: string;
  quantity?: string;
}

export interface DonationInvoiceInput {
  kind: "donation";
  donor: { name: string; type: "individual" | "organisation"; idNumber?: string };
  items: DonationItemInput[];
  total: string;
  purpose: string;
  payee: string;
  reviewer: string;
  remarks?: string;
}

export type InvoiceInput = MedicalInvoiceInput | DonationInvoiceInput;

export const MAX_ITEMS = 200;

type Ctx = z.core.$RefinementCtx<unknown>;

function fail(ctx: Ctx, code: IssueCode, message: string): typeof z.NEVER {
  ctx.addIssue({ code: "custom", message, params: { code } });
  return z.NEVER;
}

/** Free text: the one rule of free-text.ts (trimmed, NFC, nothing invisible), at most `max` code points. */
const text = (max: number, opts: { allowEmpty?: boolean } = {}) => freeText(max, opts);

/**
 * An amount string (money.ts grammar), normalized ("157.5" → "157.50"); z.unknown so that a JSON number
 * gets AMOUNT_FORMAT rather than a bare TYPE. Every amount the API takes is read by this one rule.
 */
export function amount() {
  return z.unknown().transform((v, ctx) => {
    if (v === undefined) return fail(ctx, "REQUIRED", "is required");
    const r = parseAmount(v);
    if (r.ok) return formatFen(r.value);
    if (r.error === "TOO_LARGE") return fail(ctx, "AMOUNT_TOO_LARGE", "must be at most 999999999999.99");
    return fail(ctx, "AMOUNT_FORMAT", 'must be a decimal string with at most two fraction digits, e.g. "157.00"');
  });
}

function quantity() {
  return z.unknown().transform((v, ctx) => {
    if (v === undefined) return fail(ctx, "REQUIRED", "is required");
    const r = parseQuantity(v);
    if (r.ok) return formatQuantity(r.value);
    return fail(ctx, "QUANTITY_FORMAT", 'must be a positive decimal string with at most four fraction digits, e.g. "2" or "0.5"');
  });
}

/** An identifier: trimmed and uppercased ("…002x" → "…002X"); checked by the rules below. */
const identifier = text(32).transform((s) => s.toUpperCase());

/** Payer ID: optional; an empty string counts as absent (billing systems often send ""). */
const payerIdNumber = z.string().transform((raw, ctx) => {
  const s = raw.trim().toUpperCase();
  if (!s) return undefined;
  const problem = residentIdProblem(s);
  if (problem === null) return s;
  const why = { FORMAT: "18 characters, 17 digits then a digit or X", BIRTH_DATE: "its birth date is not a real past date", CHECK: "its check character is wrong" }[problem];
  return fail(ctx, "ID_NUMBER_INVALID", `is not a valid resident ID number (GB 11643): ${why}`);
});

const medicalItem = z.strictObject({
  code: text(40),
  name: text(100),
  category: z.enum(FEE_CATEGORIES).optional(),
  quantity: quantity(),
  unitPrice: amount(),
  amount: amount(),
});

const medicalSchema = z.strictObject({
  kind: z.literal("medical"),
  payer: z.strictObject({ name: text(50), idNumber: payerIdNumber.optional() }),
  patientType: z.enum(["outpatient", "inpatient"]),
  department: text(50),
  visitNumber: text(40),
  items: z.array(medicalItem).min(1).max(MAX_ITEMS),
  insurance: z.strictObject({ fundPaid: amount(), accountPaid: amount(), selfPaid: amount() }).optional(),
  insuranceType: z.enum(["employee", "resident", "self"]).optional(),
  total: amount(),
  payee: text(50),
  reviewer: text(50),
  remarks: text(200, { allowEmpty: true }).optional(),
});

const donationSchema = z.strictObject({
  kind: z.literal("donation"),
  donor: z.strictObject({
    name: text(100),
    type: z.enum(["individual", "organisation"]),
    idNumber: identifier.optional(),
  }),
  items: z.array(z.strictObject({
    name: text(100),
    form: z.enum(["cash", "in-kind"]),
    amount: amount(),
    quantity: quantity().optional(),
  })).min(1).max(MAX_ITEMS),
  total: amount(),
  purpose: text(100),
  payee: text(50),
  reviewer: text(50),
  remarks: text(200, { allowEmpty: true }).optional(),
});

export const invoiceSchema = z.discriminatedUnion("kind", [medicalSchema, donationSchema]);

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

function medicalRules(b: MedicalInvoiceInput): Issue[] {
  const issues: Issue[] = [];
  b.items.forEach((it, i) => {
    const q = parseQuantity(it.quantity);
    const expected = q.ok ? lineAmount(q.value, toFen(it.unitPrice)) : -1n;
    if (expected !== toFen(it.amount)) {
      issues.push({ path: `items[${i}].amount`, code: "AMOUNT_MISMATCH", message: `must equal quantity × unitPrice rounded half-up: ${it.quantity} × ${it.unitPrice} = ${formatFen(expected)}` });
    }
  });
  if (!sumsTo(b.items.map((it) => it.amount), b.total)) {
    issues.push({ path: "total", code: "ITEMS_TOTAL_MISMATCH", message: `items add up to ${formatFen(sumFen(b.items.map((it) => toFen(it.amount))))}, not ${b.total}` });
  }
  if (b.insurance) {
    const { fundPaid, accountPaid, selfPaid } = b.insurance;
    if (!sumsTo([fundPaid, accountPaid, selfPaid], b.total)) {
      issues.push({ path: "insurance", code: "INSURANCE_SPLIT_MISMATCH", message: `fundPaid + accountPaid + selfPaid must equal total ${b.total}` });
    }
    if (b.insuranceType === "self" && toFen(fundPaid) + toFen(accountPaid) > 0n) {
      issues.push({ path: "insuranceType", code: "INSURANCE_TYPE_MISMATCH", message: "a self-paying bill has no fund or account payment" });
    }
  }
  return issues;
}

function donationRules(b: DonationInvoiceInput): Issue[] {
  const issues: Issue[] = [];
  const id = b.donor.idNumber;
  if (id !== undefined && b.donor.type === "individual" && residentIdProblem(id) !== null) {
    issues.push({ path: "donor.idNumber", code: "ID_NUMBER_INVALID", message: "is not a valid resident ID number (GB 11643)" });
  }
  if (id !== undefined && b.donor.type === "organisation" && !isValidCreditCode(id)) {
    issues.push({ path: "donor.idNumber", code: "CREDIT_CODE_INVALID", message: "is not a valid unified social credit code (GB 32100)" });
  }
  b.items.forEach((it, i) => {
    if (toFen(it.amount) <= 0n) issues.push({ path: `items[${i}].amount`, code: "AMOUNT_NOT_POSITIVE", message: "must be greater than 0" });
  });
  if (!sumsTo(b.items.map((it) => it.amount), b.total)) {
    issues.push({ path: "total", code: "ITEMS_TOTAL_MISMATCH", message: `items add up to ${formatFen(sumFen(b.items.map((it) => toFen(it.amount))))}, not ${b.total}` });
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
