// A store written under protocol v1 (registry v1, bill format lianpiao-bill/1) is refused at start,
// with a message that says what to do; it is never converted or half-migrated.
import { expect } from "chai";
import path from "node:path";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import BetterSqlite3 from "better-sqlite3";
import { migrationProvider } from "../../server/store/migrations";
import { openStore } from "../../server/store/database";
import { startService, tempDir } from "../helpers/processes";

/** A SQLite store as lianpiao 0.1 left it: its one migration, and the v1 registry it used. */
async function v1Store(file: string): Promise<void> {
  const db = new Kysely<{ settings: { key: string; value: string } }>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) });
  const all = await migrationProvider("sqlite").getMigrations();
  const { error } = await new Migrator({ db, provider: { getMigrations: async () => ({ "001_initial": all["001_initial"] }) } }).migrateToLatest();
  if (error) throw error;
  await db.insertInto("settings").values({ key: "registry_address", value: "0x5FbDB2315678afecb367f032d93F642f64180aa3" }).execute();
  await db.destroy();
}

describe("a store of protocol v1 data", function () {
  this.timeout(120_000);

  it("is refused when opened, naming the v1 registry and what to do, and left as it was", async () => {
    const dir = tempDir();
    const file = path.join(dir, "lianpiao.sqlite");
    await v1Store(file);
    const err = await openStore({ sqlitePath: file }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message)
      .to.match(/protocol v1 data \(registry 0x5FbDB2315678afecb367f032d93F642f64180aa3\)/)
      .and.match(/mv data data-v1/);
    const raw = new BetterSqlite3(file, { readonly: true });
    const names = (raw.prepare("select name from kysely_migration").all() as Array<{ name: string }>).map((r) => r.name);
    raw.close();
    expect(names).to.deep.equal(["001_initial"]);
  });

  it("stops `npm start` with that message and exit code 1", async () => {
    const dir = tempDir();
    await v1Store(path.join(dir, "lianpiao.sqlite"));
    const svc = await startService({}, { dataDir: dir, waitReady: false });
    expect(await svc.exited).to.equal(1);
    expect(svc.output()).to.match(/lianpiao: failed to start: this database holds lianpiao protocol v1 data/);
  });

  it("does not stand in the way of a new, empty store", async () => {
    const dir = tempDir();
    const store = await openStore({ sqlitePath: path.join(dir, "lianpiao.sqlite") });
    await store.close();
  });
});
