/**
 * The store as the verifier sees it: a bill's void and reimbursement state, whether an account is an
 * admitted issuer, and names for chain accounts. Queries throw when the database is unreachable;
 * the verifier turns that into ERROR.
 */
import type { Db } from "../store/database";
import type { BillRow } from "../store/schema";
import type { StoreState, StoreView } from "./types";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function findByNumber(db: Db, billCode: string, billNumber: string): Promise<BillRow | undefined> {
  return db.selectFrom("bills").selectAll().where("bill_code", "=", billCode).where("bill_number", "=", billNumber).executeTakeFirst();
}

export function storeView(db: Db): StoreView {
  const nameOfInstitution = async (id: string) =>
    (await db.selectFrom("institutions").select("name").where("id", "=", id).executeTakeFirst())?.name ?? null;
  return {
    async billState({ billCode, billNumber, leaf }): Promise<StoreState | null> {
      const row = await findByNumber(db, billCode, billNumber);
      // a stored bill with this number but another leaf is not the presented bill
      if (!row || row.leaf.toLowerCase() !== leaf.toLowerCase()) return null;
      const voided = row.status === "voided" ? { reason: row.void_reason ?? "", at: iso(row.voided_at) } : null;
      const reimbursed = row.reimbursed_by
        ? { by: (await nameOfInstitution(row.reimbursed_by)) ?? row.reimbursed_by, at: iso(row.reimbursed_at) ?? "" }
        : null;
      return { voided, reimbursed };
    },
    async isAdmittedIssuer(account, kind, creditCode) {
      const inst = await db
        .selectFrom("institutions")
        .select(["status", "bill_kind", "credit_code"])
        .where("account", "=", account)
        .where("role", "=", "issuer")
        .executeTakeFirst();
      return !!inst && inst.status === "active" && inst.bill_kind === kind && inst.credit_code === creditCode;
    },
    async nameOf(account) {
      return (await db.selectFrom("institutions").select("name").where("account", "=", account).executeTakeFirst())?.name ?? null;
    },
  };
}
