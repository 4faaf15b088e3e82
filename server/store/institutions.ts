/**
 * Institutions (issuers, the bureau, relying parties) in the store, and the audit log of every change.
 */
import crypto from "node:crypto";
import type { Db } from "./database";
import type { Institution, Role } from "./schema";

export interface NewInstitution {
  role: Role;
  name: string;
  creditCode?: string | null;
  billKind?: "medical" | "donation" | null;
  account?: string | null;
}

export async function createInstitution(db: Db, n: NewInstitution, now = Date.now()): Promise<Institution> {
  const row: Institution = {
    id: `${n.role === "issuer" ? "iss" : n.role === "bureau" ? "bur" : "rel"}_${crypto.randomBytes(6).toString("hex")}`,
    role: n.role,
    name: n.name,
    credit_code: n.creditCode ?? null,
    bill_kind: n.billKind ?? null,
    account: n.account ?? null,
    status: "active",
    created_at: now,
  };
  await db.insertInto("institutions").values(row).execute();
  return row;
}

export async function findInstitution(db: Db, id: string): Promise<Institution | undefined> {
  return db.selectFrom("institutions").selectAll().where("id", "=", id).executeTakeFirst();
}

export interface AuditEntry {
  actor: string;
  action: string;
  subject: string;
  detail?: Record<string, unknown>;
  ip?: string | null;
}

/** Append-only: nothing in the service updates or deletes audit rows. */
export async function audit(db: Db, e: AuditEntry, now = Date.now()): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({ at: now, actor: e.actor, action: e.action, subject: e.subject, detail: JSON.stringify(e.detail ?? {}), ip: e.ip ?? null })
    .execute();
}
