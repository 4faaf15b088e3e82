/**
 * One sender per account across replicas: a lease row per account in the shared database, taken by
 * a conditional update (atomic in SQLite and PostgreSQL alike) and renewed on every pass.
 */
import type { Db } from "../store/database";
import { isUniqueViolation } from "../issuance/service";

export const LEASE_MS = 10_000;

export async function acquireLease(db: Db, account: string, owner: string, now = Date.now()): Promise<boolean> {
  try {
    await db
      .insertInto("senders")
      .values({ account, next_nonce: null, lease_owner: null, lease_until: null })
      .onConflict((oc) => oc.column("account").doNothing())
      .execute();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  const r = await db
    .updateTable("senders")
    .set({ lease_owner: owner, lease_until: now + LEASE_MS })
    .where("account", "=", account)
    .where((eb) => eb.or([eb("lease_owner", "is", null), eb("lease_owner", "=", owner), eb("lease_until", "<", now)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function releaseLeases(db: Db, owner: string): Promise<void> {
  await db.updateTable("senders").set({ lease_owner: null, lease_until: null }).where("lease_owner", "=", owner).execute();
}
