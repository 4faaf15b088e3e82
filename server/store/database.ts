/**
 * Opens the store: SQLite (better-sqlite3, WAL) under DATA_DIR by default, PostgreSQL when the
 * database URL is postgres://…. Both run the same migrations and the same Kysely queries.
 */
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from "kysely";
import type PgModule from "pg";
import type { Database, Db } from "./schema";
import { migrationProvider, type DialectName } from "./migrations";
import { enableGroupCommit } from "./group-commit";
import { privateSqliteFile } from "./private-file";

export type { Db };

export interface Store {
  db: Db;
  dialect: DialectName;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** postgres://… for PostgreSQL; otherwise SQLite at sqlitePath */
  databaseUrl?: string;
  sqlitePath?: string;
  poolSize?: number;
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements are reusable, so the recent ones are
 * kept (about 10 µs saved per query, eight queries per issued bill). A statement still iterating
 * (a streamed query) is busy: that caller gets a fresh one.
 */
function withStatementCache(sqlite: BetterSqlite3.Database, max = 256) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): BetterSqlite3.Statement {
      const hit = cache.get(sql);
      if (hit && !hit.busy) return hit;
      const stmt = sqlite.prepare(sql);
      if (!hit) {
        if (cache.size >= max) cache.delete(cache.keys().next().value as string);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

function openSqlite(file: string): Kysely<Database> {
  // verification keys and ID numbers live here: this user's alone (its -wal and -shm files follow)
  privateSqliteFile(file);
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma("journal_mode = WAL");
  // FULL: an accepted bill must survive a power cut, not only a process crash.
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("foreign_keys = ON");
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
}

function openPostgres(url: string, max: number): Kysely<Database> {
  // loaded only for PostgreSQL: an SQLite service does without it (about 4 MB)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = require("pg") as typeof PgModule;
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // int8 columns hold epoch milliseconds and fen: both far below 2^53.
    types: {
      getTypeParser: (oid: number, format?: unknown) =>
        oid === 20 ? (v: string) => Number(v) : (pg.types.getTypeParser(oid, format as "text") as (v: string) => unknown),
    },
  });
  // An idle client can lose its server (a restart, an administrator's termination): the pool drops it
  // and opens a new one on demand. Without a listener the event would crash the whole process.
  pool.on("error", (err) => process.emitWarning(`PostgreSQL idle client error: ${err.message}`, "LianpiaoStoreWarning"));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  const dialect: DialectName = isPostgresUrl(opts.databaseUrl) ? "postgres" : "sqlite";
  const db =
    dialect === "postgres"
      ? openPostgres(opts.databaseUrl as string, opts.poolSize ?? 10)
      : openSqlite(opts.sqlitePath ?? path.join("data", "lianpiao.sqlite"));
  // SQLite commits wait for an fsync on the event loop: concurrent issuers share commits (group-commit.ts).
  if (dialect === "sqlite") enableGroupCommit(db);
  const migrator = new Migrator({ db, provider: migrationProvider(dialect) });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw error instanceof Error ? error : new Error("migration failed", { cause: error });
  }
  return { db, dialect, close: () => db.destroy() };
}
