// The hardening list (issue "A production build, one-way layers, and the hardening list"), over HTTP
// against one real service process: each `describe` is one item; each test failed before its fix.
import { expect } from "chai";
import { rmSync } from "node:fs";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { startService, type DemoCreds, type ServiceProcess } from "../helpers/processes";

describe("hardening (one service process)", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let bill: { id: string; billCode: string; billNumber: string; checkCode: string; total: string };

  before(async () => {
    svc = await startService({});
    creds = svc.credentials();
    const issued = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
    expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    bill = issued.body;
    await waitAnchored(svc.url, creds.hospital.apiKey, bill.id, 30_000);
  });
  after(async () => {
    await svc?.stop();
    if (svc) rmSync(svc.dataDir, { recursive: true, force: true });
  });

  const auditCount = async () => (await call(svc.url, "GET", "/api/v1/audit?limit=500", { key: creds.bureau.apiKey })).body.items.length as number;
  const mark = () => ({ billCode: bill.billCode, billNumber: bill.billNumber, checkCode: bill.checkCode, total: "157.00", reference: "CLAIM-H2" });

  describe("2. amounts on POST /api/v1/reimbursements", () => {
    it("refuses a total with a leading zero or another non-amount with 422 AMOUNT_FORMAT on `total`, and changes nothing", async () => {
      const before = await auditCount();
      for (const total of ["0157.00", "157.001", "1e3", "-157.00", " 157.00", 157]) {
        const r = await call(svc.url, "POST", "/api/v1/reimbursements", { key: creds.insurer.apiKey, body: { ...mark(), total } });
        expect(r.status, `${JSON.stringify(total)}: ${JSON.stringify(r.body)}`).to.equal(422);
        expect(r.headers.get("content-type")).to.match(/application\/problem\+json/);
        expect(r.body.code).to.equal("INVALID_BODY");
        expect(r.body.errors).to.deep.include({ path: "total", code: "AMOUNT_FORMAT", message: r.body.errors.find((e: { path: string }) => e.path === "total").message });
      }
      const tooLarge = await call(svc.url, "POST", "/api/v1/reimbursements", { key: creds.insurer.apiKey, body: { ...mark(), total: "10000000000000.00" } });
      expect(tooLarge.status).to.equal(422);
      expect(tooLarge.body.errors[0]).to.include({ path: "total", code: "AMOUNT_TOO_LARGE" });
      const detail = await call(svc.url, "GET", `/api/v1/invoices/${bill.id}`, { key: creds.hospital.apiKey });
      expect(detail.body.reimbursement).to.equal(null);
      expect(await auditCount()).to.equal(before);
    });
  });
});
