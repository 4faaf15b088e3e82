import Database from "better-sqlite3";
import { EmbeddedChainError } from "./errors";
import { privateSqliteFile } from "../store/private-file";

/** One state-changing request, recorded before it reached the EVM. */
export interface JournalEntry {
  seq: number;
  /** The signed transaction, 0x-prefixed hex. */
  raw: string;
  /** The block timestamp set for it (seconds). */
  timestamp: number;
  /** Hash of the latest block just before it was sent: replay checks it to detect divergence. */
  headBefore: string;
}

/**
 * The embedded chain's durable history, in its own SQLite file so that it never shares locks or
 * backups with the service's database. `synchronous=FULL` makes every append reach the disk before
 * the transaction is handed to the EVM; `locking_mode=EXCLUSIVE` lets one process own the chain.
 */
export class ChainJournal {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly page: Database.Statement;

  private constructor(db: Database.Database) {
    this.db = db;
    this.insert = db.prepare("INSERT INTO journal (raw, timestamp, head_before) VALUES (?, ?, ?)");
    this.page = db.prepare("SELECT seq, raw, timestamp, head_before FROM journal WHERE seq > ? ORDER BY seq LIMIT ?");
  }

  static open(file: string): ChainJournal {
    // timeout 0: a second process must fail at once, not wait for a lock it will never get.
    privateSqliteFile(file);
    const db = new Database(file, { timeout: 0 });
    try {
      db.pragma("locking_mode = EXCLUSIVE");
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      db.exec(`
        CREATE TABLE IF NOT EXISTS journal (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          raw BLOB NOT NULL,
          timestamp INTEGER NOT NULL,
          head_before TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      `);
      // The exclusive lock is taken by the first write; take it now rather than on the first send.
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('opened_at', ?)").run(new Date().toISOString());
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code === "SQLITE_BUSY") {
        throw new EmbeddedChainError(
          "CHAIN_JOURNAL_LOCKED",
          `the embedded chain journal ${file} is in use by another process; stop it or use another DATA_DIR`,
          { file },
        );
      }
      throw err;
    }
    return new ChainJournal(db);
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").run(key, value);
  }

  /** Appends durably (the commit is fsynced) and returns the entry's sequence number. */
  append(raw: string, timestamp: number, headBefore: string): number {
    const info = this.insert.run(Buffer.from(raw.slice(2), "hex"), timestamp, headBefore);
    return Number(info.lastInsertRowid);
  }

  last(): JournalEntry | undefined {
    const row = this.db.prepare("SELECT seq, raw, timestamp, head_before FROM journal ORDER BY seq DESC LIMIT 1").get();
    return row === undefined ? undefined : toEntry(row as Row);
  }

  /** Entries in order, read in pages: an open better-sqlite3 iterator would block other statements. */
  *entries(pageSize = 1000): Generator<JournalEntry> {
    let after = 0;
    for (;;) {
      const rows = this.page.all(after, pageSize) as Row[];
      for (const row of rows) yield toEntry(row);
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1].seq;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

interface Row {
  seq: number;
  raw: Buffer;
  timestamp: number;
  head_before: string;
}

function toEntry(row: Row): JournalEntry {
  return { seq: row.seq, raw: `0x${row.raw.toString("hex")}`, timestamp: row.timestamp, headBefore: row.head_before };
}
