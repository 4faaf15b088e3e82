/**
 * Bureau console sessions, in the database (bureau_sessions): a sign-in holds on every replica that
 * shares the database and across restarts. The browser holds the token; the database only its
 * SHA-256. The session's CSRF token is derived from the token (HMAC), so it is stored nowhere and a
 * copy of the database yields neither. A session ends at expiry, at sign-out, and at once when its
 * key is revoked.
 */
import crypto from "node:crypto";
import type { Db } from "../store/database";

export const SESSION_MS = 8 * 3_600_000;

export interface Session {
  tokenHash: string;
  keyId: string;
  institutionId: string;
  expires: number;
  /** the synchronizer token of the session's forms */
  csrf: string;
}

const hashOf = (token: string) => crypto.createHash("sha256").update(token, "utf8").digest("hex");
const csrfOf = (token: string) => crypto.createHmac("sha256", token).update("lianpiao bureau csrf").digest("base64url");
export const newToken = () => crypto.randomBytes(32).toString("base64url");

export class BureauSessions {
  private lastSweep = 0;
  constructor(private readonly db: Db) {}

  async create(keyId: string, institutionId: string): Promise<string> {
    const token = newToken();
    const now = Date.now();
    await this.db
      .insertInto("bureau_sessions")
      .values({ token_hash: hashOf(token), key_id: keyId, institution_id: institutionId, created_at: now, expires_at: now + SESSION_MS })
      .execute();
    await this.sweep(now);
    return token;
  }

  /** The live session of `token`, or undefined (unknown, expired, or its key revoked). */
  async get(token: string | undefined): Promise<Session | undefined> {
    if (!token) return undefined;
    const row = await this.db
      .selectFrom("bureau_sessions")
      .innerJoin("api_keys", "api_keys.id", "bureau_sessions.key_id")
      .select(["bureau_sessions.token_hash", "bureau_sessions.key_id", "bureau_sessions.institution_id", "bureau_sessions.expires_at", "api_keys.revoked_at"])
      .where("bureau_sessions.token_hash", "=", hashOf(token))
      .executeTakeFirst();
    if (!row) return undefined;
    if (Number(row.expires_at) < Date.now() || row.revoked_at !== null) {
      await this.end(token);
      return undefined;
    }
    return { tokenHash: row.token_hash, keyId: row.key_id, institutionId: row.institution_id, expires: Number(row.expires_at), csrf: csrfOf(token) };
  }

  async end(token: string): Promise<void> {
    await this.db.deleteFrom("bureau_sessions").where("token_hash", "=", hashOf(token)).execute();
  }

  /** Expired sessions go, at most once a minute. */
  private async sweep(now: number): Promise<void> {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    await this.db.deleteFrom("bureau_sessions").where("expires_at", "<", now).execute();
  }
}
