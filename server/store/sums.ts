/**
 * Exact sums of money columns (integer fen) on SQLite and PostgreSQL alike.
 *
 * A plain SUM is not exact everywhere: SQLite's sum() fails with "integer overflow" past 2^63 and its
 * driver hands integers beyond 2^53 back as rounded floats; PostgreSQL's sum(bigint) is numeric, which
 * node-postgres returns as a string. So each value is split into two limbs, value / 10^7 and
 * value % 10^7 (both truncate toward zero, so hi·10^7 + lo is the value, signs included), each limb is
 * summed in SQL and read back as text, and the two are joined with bigint arithmetic. A limb of a bill
 * is below 10^7 in size, so neither sum can overflow before 9·10^11 rows: exact at any realistic size.
 */
import { sql, type AliasedRawBuilder, type RawBuilder } from "kysely";

const LIMB = 10_000_000n;

/** The two selections of an exact sum of `value` (an integer SQL expression), named `<alias>_hi` and `<alias>_lo`. */
export function fenSum<A extends string>(
  value: RawBuilder<unknown>,
  alias: A,
): [AliasedRawBuilder<string | null, `${A}_hi`>, AliasedRawBuilder<string | null, `${A}_lo`>] {
  return [
    sql<string | null>`cast(sum((${value}) / ${sql.lit(Number(LIMB))}) as text)`.as(`${alias}_hi`),
    sql<string | null>`cast(sum((${value}) % ${sql.lit(Number(LIMB))}) as text)`.as(`${alias}_lo`),
  ];
}

/** Joins the limbs read back from fenSum (null when no row was summed). */
export function fenOfSum(hi: string | number | null | undefined, lo: string | number | null | undefined): bigint {
  return BigInt(String(hi ?? 0)) * LIMB + BigInt(String(lo ?? 0));
}
