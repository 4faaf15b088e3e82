/**
 * The one set of migrations, for SQLite and PostgreSQL alike. Only auto-increment ids differ, so the
 * provider is built for a dialect.
 */
import { Kysely, Migration, MigrationProvider } from "kysely";
import { migration008 } from "./migration-008-claims";
import { migration009 } from "./migration-009-bureau-sessions";

export type DialectName = "sqlite" | "postgres";

function migration001(dialect: DialectName): Migration {
  const serial = (t: "outbox" | "audit_log") => (b: Kysely<unknown>) =>
    dialect === "postgres"
      ? b.schema.createTable(t).addColumn("id", "bigserial", (c) => c.primaryKey())
      : b.schema.createTable(t).addColumn("id", "integer", (c) => c.primaryKey().autoIncrement());
  return {
    async up(db) {
      await db.schema
        .createTable("institutions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("credit_code", "text", (c) => c.unique())
        .addColumn("bill_kind", "text")
        .addColumn("account", "text", (c) => c.unique())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("api_keys")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("institution_id", "text", (c) => c.notNull().references("institutions.id"))
        .addColumn("key_hash", "text", (c) => c.notNull().unique())
        .addColumn("label", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("revoked_at", "bigint")
        .execute();
      await db.schema
        .createTable("signer_keys")
        .addColumn("account", "text", (c) => c.primaryKey())
        .addColumn("keystore", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("bill_ranges")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("institution_id", "text", (c) => c.notNull().references("institutions.id"))
        .addColumn("bill_code", "text", (c) => c.notNull())
        .addColumn("start_number", "bigint", (c) => c.notNull())
        .addColumn("end_number", "bigint", (c) => c.notNull())
        .addColumn("next_number", "bigint", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("bill_ranges_code_start", ["bill_code", "start_number"])
        .execute();
      await db.schema
        .createTable("bills")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("institution_id", "text", (c) => c.notNull().references("institutions.id"))
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("bill_code", "text", (c) => c.notNull())
        .addColumn("bill_number", "text", (c) => c.notNull())
        .addColumn("check_code", "text", (c) => c.notNull())
        .addColumn("issued_at", "bigint", (c) => c.notNull())
        .addColumn("issue_date", "text", (c) => c.notNull())
        .addColumn("total_fen", "bigint", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("envelope", "text", (c) => c.notNull())
        .addColumn("bill_hash", "text", (c) => c.notNull().unique())
        .addColumn("leaf", "text", (c) => c.notNull().unique())
        .addColumn("verify_key", "text", (c) => c.notNull())
        .addColumn("idempotency_key", "text")
        .addColumn("request_hash", "text")
        .addColumn("batch_id", "text")
        .addColumn("proof", "text")
        .addColumn("void_reason", "text")
        .addColumn("voided_at", "bigint")
        .addColumn("red_of_id", "text")
        .addColumn("reimbursed_by", "text")
        .addColumn("reimbursed_at", "bigint")
        .addColumn("reimbursement_ref", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("bills_code_number", ["bill_code", "bill_number"])
        .addUniqueConstraint("bills_idempotency", ["institution_id", "idempotency_key"])
        .execute();
      await db.schema.createIndex("bills_institution_created").on("bills").columns(["institution_id", "created_at"]).execute();
      await db.schema.createIndex("bills_status").on("bills").columns(["status", "issue_date"]).execute();
      await serial("outbox")(db)
        .addColumn("bill_id", "text", (c) => c.notNull().references("bills.id"))
        .addColumn("account", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("batch_id", "text")
        .addColumn("done_at", "bigint")
        .addColumn("error", "text")
        .execute();
      await db.schema.createIndex("outbox_open").on("outbox").columns(["account", "done_at", "batch_id", "id"]).execute();
      await db.schema
        .createTable("batches")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("account", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("root", "text", (c) => c.notNull())
        .addColumn("bill_count", "integer", (c) => c.notNull())
        .addColumn("call_data", "text", (c) => c.notNull())
        .addColumn("gas_limit", "integer", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("nonce", "bigint")
        .addColumn("raw_txs", "text", (c) => c.notNull())
        .addColumn("tx_hash", "text")
        .addColumn("max_fee", "text")
        .addColumn("priority_fee", "text")
        .addColumn("attempts", "integer", (c) => c.notNull())
        .addColumn("block_number", "bigint")
        .addColumn("block_hash", "text")
        .addColumn("error", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("sent_at", "bigint")
        .addColumn("confirmed_at", "bigint")
        .execute();
      await db.schema.createIndex("batches_account_state").on("batches").columns(["account", "state"]).execute();
      await db.schema
        .createTable("senders")
        .addColumn("account", "text", (c) => c.primaryKey())
        .addColumn("next_nonce", "bigint")
        .addColumn("lease_owner", "text")
        .addColumn("lease_until", "bigint")
        .execute();
      await serial("audit_log")(db)
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("subject", "text", (c) => c.notNull())
        .addColumn("detail", "text", (c) => c.notNull())
        .addColumn("ip", "text")
        .execute();
      await db.schema.createIndex("audit_log_at").on("audit_log").column("at").execute();
      await db.schema.createIndex("audit_log_actor").on("audit_log").columns(["actor", "at"]).execute();
      await db.schema.createIndex("audit_log_subject").on("audit_log").columns(["subject", "at"]).execute();
      await db.schema.createIndex("bills_issue_date").on("bills").columns(["issue_date", "institution_id"]).execute();
      await db.schema.createIndex("bills_red_of").on("bills").column("red_of_id").execute();
      // The registry's events as read by reconciliation: a copy of the chain, rebuilt by a rescan.
      await db.schema
        .createTable("chain_events")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("block_number", "bigint", (c) => c.notNull())
        .addColumn("log_index", "integer", (c) => c.notNull())
        .addColumn("tx_hash", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("root", "text")
        .addColumn("leaf", "text")
        .addColumn("account", "text")
        .addColumn("data", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("chain_events_name").on("chain_events").columns(["name", "block_number", "log_index"]).execute();
      await db.schema
        .createTable("settings")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .execute();
    },
    async down(db) {
      for (const t of [
        "chain_events",
        "settings",
        "audit_log",
        "senders",
        "batches",
        "outbox",
        "bills",
        "bill_ranges",
        "signer_keys",
        "api_keys",
        "institutions",
      ]) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}

/** Data written under protocol v1 (registry v1, bill format lianpiao-bill/1): refused, never converted. */
export class ProtocolV1DataError extends Error {
  readonly code = "STORE_PROTOCOL_V1";
}

/**
 * Protocol v2 (docs/PROTOCOL.md): a new registry and a new bill format. A store that already holds
 * v1 data (a registry address or bills) is refused with what to do; a new store gets the v2 columns.
 */
const migration002: Migration = {
  async up(db) {
    const k = db as Kysely<{ settings: { key: string; value: string }; bills: { id: string } }>;
    const registry = await k.selectFrom("settings").select("value").where("key", "=", "registry_address").executeTakeFirst();
    const bill = await k.selectFrom("bills").select("id").limit(1).executeTakeFirst();
    if (registry || bill) {
      throw new ProtocolV1DataError(
        `this database holds lianpiao protocol v1 data${registry ? ` (registry ${registry.value})` : ""}. ` +
          "Protocol v2 uses a new registry contract and bill format, and v1 data is not converted: " +
          "start with an empty DATA_DIR (move the old one aside, e.g. `mv data data-v1`) or an empty DATABASE_URL database. " +
          "Bills issued under v1 stay verifiable with lianpiao 0.1 against the v1 registry.",
      );
    }
    // the registry transaction that allotted the range (docs/PROTOCOL.md §7: ranges live on chain)
    await db.schema.alterTable("bill_ranges").addColumn("tx_hash", "text").execute();
  },
  async down(db) {
    await db.schema.alterTable("bill_ranges").dropColumn("tx_hash").execute();
  },
};

/** Every PDF the service delivers, by its SHA-256: an upload of exactly that file needs no re-render. */
const migration003: Migration = {
  async up(db) {
    await db.schema
      .createTable("delivered_files")
      .addColumn("bill_id", "text", (c) => c.notNull().references("bills.id"))
      .addColumn("sha256", "text", (c) => c.notNull())
      .addColumn("bytes", "integer", (c) => c.notNull())
      .addColumn("renderer", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addUniqueConstraint("delivered_files_bill_sha256", ["bill_id", "sha256"])
      .execute();
    await db.schema.createIndex("delivered_files_sha256").on("delivered_files").column("sha256").execute();
  },
  async down(db) {
    await db.schema.dropTable("delivered_files").ifExists().execute();
  },
};

/**
 * Registry v2 events in chain_events: every fact is keyed by its issuer account, so the issuer stays in
 * `account` and a relying party (BillReimbursed, ReimbursementReleased) gets its own column. Events
 * scanned before this migration kept the party in `account` and skipped RangeAllotted: they are
 * forgotten with the scan cursor, and the next reconciliation reads the chain again from the start.
 */
const migration004: Migration = {
  async up(db) {
    await db.schema.alterTable("chain_events").addColumn("party", "text").execute();
    await db.schema.createIndex("chain_events_account").on("chain_events").columns(["account", "name"]).execute();
    const k = db as Kysely<{ chain_events: { id: string }; settings: { key: string } }>;
    await k.deleteFrom("chain_events").execute();
    await k.deleteFrom("settings").where("key", "=", "reconcile_scanned_block").execute();
  },
  async down(db) {
    await db.schema.dropIndex("chain_events_account").execute();
    await db.schema.alterTable("chain_events").dropColumn("party").execute();
  },
};

/**
 * Rate-limit windows shared by the replicas on one PostgreSQL (server/http/rate-limit.ts); SQLite has
 * the table too, unused (one process counts in memory), so both stores keep one schema.
 */
const migration005: Migration = {
  async up(db) {
    await db.schema
      .createTable("rate_limits")
      .addColumn("bucket", "text", (c) => c.primaryKey())
      .addColumn("reset_at", "bigint", (c) => c.notNull())
      .addColumn("hits", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("rate_limits_reset_at").on("rate_limits").column("reset_at").execute();
  },
  async down(db) {
    await db.schema.dropTable("rate_limits").ifExists().execute();
  },
};

/**
 * Lookups by what an issuer knows (业务流水号, visit number, the payer's or donor's name), as columns of
 * the bill filled from its envelope, with the indexes an issuer's search uses.
 */
const migration006: Migration = {
  async up(db) {
    for (const c of ["business_serial", "visit_number", "holder_name"]) await db.schema.alterTable("bills").addColumn(c, "text").execute();
    const k = db as Kysely<{
      bills: { id: string; envelope: string; business_serial: string | null; visit_number: string | null; holder_name: string | null };
    }>;
    let after = "";
    for (;;) {
      const rows = await k.selectFrom("bills").select(["id", "envelope"]).where("id", ">", after).orderBy("id").limit(500).execute();
      if (rows.length === 0) break;
      for (const r of rows) {
        const b = (
          JSON.parse(r.envelope) as {
            bill: { kind: string; businessSerial?: string; visitNumber?: string; payer?: { name?: string }; donor?: { name?: string } };
          }
        ).bill;
        await k
          .updateTable("bills")
          .set({
            business_serial: b.businessSerial ?? null,
            visit_number: b.visitNumber ?? null,
            holder_name: (b.kind === "medical" ? b.payer?.name : b.donor?.name) ?? null,
          })
          .where("id", "=", r.id)
          .execute();
      }
      after = rows[rows.length - 1].id;
    }
    await db.schema.createIndex("bills_business_serial").on("bills").columns(["institution_id", "business_serial"]).execute();
    await db.schema.createIndex("bills_visit_number").on("bills").columns(["institution_id", "visit_number"]).execute();
    await db.schema.createIndex("bills_holder_name").on("bills").columns(["institution_id", "holder_name"]).execute();
    await db.schema.createIndex("bills_number").on("bills").columns(["bill_number", "bill_code"]).execute();
    await db.schema.createIndex("bills_institution_issue_date").on("bills").columns(["institution_id", "issue_date"]).execute();
  },
  async down(db) {
    for (const i of ["bills_business_serial", "bills_visit_number", "bills_holder_name", "bills_number", "bills_institution_issue_date"])
      await db.schema.dropIndex(i).execute();
    for (const c of ["business_serial", "visit_number", "holder_name"]) await db.schema.alterTable("bills").dropColumn(c).execute();
  },
};

/** Webhooks: subscriptions, events, the delivery outbox and its log (server/webhooks). */
function migration007(dialect: DialectName): Migration {
  return {
    async up(db) {
      await db.schema
        .createTable("webhook_subscriptions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("institution_id", "text", (c) => c.notNull().references("institutions.id"))
        .addColumn("url", "text", (c) => c.notNull())
        .addColumn("events", "text", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull())
        .addColumn("secret_enc", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("deleted_at", "bigint")
        .execute();
      await db.schema.createIndex("webhook_subscriptions_institution").on("webhook_subscriptions").columns(["institution_id", "deleted_at"]).execute();
      await db.schema
        .createTable("webhook_events")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("institution_id", "text", (c) => c.notNull().references("institutions.id"))
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("bill_id", "text", (c) => c.notNull().references("bills.id"))
        .addColumn("payload", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("webhook_deliveries")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("event_id", "text", (c) => c.notNull().references("webhook_events.id"))
        .addColumn("subscription_id", "text", (c) => c.notNull().references("webhook_subscriptions.id"))
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull())
        .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
        .addColumn("lease_owner", "text")
        .addColumn("lease_until", "bigint")
        .addColumn("last_status", "integer")
        .addColumn("last_error", "text")
        .addColumn("delivered_at", "bigint")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("webhook_deliveries_event_subscription", ["event_id", "subscription_id"])
        .execute();
      await db.schema.createIndex("webhook_deliveries_due").on("webhook_deliveries").columns(["state", "next_attempt_at"]).execute();
      await db.schema.createIndex("webhook_deliveries_subscription").on("webhook_deliveries").columns(["subscription_id", "created_at"]).execute();
      const attempts =
        dialect === "postgres"
          ? db.schema.createTable("webhook_attempts").addColumn("id", "bigserial", (c) => c.primaryKey())
          : db.schema.createTable("webhook_attempts").addColumn("id", "integer", (c) => c.primaryKey().autoIncrement());
      await attempts
        .addColumn("delivery_id", "text", (c) => c.notNull().references("webhook_deliveries.id"))
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("status", "integer")
        .addColumn("error", "text")
        .addColumn("duration_ms", "integer", (c) => c.notNull())
        .addColumn("trigger", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("webhook_attempts_delivery").on("webhook_attempts").columns(["delivery_id", "id"]).execute();
    },
    async down(db) {
      for (const t of ["webhook_attempts", "webhook_deliveries", "webhook_events", "webhook_subscriptions"]) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}

export function migrationProvider(dialect: DialectName): MigrationProvider {
  return {
    getMigrations: async () => ({
      "001_initial": migration001(dialect),
      "002_protocol_v2": migration002,
      "003_delivered_files": migration003,
      "004_chain_events_v2": migration004,
      "005_rate_limits": migration005,
      "006_bill_lookups": migration006,
      "007_webhooks": migration007(dialect),
      "008_claims": migration008,
      "009_bureau_sessions": migration009,
    }),
  };
}
