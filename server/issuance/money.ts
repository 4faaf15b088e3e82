/**
 * Money as integer fen (分, 1/100 yuan) held in a bigint.
 *
 * Why bigint and not number: a single amount fits a safe integer, but sums over many items and
 * products with quantities are easier to reason about when overflow is impossible by construction.
 * No function here ever touches a binary float.
 *
 * Amount grammar (what the API accepts): `0` or a digit string without leading zeros, then optionally a
 * dot and one or two digits. No sign, no exponent, no spaces, no thousands separators, no "1." or
 * ".5". Zero is a valid amount here ("0.00" insurance parts); rules like "total > 0" live in the schema.
 *
 * Quantity grammar: the same shape with up to four fraction digits (hospitals bill 0.25 g, 1.5 boxes)
 * and strictly positive. Quantities are held as integer ten-thousandths.
 */
export type Fen = bigint;

/** The largest amount accepted: 999,999,999,999.99 yuan, the capacity of the capital-numeral writer. */
export const MAX_FEN: Fen = 99_999_999_999_999n;

const AMOUNT_RE = /^(0|[1-9]\d{0,11})(?:\.(\d{1,2}))?$/;
const QUANTITY_RE = /^(0|[1-9]\d{0,7})(?:\.(\d{1,4}))?$/;
/** Quantities are scaled by 10^4 (four fraction digits). */
const QTY_SCALE = 10_000n;

export type AmountError = "FORMAT" | "TOO_LARGE";

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: AmountError };

/** Parses "157", "157.5" or "157.00" into fen; never throws. */
export function parseAmount(text: unknown): ParseResult<Fen> {
  if (typeof text !== "string") return { ok: false, error: "FORMAT" };
  // Reject over-long input before the regex: a 13+ digit integer part is a cap violation, not a typo.
  const long = /^[1-9]\d{12,}(?:\.\d{1,2})?$/.test(text);
  if (long) return { ok: false, error: "TOO_LARGE" };
  const m = AMOUNT_RE.exec(text);
  if (!m) return { ok: false, error: "FORMAT" };
  const fen = BigInt(m[1]) * 100n + BigInt((m[2] ?? "").padEnd(2, "0"));
  if (fen > MAX_FEN) return { ok: false, error: "TOO_LARGE" };
  return { ok: true, value: fen };
}

/** Like parseAmount, but throws: for values already validated (e.g. by the schema). */
export function toFen(text: string): Fen {
  const r = parseAmount(text);
  if (!r.ok) throw new RangeError(`not an amount (${r.error}): ${JSON.stringify(text)}`);
  return r.value;
}

/** Formats fen as "157.00"; negative values (red bills) as "-157.00". */
export function formatFen(fen: Fen): string {
  const sign = fen < 0n ? "-" : "";
  const abs = fen < 0n ? -fen : fen;
  const yuan = abs / 100n;
  const cents = abs % 100n;
  return `${sign}${yuan}.${cents.toString().padStart(2, "0")}`;
}

/**
 * The fen of formatFen's output ("-157.00", "1000000000157.00"): sums and figures, which may exceed
 * MAX_FEN and be negative. toFen is for amounts a bill may carry; this is for totals of many bills.
 */
export function fenOfFormatted(text: string): Fen {
  const m = /^(-?)(0|[1-9]\d*)\.(\d{2})$/.exec(text);
  if (!m) throw new RangeError(`not a formatted sum: ${JSON.stringify(text)}`);
  const fen = BigInt(m[2]) * 100n + BigInt(m[3]);
  return m[1] ? -fen : fen;
}

/** Rewrites an amount in its canonical two-digit form ("157.5" → "157.50"). */
export function normalizeAmount(text: string): string {
  return formatFen(toFen(text));
}

export function sumFen(values: Iterable<Fen>): Fen {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}

/** Sums amount strings; throws on a malformed one (validate first). */
export function sumAmounts(texts: Iterable<string>): Fen {
  let total = 0n;
  for (const t of texts) total += toFen(t);
  return total;
}

/** A quantity in ten-thousandths (1.5 → 15000n). */
export type Quantity = bigint;

/** Parses a positive quantity with at most four fraction digits; never throws. */
export function parseQuantity(text: unknown): { ok: true; value: Quantity } | { ok: false } {
  if (typeof text !== "string") return { ok: false };
  const m = QUANTITY_RE.exec(text);
  if (!m) return { ok: false };
  const value = BigInt(m[1]) * QTY_SCALE + BigInt((m[2] ?? "").padEnd(4, "0"));
  return value > 0n ? { ok: true, value } : { ok: false };
}

/**
 * The canonical text of a quantity: trailing fraction zeros dropped ("2.50" → "2.5", "2.0" → "2"),
 * so that the same quantity always hashes the same.
 */
export function formatQuantity(q: Quantity): string {
  const whole = q / QTY_SCALE;
  const frac = (q % QTY_SCALE).toString().padStart(4, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : `${whole}`;
}

export function normalizeQuantity(text: string): string {
  const r = parseQuantity(text);
  if (!r.ok) throw new RangeError(`not a quantity: ${JSON.stringify(text)}`);
  return formatQuantity(r.value);
}

/**
 * quantity × unit price, rounded half-up to the fen (四舍五入), as the line amount must read.
 * Both factors are non-negative, so half-up is (x + half) / scale in integer arithmetic.
 */
export function lineAmount(quantity: Quantity, unitPrice: Fen): Fen {
  return (quantity * unitPrice + QTY_SCALE / 2n) / QTY_SCALE;
}
