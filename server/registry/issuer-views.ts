/**
 * What the bureau sees of its issuers: state, ranges (with what is used and left), bill counts, keys.
 */
import { sql } from "kysely";
import type { Db } from "../store/database";
import type { Institution } from "../store/schema";
import { figureColumns, NO_SUMS, presentFigures, readFigures, type Figures } from "./figures";
import { isoTime } from "../format/time";

/** An issuer's figures (figures.ts), with `total` (every bill, red bills included) and `anchored` (bills anchored, not voided). */
export interface BillCounts extends Figures {
  total: number;
  anchored: number;
}

const EMPTY: BillCounts = { ...presentFigures(NO_SUMS), total: 0, anchored: 0 };

/** Bill figures per institution id, in one grouped query. */
export async function billCounts(db: Db, institutionIds?: string[]): Promise<Map<string, BillCounts>> {
  let q = db
    .selectFrom("bills")
    .select([
      "institution_id",
      sql<string>`count(*)`.as("total"),
      sql<string>`sum(case when status = 'anchored' then 1 else 0 end)`.as("anchored"),
      ...figureColumns("bills"),
    ])
    .groupBy("institution_id");
  if (institutionIds) q = q.where("institution_id", "in", institutionIds.length ? institutionIds : ["-"]);
  const out = new Map<string, BillCounts>();
  for (const r of await q.execute()) out.set(r.institution_id, { ...readFigures(r), total: Number(r.total), anchored: Number(r.anchored) });
  return out;
}

export async function rangesOf(db: Db, institutionIds: string[]) {
  if (institutionIds.length === 0) return new Map<string, ReturnType<typeof presentRange>[]>();
  const rows = await db.selectFrom("bill_ranges").selectAll().where("institution_id", "in", institutionIds).orderBy("created_at").execute();
  const out = new Map<string, ReturnType<typeof presentRange>[]>();
  for (const r of rows) out.set(r.institution_id, [...(out.get(r.institution_id) ?? []), presentRange(r)]);
  return out;
}

function presentRange(r: { id: string; bill_code: string; start_number: number; end_number: number; next_number: number; created_at: number }) {
  return {
    id: r.id,
    billCode: r.bill_code,
    start: Number(r.start_number),
    end: Number(r.end_number),
    next: Number(r.next_number),
    used: Number(r.next_number) - Number(r.start_number),
    remaining: Number(r.end_number) - Number(r.next_number) + 1,
    allottedAt: isoTime(r.created_at),
  };
}

export function presentIssuer(i: Institution, ranges: ReturnType<typeof presentRange>[], counts: BillCounts | undefined) {
  return {
    id: i.id,
    name: i.name,
    creditCode: i.credit_code,
    kind: i.bill_kind,
    account: i.account,
    status: i.status,
    admittedAt: isoTime(i.created_at),
    ranges,
    bills: counts ?? EMPTY,
  };
}

export async function listIssuers(db: Db, filter: { kind?: "medical" | "donation"; status?: "active" | "suspended" } = {}) {
  let q = db.selectFrom("institutions").selectAll().where("role", "=", "issuer").orderBy("created_at").orderBy("id");
  if (filter.kind) q = q.where("bill_kind", "=", filter.kind);
  if (filter.status) q = q.where("status", "=", filter.status);
  const rows = await q.execute();
  const ids = rows.map((r) => r.id);
  const [ranges, counts] = await Promise.all([rangesOf(db, ids), billCounts(db, ids)]);
  return rows.map((r) => presentIssuer(r, ranges.get(r.id) ?? [], counts.get(r.id)));
}

export async function issuerDetail(db: Db, inst: Institution) {
  const [ranges, counts, keys] = await Promise.all([
    rangesOf(db, [inst.id]),
    billCounts(db, [inst.id]),
    db.selectFrom("api_keys").select(["id", "label", "created_at", "revoked_at"]).where("institution_id", "=", inst.id).orderBy("created_at").execute(),
  ]);
  return {
    ...presentIssuer(inst, ranges.get(inst.id) ?? [], counts.get(inst.id)),
    keys: keys.map((k) => ({ id: k.id, label: k.label, createdAt: isoTime(k.created_at), revokedAt: k.revoked_at ? isoTime(k.revoked_at) : null })),
  };
}
