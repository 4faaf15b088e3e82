// The bureau over HTTP on the embedded default: issuers, figures, CSV, audit log, reconciliation
// (clean, then with a root tampered in the SQLite file while the service is stopped, then a number held
// twice and a bill in two batches), and the CLI. test/registry/reconciliation.test.ts covers registry
// v2 reconciliation in full on a hardhat node with PostgreSQL.
import { expect } from "chai";
import path from "node:path";
import { spawnSync } from "node:child_process";
import Database from "better-sqlite3";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { ROOT, startService, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import ExcelJS from "exceljs";
import { parseCsv, CSV_HEADER } from "../../server/registry/bills-export";
import { newIssuerBody } from "./fixtures";

function cli(args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["-r", "./scripts/register.js", "scripts/lianpiao.js", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the finance bureau's supervision over HTTP", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let admitted: any;

  before(async () => {
    svc = await startService({});
    creds = svc.credentials();
  });
  after(async () => svc?.stop());

  const bureau = (method: string, p: string, body?: unknown, headers?: Record<string, string>) =>
    call(svc.url, method, p, { key: creds.bureau.apiKey, body, headers });

  it("admits an issuer with a new keystore account, whose first key issues a bill that gets anchored", async () => {
    const r = await bureau("POST", "/api/v1/issuers", newIssuerBody("medical", "示范市第二人民医院"));
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    admitted = r.body;
    expect(admitted.apiKey).to.match(/^lp_iss_/);
    expect(admitted.status).to.equal("active");
    expect(admitted.ranges[0]).to.include({ start: 1, end: 100_000, remaining: 100_000 });
    const bill = await call(svc.url, "POST", "/api/v1/invoices", { key: admitted.apiKey, body: MEDICAL_EXAMPLE });
    expect(bill.status, JSON.stringify(bill.body)).to.equal(201);
    expect(bill.body.billNumber).to.equal("0000000001");
    await waitAnchored(svc.url, admitted.apiKey, bill.body.id, 30_000);
  });

  it("refuses an invalid credit code, a duplicate issuer and an overlapping range with stable codes", async () => {
    const bad = await bureau("POST", "/api/v1/issuers", { ...newIssuerBody(), creditCode: "91110000000000000X" });
    expect([bad.status, bad.body.code, bad.body.errors[0].path]).to.deep.equal([422, "INVALID_BODY", "creditCode"]);
    const dup = await bureau("POST", "/api/v1/issuers", { ...newIssuerBody(), creditCode: admitted.creditCode });
    expect([dup.status, dup.body.code]).to.deep.equal([409, "ISSUER_EXISTS"]);
    const overlap = await bureau("POST", "/api/v1/issuers", { ...newIssuerBody(), billCode: admitted.ranges[0].billCode });
    expect([overlap.status, overlap.body.code]).to.deep.equal([422, "INVALID_BODY"]);
  });

  it("suspends an issuer (its issuing is refused with ISSUER_SUSPENDED) and reinstates it", async () => {
    expect((await bureau("POST", `/api/v1/issuers/${admitted.id}/suspend`, { reason: "审计检查" })).body.status).to.equal("suspended");
    const refused = await call(svc.url, "POST", "/api/v1/invoices", { key: admitted.apiKey, body: MEDICAL_EXAMPLE });
    expect([refused.status, refused.body.code]).to.deep.equal([403, "ISSUER_SUSPENDED"]);
    const shown = await bureau("GET", `/api/v1/issuers/${admitted.id}`);
    expect(shown.body.chain).to.deep.equal({ kind: "medical", active: false });
    expect((await bureau("POST", `/api/v1/issuers/${admitted.id}/reinstate`)).body.status).to.equal("active");
    const ok = await call(svc.url, "POST", "/api/v1/invoices", { key: admitted.apiKey, body: MEDICAL_EXAMPLE });
    expect(ok.status).to.equal(201);
    await waitAnchored(svc.url, admitted.apiKey, ok.body.id, 30_000);
  });

  it("allots a further range, creates and revokes keys; a revoked key is refused at once", async () => {
    const range = await bureau("POST", `/api/v1/issuers/${admitted.id}/ranges`, { billCode: admitted.ranges[0].billCode, start: 100_001, end: 200_000 });
    expect(range.status, JSON.stringify(range.body)).to.equal(201);
    expect(range.body.ranges).to.have.length(2);
    const key = await bureau("POST", `/api/v1/issuers/${admitted.id}/keys`, { label: "收费系统 2" });
    expect(key.status).to.equal(201);
    expect((await call(svc.url, "GET", "/api/v1/invoices?limit=1", { key: key.body.apiKey })).status).to.equal(200);
    expect((await bureau("DELETE", `/api/v1/issuers/${admitted.id}/keys/${key.body.id}`)).status).to.equal(204);
    expect((await call(svc.url, "GET", "/api/v1/invoices?limit=1", { key: key.body.apiKey })).status).to.equal(401);
  });

  it("gives figures per issuer and day or month, with amounts as decimal strings", async () => {
    const day = await bureau("GET", `/api/v1/registry/stats?issuerId=${admitted.id}`);
    expect(day.status).to.equal(200);
    expect(day.body.rows).to.have.length(1);
    expect(day.body.rows[0]).to.include({ issuerId: admitted.id, issued: 2, amount: "314.00", pending: 0, voided: 0 });
    expect(day.body.rows[0].period).to.match(/^\d{4}-\d{2}-\d{2}$/);
    const month = await bureau("GET", "/api/v1/registry/stats?groupBy=month&kind=medical");
    expect(month.body.rows.every((r: any) => /^\d{4}-\d{2}$/.test(r.period) && r.kind === "medical")).to.equal(true);
    expect((await bureau("GET", "/api/v1/registry/stats?from=yesterday")).body.code).to.equal("INVALID_QUERY");
  });

  it("exports the bills as CSV with a BOM that parses back with the Chinese names intact", async () => {
    const r = await fetch(`${svc.url}/api/v1/registry/bills?issuerId=${admitted.id}`, {
      headers: { authorization: `Bearer ${creds.bureau.apiKey}`, accept: "text/csv" },
    });
    expect(r.status).to.equal(200);
    expect(r.headers.get("content-type")).to.match(/^text\/csv; charset=utf-8/);
    const bytes = Buffer.from(await r.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(bytes.toString("utf8"));
    expect(rows[0]).to.deep.equal(CSV_HEADER);
    expect(rows).to.have.length(3);
    const col = (name: string) => rows[0].findIndex((h) => h.endsWith(` ${name}`));
    expect(rows[1][col("issuer")]).to.equal("示范市第二人民医院");
    expect(rows[1][col("holder")]).to.equal("张*");
    expect(rows[1][col("total")]).to.equal("157.00");
    // codes are kept as text for spreadsheets: ="…" (RFC 4180 still: one quoted field)
    expect(rows[1][col("billNumber")]).to.equal('="0000000001"');
    expect(rows[1][col("creditCode")]).to.match(/^="[0-9A-Z]{18}"$/);
    const json = await bureau("GET", `/api/v1/registry/bills?issuerId=${admitted.id}&limit=1`);
    expect(json.body.items).to.have.length(1);
    const next = await bureau("GET", `/api/v1/registry/bills?issuerId=${admitted.id}&limit=1&after=${json.body.nextCursor}`);
    expect(next.body.items[0].billNumber).to.equal("0000000002");
  });

  it("exports the bills as XLSX with bill numbers and credit codes as text cells and totals as numbers", async () => {
    const r = await fetch(`${svc.url}/api/v1/registry/bills?issuerId=${admitted.id}&format=xlsx`, {
      headers: { authorization: `Bearer ${creds.bureau.apiKey}` },
    });
    expect(r.status).to.equal(200);
    expect(r.headers.get("content-type")).to.include("spreadsheetml.sheet");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await r.arrayBuffer()) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).values).to.deep.equal([undefined, ...CSV_HEADER]);
    expect(ws.rowCount).to.equal(3);
    const col = (name: string) => CSV_HEADER.findIndex((h) => h.endsWith(` ${name}`)) + 1;
    const number = ws.getRow(2).getCell(col("billNumber"));
    expect(number.value).to.equal("0000000001");
    expect(number.type).to.equal(ExcelJS.ValueType.String);
    expect(number.numFmt).to.equal("@");
    const credit = ws.getRow(2).getCell(col("creditCode"));
    expect(credit.value).to.match(/^[0-9A-Z]{18}$/);
    expect(credit.type).to.equal(ExcelJS.ValueType.String);
    expect(ws.getRow(2).getCell(col("total")).value).to.equal(157);
    const accept = await fetch(`${svc.url}/api/v1/registry/bills?issuerId=${admitted.id}`, {
      headers: { authorization: `Bearer ${creds.bureau.apiKey}`, accept: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
    });
    expect(accept.headers.get("content-type")).to.include("spreadsheetml.sheet");
  });

  it("answers an unknown query parameter with 400 UNKNOWN_QUERY_PARAMETER naming it", async () => {
    const r = await bureau("GET", "/api/v1/registry/bills?billNumbr=0000000001&limit=5");
    expect(r.status).to.equal(400);
    expect(r.body.code).to.equal("UNKNOWN_QUERY_PARAMETER");
    expect(r.body.errors).to.deep.equal([{ path: "billNumbr", code: "UNKNOWN_QUERY_PARAMETER", message: "is not a query parameter of this endpoint" }]);
    expect(r.body.detail).to.include("billNumbr");
  });

  it("keeps an audit log of admission, suspension, reinstatement, ranges and keys with actor and address", async () => {
    const r = await bureau("GET", `/api/v1/audit?subject=${admitted.id}`);
    expect(r.body.items.map((e: any) => e.action).reverse()).to.deep.equal([
      "issuer.admit",
      "issuer.suspend",
      "issuer.reinstate",
      "issuer.range",
      "key.create",
      "key.revoke",
    ]);
    expect(r.body.items.every((e: any) => e.actor.id === creds.bureau.institutionId && typeof e.ip === "string")).to.equal(true);
    expect(r.body.items.find((e: any) => e.action === "issuer.suspend").detail.reason).to.equal("审计检查");
  });

  it("lists issuers from the CLI, and `lianpiao reconcile` finds the store and chain in agreement", async () => {
    const env = { LIANPIAO_URL: svc.url, LIANPIAO_API_KEY: creds.bureau.apiKey };
    const list = cli(["issuer", "list"], env);
    expect(list.status, list.stderr).to.equal(0);
    expect(list.stdout).to.contain(admitted.id).and.contain("示范市第二人民医院");
    const rec = cli(["reconcile"], env);
    expect(rec.status, rec.stdout + rec.stderr).to.equal(0);
    expect(rec.stdout).to.contain("clean: the store and the chain agree").and.not.contain("notices");
    const json = cli(["reconcile", "--json"], env);
    expect(json.status).to.equal(0);
    expect(JSON.parse(json.stdout)).to.deep.include({ clean: true, discrepancies: [], notices: [], duplicates: { numbers: 0, leaves: 0, unknownRoots: [] } });
  });

  it("reports a batch root changed in the store as missing on chain, the chain's root as unknown, and an edited bill as altered", async () => {
    const clean = await bureau("GET", "/api/v1/registry/reconciliation");
    expect(clean.body.clean, JSON.stringify(clean.body.discrepancies)).to.equal(true);
    expect(clean.body.notices).to.deep.equal([]);
    expect(clean.body.checked.batches).to.be.at.least(2);
    await svc.stop();
    const db = new Database(path.join(svc.dataDir, "lianpiao.sqlite"));
    const batch = db.prepare("SELECT id, root FROM batches WHERE action = 'anchor' AND state = 'confirmed' ORDER BY created_at LIMIT 1").get() as {
      id: string;
      root: string;
    };
    const forged = "0x" + "ab".repeat(32);
    db.prepare("UPDATE batches SET root = ? WHERE id = ?").run(forged, batch.id);
    // And an anchored bill of another batch edited in place: its amount raised.
    const edited = db.prepare("SELECT id, envelope FROM bills WHERE status = 'anchored' AND batch_id <> ? LIMIT 1").get(batch.id) as {
      id: string;
      envelope: string;
    };
    const env = JSON.parse(edited.envelope);
    env.bill.total = "9157.00";
    db.prepare("UPDATE bills SET envelope = ? WHERE id = ?").run(JSON.stringify(env), edited.id);
    db.close();
    svc = await startService({}, { dataDir: svc.dataDir });
    const r = await bureau("GET", "/api/v1/registry/reconciliation");
    expect(r.body.clean).to.equal(false);
    const types = r.body.discrepancies.map((d: any) => [d.type, d.root]);
    expect(types).to.deep.include(["ROOT_NOT_ON_CHAIN", forged]);
    expect(types).to.deep.include(["UNKNOWN_ROOT_ON_CHAIN", batch.root]);
    expect(r.body.discrepancies.find((d: any) => d.type === "ROOT_NOT_ON_CHAIN").batchId).to.equal(batch.id);
    expect(r.body.discrepancies.filter((d: any) => d.type === "BILL_ALTERED_IN_STORE").map((d: any) => d.billId)).to.deep.equal([edited.id]);
    expect(r.body.checked.bills).to.be.at.least(2);
    const rec = cli(["reconcile"], { LIANPIAO_URL: svc.url, LIANPIAO_API_KEY: creds.bureau.apiKey });
    expect(rec.status).to.equal(1);
    expect(rec.stdout).to.contain("ROOT_NOT_ON_CHAIN").and.contain(forged);
    expect(r.body.notices).to.deep.equal([]);
    expect(r.body.duplicates.unknownRoots).to.deep.equal([{ account: admitted.account, issuerId: admitted.id, roots: 1, bills: 1 }]);
  });

  it("on SQLite too, reports a bill number held twice (the unique constraint dropped by rebuilding the table) and a bill in two confirmed batches", async () => {
    const before = (await bureau("GET", "/api/v1/registry/reconciliation")).body.discrepancies.map((d: any) => d.type);
    await svc.stop();
    const db = new Database(path.join(svc.dataDir, "lianpiao.sqlite"));
    // SQLite cannot drop a table constraint: the table is made again without it (its 12-step ALTER TABLE)
    const table = (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'bills'").get() as { sql: string }).sql;
    const indexes = (
      db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'bills' AND sql IS NOT NULL").all() as Array<{ sql: string }>
    ).map((i) => i.sql);
    const without = table.replace(/,\s*constraint "bills_code_number" unique \("bill_code", "bill_number"\)/, "");
    expect(without).to.not.equal(table);
    db.pragma("foreign_keys = OFF");
    db.transaction(() => {
      db.exec(without.replace('CREATE TABLE "bills"', 'CREATE TABLE "bills_rebuilt"'));
      db.exec("INSERT INTO bills_rebuilt SELECT * FROM bills");
      db.exec("DROP TABLE bills");
      db.exec("ALTER TABLE bills_rebuilt RENAME TO bills");
      for (const i of indexes) db.exec(i);
    })();
    const [first, second] = db
      .prepare("SELECT id, bill_code, bill_number, batch_id, leaf FROM bills WHERE institution_id = ? AND batch_id IS NOT NULL ORDER BY bill_number")
      .all(admitted.id) as Array<{ id: string; bill_code: string; bill_number: string; batch_id: string; leaf: string }>;
    expect(first.batch_id).to.not.equal(second.batch_id);
    db.prepare(
      `INSERT INTO bills (id, institution_id, kind, bill_code, bill_number, check_code, issued_at, issue_date, total_fen, status, envelope, bill_hash, leaf, verify_key, created_at)
       SELECT 'bill_copy', institution_id, kind, bill_code, bill_number, check_code, issued_at, issue_date, total_fen, 'pending', envelope, ?, ?, verify_key, created_at + 1 FROM bills WHERE id = ?`,
    ).run("0x" + "cd".repeat(32), "0x" + "ef".repeat(32), second.id);
    // the first bill's anchor entry also in the second bill's confirmed batch
    db.prepare("INSERT INTO outbox (bill_id, account, action, payload, created_at, batch_id, done_at, error) VALUES (?, ?, 'anchor', '{}', 0, ?, 1, NULL)").run(
      first.id,
      admitted.account,
      second.batch_id,
    );
    db.close();
    svc = await startService({}, { dataDir: svc.dataDir });
    const r = await bureau("GET", "/api/v1/registry/reconciliation");
    expect(r.body.discrepancies.map((d: any) => d.type).sort()).to.deep.equal([...before, "DUPLICATE_NUMBER", "LEAF_ANCHORED_TWICE"].sort());
    const dup = r.body.discrepancies.find((d: any) => d.type === "DUPLICATE_NUMBER");
    expect([dup.billCode, dup.billNumber, dup.billId, dup.account]).to.deep.equal([second.bill_code, second.bill_number, "bill_copy", admitted.account]);
    expect(dup.store.bills.map((b: any) => b.id)).to.deep.equal([second.id, "bill_copy"]);
    const twice = r.body.discrepancies.find((d: any) => d.type === "LEAF_ANCHORED_TWICE");
    expect([twice.leaf, twice.billId, twice.chain]).to.deep.equal([first.leaf, first.id, null]);
    expect(twice.store.batches.map((b: any) => b.batchId).sort()).to.deep.equal([first.batch_id, second.batch_id].sort());
    expect(r.body.duplicates).to.deep.include({ numbers: 1, leaves: 1 });
    const rec = cli(["reconcile"], { LIANPIAO_URL: svc.url, LIANPIAO_API_KEY: creds.bureau.apiKey });
    expect(rec.status).to.equal(1);
    expect(rec.stdout).to.contain("DUPLICATE_NUMBER").and.contain(`number ${second.bill_number}`).and.contain("LEAF_ANCHORED_TWICE").and.contain(first.leaf);
  });
});
