// The same store behaviour on both databases: SQLite (the embedded default) and a real PostgreSQL.
import { expect } from "chai";
import path from "node:path";
import { Migrator } from "kysely";
import { openStore, type Store } from "../../server/store/database";
import { migrationProvider } from "../../server/store/migrations";
import { getSetting, setSetting } from "../../server/store/settings";
import { deliveredFile, recordDelivered, sha256Hex } from "../../server/store/delivered-files";
import { allotRange, takeBillNumber } from "../../server/issuance/numbering";
import { isUniqueViolation } from "../../server/issuance/service";
import { acquireLease } from "../../server/anchoring/lease";
import { createInstitution } from "../../server/store/institutions";
import { createApiKey, KeyResolver, revokeApiKey } from "../../server/registry/api-keys";
import { createTestDatabase } from "../helpers/pg";
import { tempDir } from "../helpers/processes";

const DIALECTS = [
  { name: "SQLite", open: async () => ({ store: await openStore({ sqlitePath: path.join(tempDir(), "s.sqlite") }), drop: async () => undefined }) },
  {
    name: "PostgreSQL",
    open: async () => {
      const db = await createTestDatabase();
      return { store: await openStore({ databaseUrl: db.url }), drop: db.drop };
    },
  },
];

for (const d of DIALECTS) {
  describe(`the store on ${d.name}`, function () {
    this.timeout(60_000);
    let store: Store;
    let drop: () => Promise<void>;
    let issuerId: string;

    before(async () => {
      ({ store, drop } = await d.open());
      issuerId = (
        await createInstitution(store.db, {
          role: "issuer",
          name: "医院",
          creditCode: "12110000400000758N",
          billKind: "medical",
          account: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        })
      ).id;
    });
    after(async () => {
      await store.close();
      await drop();
    });

    it("migrates to the latest schema, and migrating again changes nothing", async () => {
      expect(store.dialect).to.equal(d.name === "SQLite" ? "sqlite" : "postgres");
      const again = await new Migrator({ db: store.db, provider: migrationProvider(store.dialect) }).migrateToLatest();
      expect(again.error).to.equal(undefined);
      expect(again.results).to.deep.equal([]);
      const tables = await store.db.introspection.getTables();
      expect(tables.map((t) => t.name)).to.include.members([
        "bills",
        "outbox",
        "batches",
        "senders",
        "audit_log",
        "institutions",
        "api_keys",
        "bill_ranges",
        "settings",
        "delivered_files",
      ]);
    });

    it("hands out gapless, unique numbers to concurrent transactions, and returns a rolled-back one", async () => {
      await allotRange(store.db, { institutionId: issuerId, billCode: "11060126", start: 1, end: 1000 });
      const taken = await Promise.all(Array.from({ length: 40 }, () => store.db.transaction().execute((trx) => takeBillNumber(trx, issuerId))));
      const numbers = taken.map((t) => Number(t.billNumber)).sort((a, b) => a - b);
      expect(numbers).to.deep.equal(Array.from({ length: 40 }, (_, i) => i + 1));
      await store.db
        .transaction()
        .execute(async (trx) => {
          await takeBillNumber(trx, issuerId);
          throw new Error("rollback");
        })
        .catch(() => undefined);
      const next = await store.db.transaction().execute((trx) => takeBillNumber(trx, issuerId));
      expect(next.billNumber).to.equal("0000000041");
    });

    it("moves to the next allotted range when one is used up, and says RANGE_EXHAUSTED after the last", async () => {
      const other = (
        await createInstitution(store.db, { role: "issuer", name: "小医院", billKind: "medical", account: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" })
      ).id;
      await allotRange(store.db, { institutionId: other, billCode: "11060128", start: 1, end: 2 });
      await allotRange(store.db, { institutionId: other, billCode: "11060128", start: 10, end: 10 });
      const got = [];
      for (let i = 0; i < 3; i++) got.push((await store.db.transaction().execute((trx) => takeBillNumber(trx, other))).billNumber);
      expect(got).to.deep.equal(["0000000001", "0000000002", "0000000010"]);
      const err = await store.db
        .transaction()
        .execute((trx) => takeBillNumber(trx, other))
        .catch((e) => e);
      expect(err.code).to.equal("RANGE_EXHAUSTED");
      const overlap = await allotRange(store.db, { institutionId: other, billCode: "11060128", start: 2, end: 5 }).catch((e) => e);
      expect(overlap.code).to.equal("VALIDATION_FAILED");
    });

    it("recognises a unique violation the same way on both databases", async () => {
      await setSetting(store.db, "k", "1");
      const err = await store.db
        .insertInto("settings")
        .values({ key: "k", value: "2" })
        .execute()
        .catch((e) => e);
      expect(isUniqueViolation(err)).to.equal(true);
      expect(isUniqueViolation(new Error("other"))).to.equal(false);
      await setSetting(store.db, "k", "3");
      expect(await getSetting(store.db, "k")).to.equal("3");
    });

    it("records each delivered file once per bill and finds it by bill and SHA-256 (migration 003)", async () => {
      await store.db
        .insertInto("bills")
        .values({
          id: "BILL-DELIVERED",
          institution_id: issuerId,
          kind: "medical",
          bill_code: "11060126",
          bill_number: "0000009999",
          check_code: "ABC123",
          issued_at: 1,
          issue_date: "2026-11-30",
          total_fen: 15700,
          status: "pending",
          envelope: "{}",
          bill_hash: `0x${"1".repeat(64)}`,
          leaf: `0x${"2".repeat(64)}`,
          verify_key: "k",
          idempotency_key: null,
          request_hash: null,
          batch_id: null,
          proof: null,
          void_reason: null,
          voided_at: null,
          red_of_id: null,
          reimbursed_by: null,
          reimbursed_at: null,
          reimbursement_ref: null,
          created_at: 1,
        })
        .execute();
      const pdf = Buffer.from("%PDF-1.7 a delivered file");
      await recordDelivered(store.db, "BILL-DELIVERED", pdf, "lianpiao-pdf/2", 1000);
      await recordDelivered(store.db, "BILL-DELIVERED", pdf, "lianpiao-pdf/2", 2000);
      expect(await deliveredFile(store.db, "BILL-DELIVERED", sha256Hex(pdf))).to.deep.equal({
        billId: "BILL-DELIVERED",
        sha256: sha256Hex(pdf),
        bytes: pdf.length,
        renderer: "lianpiao-pdf/2",
        createdAt: 1000,
      });
      expect(await deliveredFile(store.db, "BILL-DELIVERED", sha256Hex(Buffer.from("another file")))).to.equal(undefined);
      expect(await deliveredFile(store.db, "OTHER-BILL", sha256Hex(pdf))).to.equal(undefined);
      const rows = await store.db
        .selectFrom("delivered_files")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow();
      expect(Number(rows.n)).to.equal(1);
    });

    it("gives an account's sending lease to one owner at a time until it expires", async () => {
      const account = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
      const now = Date.now();
      expect(await acquireLease(store.db, account, "a", now)).to.equal(true);
      expect(await acquireLease(store.db, account, "b", now + 1000)).to.equal(false);
      expect(await acquireLease(store.db, account, "a", now + 2000)).to.equal(true);
      expect(await acquireLease(store.db, account, "b", now + 60_000)).to.equal(true);
      expect(await acquireLease(store.db, account, "a", now + 60_001)).to.equal(false);
    });

    it("resolves an API key by its hash only, and not after revocation", async () => {
      const inst = { id: issuerId, role: "issuer" as const };
      const { id, key } = await createApiKey(store.db, inst);
      const row = await store.db.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      expect(row.key_hash).to.not.equal(key);
      expect(row.key_hash).to.match(/^[0-9a-f]{64}$/);
      const keys = new KeyResolver(store.db, 0);
      expect((await keys.resolve(key))?.institution.id).to.equal(issuerId);
      expect(await revokeApiKey(store.db, id)).to.equal(true);
      expect(await keys.resolve(key)).to.equal(null);
    });
  });
}
