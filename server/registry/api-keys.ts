/**
 * API keys: random, shown once, stored only as a SHA-256 hash. A key names its institution's role in
 * its prefix so that a leaked key is recognisable in a secret scanner.
 */
import crypto from "node:crypto";
import type { Db } from "../store/database";
import type { Institution, Role } from "../store/schema";
import type { KeyLookup, Principal } from "../http/auth";

const PREFIX: Record<Role, string> = { issuer: "lp_iss_", bureau: "lp_bur_", relying_party: "lp_rel_" };

export function hashApiKey(key: string): string {
  return crypto.createHash("sha256").update(key, "utf8").digest("hex");
}

export async function createApiKey(
  db: Db,
  institution: Pick<Institution, "id" | "role">,
  label = "default",
  now = Date.now(),
): Promise<{ id: string; key: string }> {
  const key = PREFIX[institution.role] + crypto.randomBytes(24).toString("base64url");
  const id = crypto.randomUUID();
  await db
    .insertInto("api_keys")
    .values({ id, institution_id: institution.id, key_hash: hashApiKey(key), label, created_at: now, revoked_at: null })
    .execute();
  return { id, key };
}

export async function revokeApiKey(db: Db, keyId: string, now = Date.now()): Promise<boolean> {
  const r = await db.updateTable("api_keys").set({ revoked_at: now }).where("id", "=", keyId).where("revoked_at", "is", null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Looks a key up; cached briefly so that issuing at volume does not query twice per request. */
export class KeyResolver implements KeyLookup {
  private cache = new Map<string, { at: number; principal: Principal | null }>();
  constructor(
    private readonly db: Db,
    private readonly ttlMs = 2000,
  ) {}

  async resolve(key: string): Promise<Principal | null> {
    const hash = hashApiKey(key);
    const hit = this.cache.get(hash);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.principal;
    const row = await this.db
      .selectFrom("api_keys")
      .innerJoin("institutions", "institutions.id", "api_keys.institution_id")
      .selectAll("institutions")
      .select(["api_keys.id as key_id", "api_keys.revoked_at"])
      .where("api_keys.key_hash", "=", hash)
      .executeTakeFirst();
    let principal: Principal | null = null;
    if (row && row.revoked_at === null) {
      const { key_id, revoked_at: _r, ...institution } = row;
      principal = { keyId: key_id, institution };
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { at: Date.now(), principal });
    return principal;
  }

  /** Forget cached answers (after a revocation or suspension in this process). */
  invalidate(): void {
    this.cache.clear();
  }
}
