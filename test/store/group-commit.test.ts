// Group commit: concurrent writers on SQLite share one COMMIT, each keeps the guarantees of its own transaction.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { sql } from "kysely";
import { openStore, type Store } from "../../server/store/database";
import { groupCommitStats, inGroupCommit } from "../../server/store/group-commit";

describe("group commit on SQLite", () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lianpiao-gc-"));
    store = await openStore({ sqlitePath: path.join(dir, "db.sqlite") });
    await sql`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)`.execute(store.db);
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const insert = (v: string) =>
    inGroupCommit(store.db, async (trx) => {
      await sql`INSERT INTO t (v) VALUES (${v})`.execute(trx);
      return v;
    });
  const rows = async () => (await sql<{ v: string }>`SELECT v FROM t ORDER BY id`.execute(store.db)).rows.map((r) => r.v);
  it("resolves every concurrent writer with its own result, in order, all rows stored", async () => {
    const values = Array.from({ length: 300 }, (_, i) => `v${i}`);
    expect(await Promise.all(values.map(insert))).to.deep.equal(values);
    expect(await rows()).to.deep.equal(values);
  });

  it("rolls a failing writer back to its savepoint alone: the others of its group commit", async () => {
    const results = await Promise.allSettled([insert("a"), insert("b"), insert("a"), insert("c")]);
    expect(results.map((r) => r.status)).to.deep.equal(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect(String((results[2] as PromiseRejectedResult).reason)).to.match(/UNIQUE constraint failed/);
    expect(await rows()).to.deep.equal(["a", "b", "c"]);
  });

  it("undoes every write of a writer that throws after writing", async () => {
    const failing = inGroupCommit(store.db, async (trx) => {
      await sql`INSERT INTO t (v) VALUES ('half')`.execute(trx);
      throw new Error("rule broken after the first write");
    });
    const [bad, good] = await Promise.allSettled([failing, insert("whole")]);
    expect(bad.status).to.equal("rejected");
    expect(good.status).to.equal("fulfilled");
    expect(await rows()).to.deep.equal(["whole"]);
  });

  it("carries writers that arrive together in one COMMIT, and later writers in the next", async () => {
    await Promise.all(Array.from({ length: 64 }, (_, i) => insert(`w${i}`)));
    expect(groupCommitStats(store.db)).to.deep.equal({ commits: 1, writers: 64 });
    await insert("later");
    expect(groupCommitStats(store.db)).to.deep.equal({ commits: 2, writers: 65 });
    expect((await rows()).length).to.equal(65);
  });
});
