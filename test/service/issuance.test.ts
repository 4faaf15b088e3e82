// The service over HTTP, as its own process on the embedded default (SQLite, in-process chain).
import { expect } from "chai";
import { Contract, JsonRpcProvider } from "ethers";
import { loadRegistryAbi } from "../../server/chain";
import { call, DONATION_EXAMPLE, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { startService, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { apiClient } from "../helpers/client";

describe("issuing bills over HTTP on the embedded default", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;

  before(async () => {
    svc = await startService({});
    creds = svc.credentials();
  });
  after(async () => svc?.stop());

  it("accepts SPEC §7's medical example with the demo hospital key and anchors it within seconds", async () => {
    const started = Date.now();
    const r = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    expect(r.body).to.include.keys("id", "kind", "billCode", "billNumber", "checkCode", "issuedAt", "status", "verifyUrl", "pdfUrl");
    expect(r.body.kind).to.equal("medical");
    expect(r.body.billCode).to.match(/^\d{8}$/);
    expect(r.body.billNumber).to.match(/^\d{10}$/);
    expect(r.body.checkCode).to.match(/^[A-Z0-9]{6}$/);
    expect(r.body.status).to.equal("pending");
    expect(r.body.verifyUrl).to.match(new RegExp(`/v/${r.body.id}\\?k=[A-Za-z0-9_-]{20,}$`));
    const anchored = await waitAnchored(svc.url, creds.hospital.apiKey, r.body.id, 20_000);
    expect(Date.now() - started).to.be.below(20_000);
    expect(anchored.anchor.root).to.match(/^0x[0-9a-f]{64}$/);
    expect(anchored.anchor.txHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(anchored.anchor.blockNumber).to.be.a("number");
    expect(anchored.anchor.confirmations).to.be.at.least(1);
    expect(anchored.bill.totalInWords).to.equal("壹佰伍拾柒元整");
    expect(anchored.bill.payer.name).to.equal("张三");

    // The chain itself knows the root, anchored by the hospital's account.
    const provider = new JsonRpcProvider(creds.rpcUrl, undefined, { staticNetwork: true });
    const registry = new Contract(creds.registryAddress, loadRegistryAbi(), provider);
    const batch = await registry.batchOf(creds.hospital.account, anchored.anchor.root);
    expect(Number(batch.blockNumber)).to.equal(anchored.anchor.blockNumber);
    expect(
      await registry.isIncluded(creds.hospital.account, anchored.anchor.root, anchored.leaf, JSON.parse(JSON.stringify(await proofOf(anchored.id)))),
    ).to.equal(true);
    provider.destroy();
  });

  async function proofOf(id: string): Promise<string[]> {
    const r = await call(svc.url, "GET", `/api/v1/invoices/${id}/envelope`, { key: creds.hospital.apiKey });
    return r.body.anchor.proof;
  }

  it("serves the bill as a PDF rendered off the request thread", async () => {
    const r = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
    const pdf = await fetch(`${svc.url}/api/v1/invoices/${r.body.id}/pdf`, { headers: { authorization: `Bearer ${creds.hospital.apiKey}` } });
    expect(pdf.status).to.equal(200);
    expect(pdf.headers.get("content-type")).to.equal("application/pdf");
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).to.equal("%PDF-");
    expect(bytes.includes(Buffer.from("lianpiao-bill.json"))).to.equal(true);
    const other = await fetch(`${svc.url}/api/v1/invoices/${r.body.id}/pdf`, { headers: { authorization: `Bearer ${creds.charity.apiKey}` } });
    expect(other.status).to.equal(404);
  });

  it("accepts SPEC §7's donation example with the demo charity key", async () => {
    const r = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.charity.apiKey, body: DONATION_EXAMPLE });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    expect(r.body.kind).to.equal("donation");
    const anchored = await waitAnchored(svc.url, creds.charity.apiKey, r.body.id, 20_000);
    expect(anchored.bill.totalInWords).to.equal("伍佰元整");
  });

  it("refuses a bill of the other kind than the issuer is admitted for", async () => {
    const r = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: DONATION_EXAMPLE });
    expect(r.status).to.equal(422);
    expect(r.headers.get("content-type")).to.match(/application\/problem\+json/);
    expect(r.body.code).to.equal("VALIDATION_FAILED");
  });

  it("answers bad input with 422 problem details naming the field, and uses no bill number", async () => {
    const before = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
    const cases: Array<[string, unknown]> = [
      ["total", { ...MEDICAL_EXAMPLE, total: "157.001" }],
      ["total", { ...MEDICAL_EXAMPLE, total: "158.00" }],
      ["insurance", { ...MEDICAL_EXAMPLE, insurance: { fundPaid: "90.00", accountPaid: "30.00", selfPaid: "30.00" } }],
      ["payer.idNumber", { ...MEDICAL_EXAMPLE, payer: { name: "张三", idNumber: "110105194912310021" } }],
      ["items", { ...MEDICAL_EXAMPLE, items: [] }],
      ["payer", { ...MEDICAL_EXAMPLE, payer: undefined }],
      ["extra", { ...MEDICAL_EXAMPLE, extra: 1 }],
    ];
    for (const [field, body] of cases) {
      const r = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body });
      expect(r.status, `${field}: ${JSON.stringify(r.body)}`).to.equal(422);
      expect(r.body.code).to.equal("VALIDATION_FAILED");
      expect(r.body.errors).to.be.an("array").that.is.not.empty;
      expect(r.body.errors[0]).to.include.keys("path", "code", "message");
    }
    const malformed = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: "{not json" });
    expect(malformed.status).to.equal(400);
    expect(malformed.body.code).to.equal("MALFORMED_JSON");
    const after = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
    expect(Number(after.body.billNumber)).to.equal(Number(before.body.billNumber) + 1);
  });

  it("hands out unique, gapless bill numbers to many parallel requests", async () => {
    const n = 60;
    const replies = await Promise.all(
      Array.from({ length: n }, () => call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE })),
    );
    for (const r of replies) expect(r.status).to.equal(201);
    const numbers = replies.map((r) => Number(r.body.billNumber)).sort((a, b) => a - b);
    expect(new Set(numbers).size).to.equal(n);
    expect(numbers[n - 1] - numbers[0]).to.equal(n - 1);
  });

  it("honours Idempotency-Key: the same body returns the same bill, another body is 409", async () => {
    const headers = { "idempotency-key": "order-20261125-0001" };
    const a = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE, headers });
    const b = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE, headers });
    expect(a.status).to.equal(201);
    expect(b.status).to.equal(201);
    expect(b.body.id).to.equal(a.body.id);
    expect(b.body.billNumber).to.equal(a.body.billNumber);
    const c = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: { ...MEDICAL_EXAMPLE, remarks: "另一张" }, headers });
    expect(c.status).to.equal(409);
    expect(c.body.code).to.equal("IDEMPOTENCY_CONFLICT");
  });

  it("lets an issuer see only its own bills, and refuses other roles", async () => {
    const mine = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
    expect((await call(svc.url, "GET", `/api/v1/invoices/${mine.body.id}`, { key: creds.charity.apiKey })).status).to.equal(404);
    expect((await call(svc.url, "GET", `/api/v1/invoices/${mine.body.id}`)).status).to.equal(401);
    expect((await call(svc.url, "GET", `/api/v1/invoices/${mine.body.id}`, { key: "lp_iss_wrongwrongwrongwrong" })).status).to.equal(401);
    expect((await call(svc.url, "POST", "/api/v1/invoices", { key: creds.insurer.apiKey, body: MEDICAL_EXAMPLE })).status).to.equal(403);
    expect((await call(svc.url, "GET", `/api/v1/invoices/${mine.body.id}`, { key: creds.bureau.apiKey })).status).to.equal(200);
    const list = await call(svc.url, "GET", "/api/v1/invoices?limit=5", { key: creds.charity.apiKey });
    expect(list.status).to.equal(200);
    expect(list.body.items.every((b: { kind: string }) => b.kind === "donation")).to.equal(true);
  });

  it("pages through an issuer's bills with a cursor (the typed client)", async () => {
    const api = apiClient(svc.url, creds.hospital.apiKey);
    const p1 = (await api.GET("/api/v1/invoices", { params: { query: { limit: 10 } } })).data!;
    expect(p1.items).to.have.length(10);
    const p2 = (await api.GET("/api/v1/invoices", { params: { query: { limit: 10, before: p1.nextCursor! } } })).data!;
    expect(p2.items).to.have.length(10);
    const ids = new Set([...p1.items, ...p2.items].map((b) => b.id));
    expect(ids.size).to.equal(20);
    const zero = await api.GET("/api/v1/invoices", { params: { query: { limit: 0 } } });
    expect([zero.response.status, zero.error?.code]).to.deep.equal([400, "INVALID_QUERY"]);
  });

  it("keeps every bill and key after a restart, and the chain still holds the anchors", async () => {
    const r = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
    const anchored = await waitAnchored(svc.url, creds.hospital.apiKey, r.body.id, 20_000);
    await svc.stop();
    svc = await startService({}, { dataDir: svc.dataDir });
    const again = svc.credentials();
    expect(again.hospital.apiKey).to.equal(creds.hospital.apiKey);
    expect(again.registryAddress).to.equal(creds.registryAddress);
    const got = await call(svc.url, "GET", `/api/v1/invoices/${r.body.id}`, { key: creds.hospital.apiKey });
    expect(got.status).to.equal(200);
    expect(got.body.status).to.equal("anchored");
    expect(got.body.anchor.root).to.equal(anchored.anchor.root);
    const provider = new JsonRpcProvider(again.rpcUrl, undefined, { staticNetwork: true });
    const registry = new Contract(again.registryAddress, loadRegistryAbi(), provider);
    expect(Number((await registry.batchOf(creds.hospital.account, anchored.anchor.root)).blockNumber)).to.be.greaterThan(0);
    provider.destroy();
    const fresh = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
    expect(fresh.status).to.equal(201);
    await waitAnchored(svc.url, creds.hospital.apiKey, fresh.body.id, 20_000);
  });
});
