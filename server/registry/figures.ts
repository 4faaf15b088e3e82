/**
 * The one definition of every figure the bureau reads — on its console, in the stats API, in
 * `lianpiao issuer list` and in the bill exports. Originals and red bills (红字) are counted apart;
 * voided and reimbursed bills are originals, counted with their amounts apart:
 *
 *   issued / amount                 original bills (not red), and their total
 *   voided / voidedAmount           originals voided (冲红), and their total
 *   reimbursed / reimbursedAmount   originals marked reimbursed (报销/入账), and their total
 *   pending                         originals not yet anchored
 *   red / redAmount                 red bills, and their (negative) total
 *
 * Amounts are exact sums in fen (store/sums.ts), answered as decimal strings. Each figure is one
 * predicate, written once here as SQL and once as the same rule on a bill (categoryOf, for the exports).
 */
import { sql, type RawBuilder } from "kysely";
import { formatFen } from "../issuance/money";
import { fenOfSum, fenSum } from "../store/sums";

export interface Figures {
  issued: number;
  amount: string;
  voided: number;
  voidedAmount: string;
  reimbursed: number;
  reimbursedAmount: string;
  pending: number;
  red: number;
  redAmount: string;
}

export const FIGURE_NAMES: Record<keyof Figures, [string, string]> = {
  issued: ["开具票据", "Bills issued"],
  amount: ["开具金额", "Amount issued"],
  voided: ["已冲红", "Voided"],
  voidedAmount: ["冲红金额", "Amount voided"],
  reimbursed: ["已报销/入账", "Reimbursed"],
  reimbursedAmount: ["报销/入账金额", "Amount reimbursed"],
  pending: ["待上链", "Pending"],
  red: ["红字票据", "Red bills"],
  redAmount: ["红字金额", "Red amount"],
};

/** The predicates, on the bills table under `t` (an alias: "bills" by default). */
function predicates(t: string) {
  const c = (name: string) => sql.ref(`${t}.${name}`);
  const original = sql`${c("red_of_id")} is null`;
  return {
    original,
    voided: sql`${original} and ${c("status")} = 'voided'`,
    reimbursed: sql`${original} and ${c("reimbursed_by")} is not null`,
    pending: sql`${original} and ${c("status")} = 'pending'`,
    red: sql`${c("red_of_id")} is not null`,
    total: c("total_fen"),
  };
}

const count = (p: RawBuilder<unknown>, alias: string) => sql<string>`sum(case when ${p} then 1 else 0 end)`.as(alias);

/** The selections of every figure, to be used in a grouped (or whole-table) query over the bills. */
export function figureColumns(t = "bills") {
  const p = predicates(t);
  const amountOf = (q: RawBuilder<unknown>) => sql`case when ${q} then ${p.total} else 0 end`;
  return [
    count(p.original, "f_issued"),
    ...fenSum(amountOf(p.original), "f_amount"),
    count(p.voided, "f_voided"),
    ...fenSum(amountOf(p.voided), "f_voided_amount"),
    count(p.reimbursed, "f_reimbursed"),
    ...fenSum(amountOf(p.reimbursed), "f_reimbursed_amount"),
    count(p.pending, "f_pending"),
    count(p.red, "f_red"),
    ...fenSum(amountOf(p.red), "f_red_amount"),
  ] as const;
}

type Limbs = string | number | null | undefined;
const fen = (r: Record<string, unknown>, a: string) => fenOfSum(r[`${a}_hi`] as Limbs, r[`${a}_lo`] as Limbs);

/** Exact figures in fen, as read from figureColumns; summable. */
export interface FigureSums {
  issued: number;
  amount: bigint;
  voided: number;
  voidedAmount: bigint;
  reimbursed: number;
  reimbursedAmount: bigint;
  pending: number;
  red: number;
  redAmount: bigint;
}

export function readFigureSums(r: Record<string, unknown>): FigureSums {
  return {
    issued: Number(r.f_issued ?? 0),
    amount: fen(r, "f_amount"),
    voided: Number(r.f_voided ?? 0),
    voidedAmount: fen(r, "f_voided_amount"),
    reimbursed: Number(r.f_reimbursed ?? 0),
    reimbursedAmount: fen(r, "f_reimbursed_amount"),
    pending: Number(r.f_pending ?? 0),
    red: Number(r.f_red ?? 0),
    redAmount: fen(r, "f_red_amount"),
  };
}

export const NO_SUMS: FigureSums = {
  issued: 0,
  amount: 0n,
  voided: 0,
  voidedAmount: 0n,
  reimbursed: 0,
  reimbursedAmount: 0n,
  pending: 0,
  red: 0,
  redAmount: 0n,
};

export function addSums(a: FigureSums, b: FigureSums): FigureSums {
  return {
    issued: a.issued + b.issued,
    amount: a.amount + b.amount,
    voided: a.voided + b.voided,
    voidedAmount: a.voidedAmount + b.voidedAmount,
    reimbursed: a.reimbursed + b.reimbursed,
    reimbursedAmount: a.reimbursedAmount + b.reimbursedAmount,
    pending: a.pending + b.pending,
    red: a.red + b.red,
    redAmount: a.redAmount + b.redAmount,
  };
}

export function presentFigures(s: FigureSums): Figures {
  return {
    issued: s.issued,
    amount: formatFen(s.amount),
    voided: s.voided,
    voidedAmount: formatFen(s.voidedAmount),
    reimbursed: s.reimbursed,
    reimbursedAmount: formatFen(s.reimbursedAmount),
    pending: s.pending,
    red: s.red,
    redAmount: formatFen(s.redAmount),
  };
}

export function readFigures(r: Record<string, unknown>): Figures {
  return presentFigures(readFigureSums(r));
}

/**
 * The same rules on one bill, for the exports' category column: which figures it counts in —
 * "red", or "original" with "+voided" / "+reimbursed" / "+pending" as they apply.
 */
export function categoryOf(b: { redOf: unknown; status: string; reimbursement: unknown }): string {
  if (b.redOf) return "red";
  const parts = ["original"];
  if (b.status === "voided") parts.push("voided");
  if (b.reimbursement) parts.push("reimbursed");
  if (b.status === "pending") parts.push("pending");
  return parts.join("+");
}
