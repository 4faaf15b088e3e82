/**
 * GET /api/v1/audit (bureau key): the append-only audit log, newest first, filtered and paged.
 */
import { Router } from "express";
import { z } from "zod";
import type { Db } from "../store/database";
import { requireRole } from "../http/auth";
import { parseQuery } from "../http/input";
import { isoTime } from "../format/time";

export const auditQuery = z
  .object({
    actor: z.string().max(64).optional(),
    action: z.string().max(64).optional(),
    subject: z.string().max(64).optional(),
    from: z.string().datetime({ offset: true }).optional(),
    to: z.string().datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    before: z.coerce.number().int().min(1).optional(),
  })
  .strict();

/** The audit log, newest first (the API's and the console's one query). */
export async function auditEntries(db: Db, q: z.output<typeof auditQuery>) {
  let sel = db
    .selectFrom("audit_log")
    .leftJoin("institutions", "institutions.id", "audit_log.actor")
    .select([
      "audit_log.id",
      "audit_log.at",
      "audit_log.actor",
      "institutions.name as actor_name",
      "audit_log.action",
      "audit_log.subject",
      "audit_log.detail",
      "audit_log.ip",
    ])
    .orderBy("audit_log.id", "desc")
    .limit(q.limit + 1);
  if (q.actor) sel = sel.where("audit_log.actor", "=", q.actor);
  if (q.action) sel = sel.where("audit_log.action", "=", q.action);
  if (q.subject) sel = sel.where("audit_log.subject", "=", q.subject);
  if (q.from) sel = sel.where("audit_log.at", ">=", Date.parse(q.from));
  if (q.to) sel = sel.where("audit_log.at", "<=", Date.parse(q.to));
  if (q.before) sel = sel.where("audit_log.id", "<", q.before);
  const rows = await sel.execute();
  const items = rows.slice(0, q.limit).map((e) => ({
    id: Number(e.id),
    at: isoTime(e.at),
    actor: { id: e.actor, name: e.actor_name },
    action: e.action,
    subject: e.subject,
    detail: JSON.parse(e.detail) as Record<string, unknown>,
    ip: e.ip,
  }));
  return { items, nextCursor: rows.length > q.limit ? items[items.length - 1].id : null };
}

export function auditRoutes(db: Db): Router {
  const r = Router();
  r.get("/", requireRole("bureau"), async (req, res) => {
    res.json(await auditEntries(db, parseQuery(auditQuery, req)));
  });
  return r;
}
