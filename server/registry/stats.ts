/**
 * Registry figures per issuer and per day or month: bills issued, their total, voided, reimbursed,
 * pending anchors, red bills. Amounts are summed as integer fen and answered as decimal strings.
 */
import { sql } from "kysely";
import type { Db } from "../store/database";
import { formatFen } from "../issuance/money";
import { fenOfSum, fenSum } from "../store/sums";

export interface StatsFilter {
  kind?: "medical" | "donation";
  issuerId?: string;
  /** inclusive, YYYY-MM-DD (Asia/Shanghai issue date) */
  from?: string;
  to?: string;
  groupBy: "day" | "month";
}

export interface StatsRow {
  issuerId: string;
  issuerName: string;
  kind: string;
  period: string;
  /** original bills (red bills are counted apart) */
  issued: number;
  amount: string;
  voided: number;
  reimbursed: number;
  pending: number;
  red: number;
}

type Totals = Omit<StatsRow, "issuerId" | "issuerName" | "kind" | "period">;

export async function registryStats(db: Db, f: StatsFilter): Promise<{ rows: StatsRow[]; totals: Totals }> {
  const period = f.groupBy === "month" ? sql<string>`substr(bills.issue_date, 1, 7)` : sql<string>`bills.issue_date`;
  let q = db
    .selectFrom("bills")
    .innerJoin("institutions", "institutions.id", "bills.institution_id")
    .select([
      "bills.institution_id as issuerId",
      "institutions.name as issuerName",
      "bills.kind as kind",
      period.as("period"),
      sql<string>`sum(case when bills.red_of_id is null then 1 else 0 end)`.as("issued"),
      ...fenSum(sql`case when bills.red_of_id is null then bills.total_fen else 0 end`, "amount"),
      sql<string>`sum(case when bills.status = 'voided' then 1 else 0 end)`.as("voided"),
      sql<string>`sum(case when bills.reimbursed_by is not null then 1 else 0 end)`.as("reimbursed"),
      sql<string>`sum(case when bills.status = 'pending' then 1 else 0 end)`.as("pending"),
      sql<string>`sum(case when bills.red_of_id is not null then 1 else 0 end)`.as("red"),
    ])
    .groupBy(["bills.institution_id", "institutions.name", "bills.kind", period])
    .orderBy(period)
    .orderBy("bills.institution_id");
  if (f.kind) q = q.where("bills.kind", "=", f.kind);
  if (f.issuerId) q = q.where("bills.institution_id", "=", f.issuerId);
  if (f.from) q = q.where("bills.issue_date", ">=", f.from);
  if (f.to) q = q.where("bills.issue_date", "<=", f.to);
  let fen = 0n;
  const rows = (await q.execute()).map((r) => {
    const amount = fenOfSum(r.amount_hi, r.amount_lo);
    fen += amount;
    return {
      issuerId: r.issuerId,
      issuerName: r.issuerName,
      kind: r.kind,
      period: String(r.period),
      issued: Number(r.issued),
      amount: formatFen(amount),
      voided: Number(r.voided),
      reimbursed: Number(r.reimbursed),
      pending: Number(r.pending),
      red: Number(r.red),
    };
  });
  const totals: Totals = { issued: 0, amount: "0.00", voided: 0, reimbursed: 0, pending: 0, red: 0 };
  for (const r of rows) {
    totals.issued += r.issued;
    totals.voided += r.voided;
    totals.reimbursed += r.reimbursed;
    totals.pending += r.pending;
    totals.red += r.red;
  }
  totals.amount = formatFen(fen);
  return { rows, totals };
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
