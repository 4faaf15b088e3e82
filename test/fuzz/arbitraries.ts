/**
 * fast-check generators for POST /api/v1/invoices: valid bills of both kinds (items that add up,
 * insurance splits that add up, resident IDs with a correct GB 11643 check character) and subtly
 * invalid requests, each labelled with what it should get. Shared by the short run in `npm test`
 * and by scripts/fuzz-issuing.ts.
 */
import fc from "fast-check";
import { FEE_CATEGORIES, MAX_ITEMS } from "../../server/issuance/schema";
import { formatFen, lineAmount, parseQuantity } from "../../server/issuance/money";
import { makeCreditCode, residentIdCheckChar } from "../../server/issuance/check-digits";

export type Who = "hospital" | "charity";

export interface FuzzCase {
  /** what the case is: "valid medical", "off-by-one-fen total", … */
  label: string;
  who: Who;
  /** the raw request body */
  body: string;
  contentType: string;
  valid: boolean;
}

const CJK = [
  ..."张王李赵陈刘杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文内科外科儿妇产眼耳鼻喉口腔急诊康复医院慈善基金救助项目",
];
const EXTRA = [..."ABCxyz0189 ·-（）()《》😀é"];

/** Free text that the schema accepts: 1..max code points, no control characters, not blank. */
export function text(max: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...CJK), fc.array(fc.constantFrom(...CJK, ...EXTRA), { maxLength: Math.max(0, Math.min(max, 24) - 1) }))
    .map(([first, rest]) => first + rest.join(""))
    .filter((s) => [...s.trim()].length >= 1 && [...s].length <= max);
}

const yuan = (fen: bigint) => formatFen(fen);

/** A resident ID number with a correct check character and a plausible birth date. */
export const residentId = fc
  .tuple(
    fc.integer({ min: 110000, max: 659999 }),
    fc.date({ min: new Date("1920-01-01"), max: new Date("2020-12-31"), noInvalidDate: true }),
    fc.integer({ min: 0, max: 999 }),
  )
  .map(([region, birth, seq]) => {
    const d = birth.toISOString().slice(0, 10).replace(/-/g, "");
    const first17 = `${region}${d}${String(seq).padStart(3, "0")}`;
    return first17 + residentIdCheckChar(first17);
  });

const creditCode = fc
  .tuple(fc.constantFrom("11", "12", "51", "52", "53", "91"), fc.integer({ min: 110000, max: 659999 }), fc.stringMatching(/^[0-9A-HJ-NPQRTUWXY]{9}$/))
  .map(([a, b, c]) => makeCreditCode(`${a}${b}${c}`));

const quantity = fc.oneof(fc.integer({ min: 1, max: 20 }).map(String), fc.constantFrom("0.5", "1.5", "2.25", "0.75", "3.125"));

const medicalItem = fc
  .tuple(fc.stringMatching(/^[A-Z][0-9]{2}$/), fc.constantFrom(...FEE_CATEGORIES), fc.boolean(), quantity, fc.integer({ min: 1, max: 500_000 }))
  .map(([code, name, withCategory, q, priceFen]) => {
    const qv = parseQuantity(q);
    if (!qv.ok) throw new Error(`bad quantity ${q}`);
    const amount = lineAmount(qv.value, BigInt(priceFen));
    return {
      item: { code, name, ...(withCategory ? { category: name } : {}), quantity: q, unitPrice: yuan(BigInt(priceFen)), amount: yuan(amount) },
      fen: amount,
    };
  });

/** Splits `total` fen into three non-negative parts. */
function split3(total: bigint, a: number, b: number): [bigint, bigint, bigint] {
  const x = (total * BigInt(Math.min(a, b))) / 1000n;
  const y = (total * BigInt(Math.max(a, b))) / 1000n;
  return [x, y - x, total - y];
}

export const validMedical = fc
  .record({
    items: fc.array(medicalItem, { minLength: 1, maxLength: 6 }),
    payerName: text(50),
    idNumber: fc.option(residentId, { nil: undefined }),
    patientType: fc.constantFrom("outpatient", "inpatient"),
    department: text(50),
    visitNumber: fc.stringMatching(/^[A-Z]{2}[0-9]{6,16}$/),
    insurance: fc.option(
      fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }), fc.constantFrom(undefined, "employee", "resident", "self")),
      { nil: undefined },
    ),
    payee: text(50),
    reviewer: text(50),
    remarks: fc.option(fc.oneof(fc.constant(""), text(200)), { nil: undefined }),
  })
  .map((r) => {
    const total = r.items.reduce((s, i) => s + i.fen, 0n);
    const body: Record<string, unknown> = {
      kind: "medical",
      payer: { name: r.payerName, ...(r.idNumber ? { idNumber: r.idNumber } : {}) },
      patientType: r.patientType,
      department: r.department,
      visitNumber: r.visitNumber,
      items: r.items.map((i) => i.item),
      total: yuan(total),
      payee: r.payee,
      reviewer: r.reviewer,
      ...(r.remarks !== undefined ? { remarks: r.remarks } : {}),
    };
    if (r.insurance) {
      const [a, b, type] = r.insurance;
      const [fund, account, self] = type === "self" ? [0n, 0n, total] : split3(total, a, b);
      body.insurance = { fundPaid: yuan(fund), accountPaid: yuan(account), selfPaid: yuan(self) };
      if (type) body.insuranceType = type;
    }
    return body;
  });

export const validDonation = fc
  .record({
    donorName: text(100),
    donorType: fc.constantFrom("individual", "organisation"),
    withId: fc.boolean(),
    resident: residentId,
    credit: creditCode,
    items: fc.array(fc.tuple(text(100), fc.constantFrom("cash", "in-kind"), fc.integer({ min: 1, max: 10_000_000 }), fc.option(quantity, { nil: undefined })), {
      minLength: 1,
      maxLength: 5,
    }),
    purpose: text(100),
    payee: text(50),
    reviewer: text(50),
  })
  .map((r) => {
    const total = r.items.reduce((s, [, , fen]) => s + BigInt(fen), 0n);
    const idNumber = r.withId ? (r.donorType === "individual" ? r.resident : r.credit) : undefined;
    return {
      kind: "donation",
      donor: { name: r.donorName, type: r.donorType, ...(idNumber ? { idNumber } : {}) },
      items: r.items.map(([name, form, fen, q]) => ({ name, form, amount: yuan(BigInt(fen)), ...(q ? { quantity: q } : {}) })),
      total: yuan(total),
      purpose: r.purpose,
      payee: r.payee,
      reviewer: r.reviewer,
    };
  });

type Body = Record<string, any>;
const whoOf = (b: Body): Who => (b.kind === "medical" ? "hospital" : "charity");
const clone = (b: Body): Body => JSON.parse(JSON.stringify(b));
const json = (label: string, b: Body, who: Who = whoOf(b)): FuzzCase => ({
  label,
  who,
  body: JSON.stringify(b),
  contentType: "application/json",
  valid: false,
});

/** A text field every bill has: mutations that break free text aim here. */
const TEXT_FIELDS = ["payee", "reviewer"] as const;

/** Mutations that each make a valid bill invalid, however the bill was drawn. */
const mutations: Array<fc.Arbitrary<(b: Body) => FuzzCase>> = [
  fc.constantFrom(1n, -1n).map((d) => (b: Body) => {
    const m = clone(b);
    const fen = BigInt(m.total.replace(".", "")) + d;
    m.total = formatFen(fen);
    return json("off-by-one-fen total", m);
  }),
  fc.integer({ min: 0, max: 9 }).map((digit) => (b: Body) => {
    const m = clone(b);
    m.items[0].amount = `${m.items[0].amount}${digit}`;
    return json("three fraction digits", m);
  }),
  fc.constant((b: Body) => {
    const m = clone(b);
    m.total = Number(m.total);
    return json("amount as a JSON number", m);
  }),
  fc.integer({ min: 1, max: 10 }).map((k) => (b: Body) => {
    const m = clone(b);
    const id: string = m.kind === "medical" ? (m.payer.idNumber ?? "11010519491231002X") : "11010519491231002X";
    const chars = "0123456789X";
    const bad = id.slice(0, 17) + chars[(chars.indexOf(id[17]) + k) % 11];
    if (m.kind === "medical") m.payer.idNumber = bad;
    else m.donor = { ...m.donor, type: "individual", idNumber: bad };
    return json("bad check digit", m);
  }),
  fc
    .tuple(fc.constantFrom("top", "item", "nested"), fc.constantFrom("extra", "__proto__", "constructor", "Total", "isVip"))
    .map(([where, key]) => (b: Body) => {
      const m = clone(b);
      const target = where === "top" ? m : where === "item" ? m.items[0] : m.kind === "medical" ? m.payer : m.donor;
      const withKey = JSON.parse(JSON.stringify(target).replace(/^\{/, `{${JSON.stringify(key)}:1,`));
      if (where === "top") return { ...json("unknown field", m), body: JSON.stringify(m).replace(/^\{/, `{${JSON.stringify(key)}:1,`) };
      if (where === "item") m.items[0] = withKey;
      else if (m.kind === "medical") m.payer = withKey;
      else m.donor = withKey;
      return json("unknown field", m);
    }),
  fc.tuple(fc.constantFrom(...TEXT_FIELDS), fc.integer({ min: 51, max: 5000 })).map(([field, n]) => (b: Body) => {
    const m = clone(b);
    m[field] = "长".repeat(n);
    return json("over-long string", m);
  }),
  fc
    .tuple(fc.constantFrom(...TEXT_FIELDS), fc.constantFrom("\u0000", "\u0001", "\n", "\u007f", "\u0085", "\u202e", "\u2028", "\ud800"))
    .map(([field, c]) => (b: Body) => {
      const m = clone(b);
      m[field] = `${m[field]}${c}x`;
      return json("control character", m);
    }),
  fc
    .tuple(fc.constantFrom("items", "total", "kind", "payee", "payer", "donor"), fc.constantFrom<unknown>(null, 0, true, "x", [], {}, [1, 2]))
    .map(([field, v]) => (b: Body) => {
      const m = clone(b);
      if (field === "payer" || field === "donor") m[m.kind === "medical" ? "payer" : "donor"] = v;
      else if (field === "kind" && (v === "x" || typeof v !== "string")) m.kind = v;
      else if (field === "payee" && typeof v === "string") m.payee = "   ";
      else m[field] = v;
      return json("wrong type", m);
    }),
  fc.integer({ min: MAX_ITEMS + 1, max: MAX_ITEMS + 400 }).map((n) => (b: Body) => {
    const m = clone(b);
    m.items = Array.from({ length: n }, () => m.items[0]);
    m.total = formatFen(BigInt(m.items[0].amount.replace(".", "")) * BigInt(n));
    return json("huge array", m);
  }),
  fc.integer({ min: 50, max: 20_000 }).map((depth) => (b: Body) => {
    const m = clone(b);
    const nested = "[".repeat(depth) + "]".repeat(depth);
    return { ...json("deep nesting", m), body: JSON.stringify(m).replace(/"payee":"(?:[^"\\]|\\.)*"/, `"payee":${nested}`) };
  }),
  fc.constantFrom("missing total", "missing items", "missing kind", "empty items").map((what) => (b: Body) => {
    const m = clone(b);
    if (what === "missing total") delete m.total;
    else if (what === "missing items") delete m.items;
    else if (what === "missing kind") delete m.kind;
    else m.items = [];
    return json(what, m, whoOf(b));
  }),
  fc.constant((b: Body) => json("bill kind the issuer is not admitted for", clone(b), whoOf(b) === "hospital" ? "charity" : "hospital")),
  fc.constantFrom("-1.00", "1e3", " 1.00", "1.", ".5", "01.00", "1000000000000.00", "NaN", "１.00").map((bad) => (b: Body) => {
    const m = clone(b);
    m.items[0].amount = bad;
    return json("malformed amount", m);
  }),
  fc.constant((b: Body) => {
    const m = clone(b);
    if (m.kind === "medical") {
      m.insurance = { fundPaid: m.total, accountPaid: "0.01", selfPaid: "0.00" };
      return json("insurance split off by one fen", m);
    }
    m.items[0].amount = "0.00";
    m.total = formatFen(BigInt(m.total.replace(".", "")) - BigInt(clone(b).items[0].amount.replace(".", "")));
    return json("zero donation item", m);
  }),
];

/** Bodies that are not a JSON object at all, or not sent as JSON. */
const notJson: fc.Arbitrary<FuzzCase> = fc.oneof(
  fc
    .constantFrom("", "{", "}", "null", "[]", '"bill"', "42", '{"kind":', "{'kind':'medical'}", "\u0000\u0001", '{"kind":"medical"}}')
    .map((body) => ({ label: "non-JSON or non-object", who: "hospital" as Who, body, contentType: "application/json", valid: false })),
  fc.string({ maxLength: 200 }).map((body) => ({ label: "random text as JSON", who: "charity" as Who, body, contentType: "application/json", valid: false })),
  validMedical.map((b) => ({ label: "valid bill as text/plain", who: "hospital" as Who, body: JSON.stringify(b), contentType: "text/plain", valid: false })),
  fc.constant({
    label: "body over the size limit",
    who: "hospital" as Who,
    body: JSON.stringify({ kind: "medical", remarks: "x".repeat(300_000) }),
    contentType: "application/json",
    valid: false,
  }),
);

const valid: fc.Arbitrary<FuzzCase> = fc
  .oneof(validMedical, validDonation)
  .map((b) => ({ label: `valid ${b.kind}`, who: whoOf(b), body: JSON.stringify(b), contentType: "application/json", valid: true }));

const invalid: fc.Arbitrary<FuzzCase> = fc.tuple(fc.oneof(validMedical, validDonation), fc.oneof(...mutations)).map(([b, mutate]) => mutate(b));

/** About 45 % valid bills, 45 % subtly invalid ones, 10 % not JSON at all. */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: invalid, weight: 9 }, { arbitrary: notJson, weight: 2 });
