// Hardening 1: the registry's figures are exact at any size. A bill at the maximal amount used to make
// /api/v1/registry/stats and /bureau answer 500 for good (the totals were re-parsed as bill amounts,
// capped at 999,999,999,999.99); SQL sums of fen overflowed on SQLite past 2^63 and lost precision in
// the driver past 2^53. On SQLite and on PostgreSQL, over HTTP against the service process.
import { expect } from "chai";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { call, MEDICAL_EXAMPLE } from "../helpers/api";
import { createTestDatabase } from "../helpers/pg";
import { startService, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { formatFen } from "../../server/issuance/money";
import { cookieHeader, signIn } from "../security/bureau-session";

const MAX = "999999999999.99";
const MAX_FEN = 99_999_999_999_999n;
const MAX_BILL = {
  ...MEDICAL_EXAMPLE,
  items: [{ code: "S01", name: "手术费", quantity: "1", unitPrice: MAX, amount: MAX }],
  insurance: undefined,
  total: MAX,
};
const COPIES = 100_000;

const COLUMNS =
  "id, institution_id, kind, bill_code, bill_number, check_code, issued_at, issue_date, total_fen, status, envelope, bill_hash, leaf, verify_key, batch_id, proof, created_at";
/**
 * COPIES copies of one bill under new numbers, each with the maximal amount: rows for the figures only
 * (no envelope), so that the insert is quick and the test process is not blocked past the server's
 * keep-alive timeout.
 */
const copies = (pad: string, from: string, param: string) =>
  `INSERT INTO bills (${COLUMNS}) SELECT 'bulk_' || i, institution_id, kind, '99999999', ${pad}, check_code, issued_at, issue_date, total_fen, 'anchored', '{}', 'h' || i, 'l' || i, verify_key, batch_id, proof, created_at FROM ${from} WHERE bills.id = ${param}`;

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`registry figures are exact at any size (${dialect})`, function () {
    this.timeout(240_000);
    let svc: ServiceProcess;
    let creds: DemoCreds;
    let db: { url: string; drop(): Promise<void> } | undefined;
    let maxBillId: string;

    before(async () => {
      if (dialect === "postgres") db = await createTestDatabase();
      svc = await startService(db ? { DATABASE_URL: db.url } : {});
      creds = svc.credentials();
    });
    after(async () => {
      await svc?.stop();
      await db?.drop();
    });

    const figures = async () => {
      const stats = await call(svc.url, "GET", "/api/v1/registry/stats?groupBy=month", { key: creds.bureau.apiKey });
      const issuers = await call(svc.url, "GET", "/api/v1/issuers", { key: creds.bureau.apiKey });
      const cookies = await signIn(svc.url, creds.bureau.apiKey);
      const page = await fetch(`${svc.url}/bureau`, { headers: { cookie: cookieHeader(cookies) } });
      return { stats, issuers, page: { status: page.status, html: await page.text() } };
    };

    it("answers the stats, the issuer list and /bureau with the exact sum after a bill at the maximal amount", async () => {
      const small = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
      expect(small.status, JSON.stringify(small.body)).to.equal(201);
      const big = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MAX_BILL });
      expect(big.status, JSON.stringify(big.body)).to.equal(201);
      maxBillId = big.body.id;
      const want = formatFen(MAX_FEN + 15_700n);
      expect(want).to.equal("1000000000156.99");
      const f = await figures();
      expect(f.stats.status, JSON.stringify(f.stats.body)).to.equal(200);
      expect(f.stats.body.totals.amount).to.equal(want);
      expect(f.stats.body.rows.find((r: { issuerId: string }) => r.issuerId === creds.hospital.institutionId).amount).to.equal(want);
      expect(f.issuers.body.items.find((i: { id: string }) => i.id === creds.hospital.institutionId).bills.amount).to.equal(want);
      expect(f.page.status).to.equal(200);
      expect(f.page.html).to.contain(want);
    });

    it(`stays exact with ${COPIES.toLocaleString("en")} more bills at the maximal amount (past 2^53 and past a 64-bit SQL sum)`, async () => {
      if (dialect === "sqlite") {
        const file = new Database(path.join(svc.dataDir, "lianpiao.sqlite"), { timeout: 10_000 });
        file
          .prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${COPIES}) ${copies("printf('%010d', i)", "bills, n", "?")}`)
          .run(maxBillId);
        file.close();
      } else {
        const client = new pg.Client({ connectionString: db!.url });
        await client.connect();
        await client.query(copies("lpad(i::text, 10, '0')", `bills, generate_series(1, ${COPIES}) AS i`, "$1"), [maxBillId]);
        await client.end();
      }
      const fen = BigInt(COPIES + 1) * MAX_FEN + 15_700n;
      expect(fen > 2n ** 63n).to.equal(true);
      const want = formatFen(fen);
      const f = await figures();
      expect(f.stats.status, JSON.stringify(f.stats.body)).to.equal(200);
      expect(f.stats.body.totals.amount).to.equal(want);
      expect(f.stats.body.totals.issued).to.equal(COPIES + 2);
      expect(f.issuers.status).to.equal(200);
      expect(f.issuers.body.items.find((i: { id: string }) => i.id === creds.hospital.institutionId).bills.amount).to.equal(want);
      expect(f.page.status).to.equal(200);
      expect(f.page.html).to.contain(want);
    });
  });
}
