// Migration 004 on both databases: a store whose chain_events were read before registry v2 reading
// (party in `account`, no RangeAllotted) gets the `party` column and forgets those events and the scan
// cursor, so the next reconciliation reads the chain again from the start.
import { expect } from "chai";
import path from "node:path";
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from "kysely";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { migrationProvider, type DialectName } from "../../server/store/migrations";
import { openStore } from "../../server/store/database";
import { SCAN_CURSOR, SCAN_FROM } from "../../server/registry/chain-scan";
import { createTestDatabase } from "../helpers/pg";
import { tempDir } from "../helpers/processes";

const DIALECTS: Array<{ name: DialectName; open(): Promise<{ raw: Kysely<any>; url: { sqlitePath?: string; databaseUrl?: string }; drop(): Promise<void> }> }> =
  [
    {
      name: "sqlite",
      open: async () => {
        const file = path.join(tempDir(), "s.sqlite");
        return {
          raw: new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) }),
          url: { sqlitePath: file },
          drop: async () => undefined,
        };
      },
    },
    {
      name: "postgres",
      open: async () => {
        const db = await createTestDatabase();
        return {
          raw: new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: db.url, max: 1 }) }) }),
          url: { databaseUrl: db.url },
          drop: db.drop,
        };
      },
    },
  ];

for (const d of DIALECTS) {
  describe(`migration 004_chain_events_v2 on ${d.name}`, function () {
    this.timeout(60_000);

    it("adds the party column and forgets the events and cursor scanned before it, keeping the scan's first block", async () => {
      const { raw, url, drop } = await d.open();
      try {
        const to003 = await new Migrator({ db: raw, provider: migrationProvider(d.name) }).migrateTo("003_delivered_files");
        expect(to003.error).to.equal(undefined);
        await raw
          .insertInto("chain_events")
          .values({
            id: "5:0",
            block_number: 5,
            log_index: 0,
            tx_hash: "0x01",
            name: "BillReimbursed",
            root: null,
            leaf: "0x02",
            account: "0x0000000000000000000000000000000000000003",
            data: "{}",
          })
          .execute();
        await raw
          .insertInto("settings")
          .values([
            { key: SCAN_CURSOR, value: "5" },
            { key: SCAN_FROM, value: "2" },
          ])
          .execute();
        await raw.destroy();

        const store = await openStore(url);
        try {
          const columns = (await store.db.introspection.getTables()).find((t) => t.name === "chain_events")!.columns.map((c) => c.name);
          expect(columns).to.include("party");
          expect(await store.db.selectFrom("chain_events").selectAll().execute()).to.deep.equal([]);
          expect(await store.db.selectFrom("settings").select(["key", "value"]).orderBy("key").execute()).to.deep.equal([{ key: SCAN_FROM, value: "2" }]);
        } finally {
          await store.close();
        }
      } finally {
        await drop();
      }
    });
  });
}
