// The OpenAPI document covers every route of the app, and real responses match its schemas.
import { expect } from "chai";
import { findOperation, OPERATIONS, expressPath } from "../../server/openapi/operations";
import { routeTable } from "../../server/http/route-table";
import { call, DONATION_EXAMPLE, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { startInProcess, type InProcess } from "../helpers/in-process";

describe("the OpenAPI document", function () {
  this.timeout(120_000);
  let sys: InProcess;

  before(async () => {
    sys = await startInProcess();
  });
  after(async () => sys?.stop());

  it("documents every route of the app, and no route that does not exist", () => {
    const routes = routeTable(sys.sys.app)
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    const documented = OPERATIONS.map((o) => `${o.method} ${expressPath(o.path)}`).sort();
    expect(routes).to.deep.equal(documented);
  });

  it("is served as OpenAPI 3.1 with a browsable page under a strict CSP", async () => {
    const doc = await call(sys.url, "GET", "/openapi.json");
    expect(doc.status).to.equal(200);
    expect(doc.body.openapi).to.equal("3.1.0");
    expect(Object.keys(doc.body.paths)).to.include("/api/v1/invoices");
    const page = await fetch(`${sys.url}/docs`);
    expect(page.status).to.equal(200);
    expect(page.headers.get("content-security-policy")).to.match(/default-src 'none'/);
    expect(await page.text()).to.include("/api/v1/invoices/{id}/pdf");
  });

  it("matches real responses of every documented status the scenario reaches", async () => {
    const creds = sys.sys.demo!;
    const seen: string[] = [];
    const check = async (method: string, path: string, route: string, opts: Parameters<typeof call>[3] = {}) => {
      const r = await call(sys.url, method, path, opts);
      const op = findOperation(method, route);
      expect(op, `${method} ${route} is not documented`).to.not.equal(undefined);
      const spec = op!.responses[r.status];
      expect(spec, `${method} ${route} answered ${r.status}, which is not documented`).to.not.equal(undefined);
      if (spec.schema) {
        const parsed = spec.schema.safeParse(r.body);
        expect(parsed.success, `${method} ${route} ${r.status}: ${JSON.stringify(parsed.error?.issues)}`).to.equal(true);
      }
      if (spec.contentType) expect(r.headers.get("content-type") ?? "").to.contain(spec.contentType);
      seen.push(`${method} ${route} ${r.status}`);
      return r;
    };
    const h = { key: creds.hospital.apiKey };
    await check("GET", "/healthz", "/healthz");
    await check("GET", "/readyz", "/readyz");
    const issued = await check("POST", "/api/v1/invoices", "/api/v1/invoices", { ...h, body: MEDICAL_EXAMPLE });
    await check("POST", "/api/v1/invoices", "/api/v1/invoices", { key: creds.charity.apiKey, body: DONATION_EXAMPLE });
    await check("POST", "/api/v1/invoices", "/api/v1/invoices", { ...h, body: { ...MEDICAL_EXAMPLE, total: "1" } });
    await check("POST", "/api/v1/invoices", "/api/v1/invoices", { ...h, body: "{" });
    await check("POST", "/api/v1/invoices", "/api/v1/invoices", { body: MEDICAL_EXAMPLE });
    await check("POST", "/api/v1/invoices", "/api/v1/invoices", { key: creds.insurer.apiKey, body: MEDICAL_EXAMPLE });
    await check("GET", `/api/v1/invoices/${issued.body.id}`, "/api/v1/invoices/:id", h);
    await waitAnchored(sys.url, creds.hospital.apiKey, issued.body.id, 20_000);
    await check("GET", `/api/v1/invoices/${issued.body.id}`, "/api/v1/invoices/:id", h);
    await check("GET", `/api/v1/invoices/${issued.body.id}/envelope`, "/api/v1/invoices/:id/envelope", h);
    await check("GET", `/api/v1/invoices/${issued.body.id}/pdf`, "/api/v1/invoices/:id/pdf", h);
    await check("GET", `/api/v1/invoices/nope`, "/api/v1/invoices/:id", h);
    await check("GET", "/api/v1/invoices?limit=2", "/api/v1/invoices", h);
    await check("GET", "/api/v1/invoices?limit=x", "/api/v1/invoices", h);
    // Verification, public.
    const vpath = new URL(issued.body.verifyUrl).pathname + new URL(issued.body.verifyUrl).search;
    await check("GET", vpath, "/v/:id", { headers: { accept: "application/json" } });
    await check("GET", `/v/${issued.body.id}?k=wrong`, "/v/:id", { headers: { accept: "application/json" } });
    const manual = {
      billCode: issued.body.billCode,
      billNumber: issued.body.billNumber,
      checkCode: issued.body.checkCode,
      issueDate: issued.body.issuedAt.slice(0, 10),
      total: "157.00",
    };
    await check("POST", "/api/v1/verify/manual", "/api/v1/verify/manual", { body: manual });
    await check("POST", "/api/v1/verify/manual", "/api/v1/verify/manual", { body: { ...manual, checkCode: "ZZZZZZ" } });
    await check("POST", "/api/v1/verify/manual", "/api/v1/verify/manual", { body: { billCode: 1 } });
    const pdf = await fetch(`${sys.url}/api/v1/invoices/${issued.body.id}/pdf`, { headers: { authorization: `Bearer ${creds.hospital.apiKey}` } });
    await check("POST", "/api/v1/verify", "/api/v1/verify", {
      body: Buffer.from(await pdf.arrayBuffer()).toString("latin1"),
      headers: { "content-type": "application/pdf" },
    });
    await check("POST", "/api/v1/verify", "/api/v1/verify", { body: "%PDF-1.7 garbage", headers: { "content-type": "application/pdf" } });
    // Reimbursement and voiding.
    const mark = {
      billCode: issued.body.billCode,
      billNumber: issued.body.billNumber,
      checkCode: issued.body.checkCode,
      total: "157.00",
      reference: "CLAIM-9",
    };
    const ins = { key: creds.insurer.apiKey };
    await check("POST", "/api/v1/reimbursements", "/api/v1/reimbursements", { ...ins, body: mark });
    await check("POST", "/api/v1/reimbursements", "/api/v1/reimbursements", { ...ins, body: mark });
    await check("POST", `/api/v1/invoices/${issued.body.id}/void`, "/api/v1/invoices/:id/void", { ...h, body: { reason: "开错" } });
    await check("POST", `/api/v1/reimbursements/${mark.billCode}/${mark.billNumber}/release`, "/api/v1/reimbursements/:billCode/:billNumber/release", ins);
    await check("DELETE", `/api/v1/reimbursements/${mark.billCode}/${mark.billNumber}`, "/api/v1/reimbursements/:billCode/:billNumber", ins);
    await check("POST", `/api/v1/invoices/${issued.body.id}/void`, "/api/v1/invoices/:id/void", { ...h, body: { reason: "开错" } });
    await check("POST", `/api/v1/invoices/${issued.body.id}/void`, "/api/v1/invoices/:id/void", { ...h, body: { reason: "开错" } });
    // The bureau.
    const b = { key: creds.bureau.apiKey };
    await check("GET", "/api/v1/issuers", "/api/v1/issuers", b);
    await check("GET", `/api/v1/issuers/${creds.hospital.institutionId}`, "/api/v1/issuers/:id", b);
    await check("GET", "/api/v1/issuers/nope", "/api/v1/issuers/:id", b);
    await check("GET", "/api/v1/registry/stats?groupBy=month", "/api/v1/registry/stats", b);
    await check("GET", "/api/v1/registry/bills?limit=5", "/api/v1/registry/bills", b);
    await check("GET", "/api/v1/registry/reconciliation", "/api/v1/registry/reconciliation", b);
    await check("GET", "/api/v1/audit", "/api/v1/audit", b);
    await check("GET", "/metrics", "/metrics");
    expect(seen.length).to.be.at.least(35);
  });
});
