/**
 * 009: bureau console sessions in the database, so that a sign-in holds across replicas sharing one
 * PostgreSQL and survives a restart. Only a hash of the session token is kept.
 */
import type { Migration } from "kysely";

export const migration009: Migration = {
  async up(db) {
    await db.schema
      .createTable("bureau_sessions")
      .addColumn("token_hash", "text", (c) => c.primaryKey())
      .addColumn("key_id", "text", (c) => c.notNull())
      .addColumn("institution_id", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("expires_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("bureau_sessions_expires_at").on("bureau_sessions").column("expires_at").execute();
  },
  async down(db) {
    await db.schema.dropTable("bureau_sessions").ifExists().execute();
  },
};
