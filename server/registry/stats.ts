/**
 * Registry figures per issuer and per day or month (their one definition: figures.ts), and bills
 * issued per day for the console's chart.
 */
import { sql } from "kysely";
import type { Db } from "../store/database";
import { addSums, figureColumns, NO_SUMS, presentFigures, readFigures, readFigureSums, type Figures } from "./figures";

export interface StatsFilter {
  kind?: "medical" | "donation";
  issuerId?: string;
  /** inclusive, YYYY-MM-DD (Asia/Shanghai issue date) */
  from?: string;
  to?: string;
  groupBy: "day" | "month";
}

export interface StatsRow extends Figures {
  issuerId: string;
  issuerName: string;
  kind: string;
  period: string;
}

/** Every figure (figures.ts) per issuer, kind and day or month, and over all rows. */
export async function registryStats(db: Db, f: StatsFilter): Promise<{ rows: StatsRow[]; totals: Figures }> {
  const period = f.groupBy === "month" ? sql<string>`substr(bills.issue_date, 1, 7)` : sql<string>`bills.issue_date`;
  let q = db
    .selectFrom("bills")
    .innerJoin("institutions", "institutions.id", "bills.institution_id")
    .select(["bills.institution_id as issuerId", "institutions.name as issuerName", "bills.kind as kind", period.as("period"), ...figureColumns("bills")])
    .groupBy(["bills.institution_id", "institutions.name", "bills.kind", period])
    .orderBy(period)
    .orderBy("bills.institution_id");
  if (f.kind) q = q.where("bills.kind", "=", f.kind);
  if (f.issuerId) q = q.where("bills.institution_id", "=", f.issuerId);
  if (f.from) q = q.where("bills.issue_date", ">=", f.from);
  if (f.to) q = q.where("bills.issue_date", "<=", f.to);
  let totals = NO_SUMS;
  const rows = (await q.execute()).map((r) => {
    const sums = readFigureSums(r);
    totals = addSums(totals, sums);
    return { issuerId: r.issuerId, issuerName: r.issuerName, kind: r.kind, period: String(r.period), ...presentFigures(sums) };
  });
  return { rows, totals: presentFigures(totals) };
}

/** Bills issued per day (original bills) for the last `days` days up to `today`, zero-filled. */
export async function dailyIssued(db: Db, today: string, days = 30): Promise<Array<{ day: string; count: number }>> {
  const start = new Date(`${today}T00:00:00Z`);
  start.setUTCDate(start.getUTCDate() - (days - 1));
  const from = start.toISOString().slice(0, 10);
  const rows = await db
    .selectFrom("bills")
    .select(["issue_date", sql<string>`count(*)`.as("n")])
    .where("issue_date", ">=", from)
    .where("issue_date", "<=", today)
    .where("red_of_id", "is", null)
    .groupBy("issue_date")
    .execute();
  const byDay = new Map(rows.map((r) => [r.issue_date, Number(r.n)]));
  return Array.from({ length: days }, (_, i) => {
    const d = new Date(start);
    d.setUTCDate(start.getUTCDate() + i);
    const day = d.toISOString().slice(0, 10);
    return { day, count: byDay.get(day) ?? 0 };
  });
}

/** Every figure over the whole registry (the console's overview). */
export async function totalFigures(db: Db): Promise<Figures> {
  const r = await db
    .selectFrom("bills")
    .select([...figureColumns("bills")])
    .executeTakeFirst();
  return readFigures(r ?? {});
}
