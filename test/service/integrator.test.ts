// An integrator's API, through the typed client generated from the OpenAPI document (openapi-fetch):
// issuing SPEC §7's bodies and bills with the national fields, the refusals an HIS meets, finding
// bills by number, 业务流水号, visit number, payer name and dates, voiding, reimbursement, and the
// bureau's search with the same filters. A request or answer the document does not describe does
// not compile.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { DONATION_EXAMPLE, INPATIENT_EXAMPLE, IN_KIND_EXAMPLE, MEDICAL_EXAMPLE } from "../helpers/api";
import { apiClient, type Schemas } from "../helpers/client";
import { startService, tempDir, type DemoCreds, type ServiceProcess } from "../helpers/processes";

type InvoiceRequest = Schemas["InvoiceRequest"];

describe("the integrator's API through the generated client", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

  const hospital = () => apiClient(svc.url, creds.hospital.apiKey);
  const charity = () => apiClient(svc.url, creds.charity.apiKey);
  const bureau = () => apiClient(svc.url, creds.bureau.apiKey);
  const insurer = () => apiClient(svc.url, creds.insurer.apiKey);

  async function issue(body: unknown, client = hospital()) {
    const r = await client.POST("/api/v1/invoices", { body: body as InvoiceRequest });
    expect(r.response.status, JSON.stringify(r.error)).to.equal(201);
    return r.data!;
  }

  async function anchored(id: string) {
    for (let i = 0; i < 200; i++) {
      const r = await hospital().GET("/api/v1/invoices/{id}", { params: { path: { id } } });
      if (r.data?.status === "anchored" && r.data.anchor) return r.data;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`bill ${id} not anchored`);
  }

  before(async () => {
    svc = await startService({});
    creds = svc.credentials();
  });
  after(async () => svc?.stop());

  it("issues SPEC §7's two bodies exactly as they stand, recording only what was sent", async () => {
    const medical = await issue(MEDICAL_EXAMPLE);
    expect(medical).to.include({ kind: "medical", total: "157.00", status: "pending" });
    const detail = await anchored(medical.id);
    const bill = detail.bill as Record<string, any>;
    expect(bill).to.not.have.any.keys("insuranceType", "businessSerial", "visitDate");
    expect(bill.items.map((i: Record<string, unknown>) => i.category)).to.deep.equal([undefined, undefined]);
    expect(bill.insurance).to.deep.equal({ fundPaid: "90.00", accountPaid: "30.00", cashPaid: "37.00" });
    const donation = await issue(DONATION_EXAMPLE, charity());
    expect(donation).to.include({ kind: "donation", total: "500.00" });
  });

  it("issues bills with the national fields: a passport, stay dates and days, the full settlement; goods from an anonymous donor", async () => {
    const inpatient = await issue(INPATIENT_EXAMPLE);
    const bill = (await anchored(inpatient.id)).bill as Record<string, any>;
    expect(bill.payer).to.deep.equal({ name: "John Smith", idType: "passport", idNumber: "E12345678" });
    expect(bill).to.include({
      admissionDate: "2026-11-08",
      dischargeDate: "2026-11-12",
      inpatientDays: 4,
      businessSerial: "HIS2026112800231",
      institutionType: "综合医院",
    });
    expect(bill.insurance).to.deep.equal({
      fundPaid: "180.00",
      accountPaid: "40.00",
      otherPaid: "20.00",
      cashPaid: "60.00",
      coPayment: "63.00",
      selfFunded: "37.00",
    });
    const pdf = await hospital().GET("/api/v1/invoices/{id}/pdf", { params: { path: { id: inpatient.id } }, parseAs: "arrayBuffer" });
    expect(pdf.response.headers.get("content-type")).to.equal("application/pdf");
    const gift = await issue(IN_KIND_EXAMPLE, charity());
    const { data } = await charity().GET("/api/v1/invoices/{id}", { params: { path: { id: gift.id } } });
    expect((data!.bill as Record<string, any>).donor).to.deep.equal({ type: "anonymous" });
  });

  it("issues a bill of 1,000 items with their national fields, and serves its PDF with a line item on every page", async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({
      code: `86900234${String(i).padStart(6, "0")}`,
      name: `注射用头孢呋辛钠（第${i + 1}项）`,
      category: "西药费",
      specification: "0.75g×10支/盒",
      unit: "盒",
      quantity: "1",
      unitPrice: "12.50",
      amount: "12.50",
    }));
    const body = { ...INPATIENT_EXAMPLE, items, total: "12500.00", insurance: { fundPaid: "9000.00", accountPaid: "1000.00", cashPaid: "2500.00" } };
    expect(Buffer.byteLength(JSON.stringify(body))).to.be.above(150_000);
    const bill = await issue(body);
    const pdf = await hospital().GET("/api/v1/invoices/{id}/pdf", { params: { path: { id: bill.id } }, parseAs: "arrayBuffer" });
    expect(pdf.response.status).to.equal(200);
    const file = path.join(tempDir(), "thousand.pdf");
    fs.writeFileSync(file, Buffer.from(pdf.data as ArrayBuffer));
    const pages = execFileSync("pdftotext", ["-layout", file, "-"])
      .toString("utf8")
      .split("\f")
      .filter((p) => p.trim());
    expect(pages.length).to.be.greaterThan(50);
    pages.forEach((p, i) => expect(p, `page ${i + 1}`).to.match(/第\d+项/));
    expect(pages[pages.length - 1])
      .to.include("第1000项")
      .and.include("壹万贰仟伍佰元整");
  });

  it("refuses a bill with every problem at once, each with its path and stable code", async () => {
    const body = structuredClone(INPATIENT_EXAMPLE) as Record<string, any>;
    body.payer = { name: "陈大文", idType: "hk-macao-permit", idNumber: "X1234567" };
    body.inpatientDays = 5;
    body.insurance.otherPaid = "25.00";
    const r = await hospital().POST("/api/v1/invoices", { body: body as InvoiceRequest });
    expect(r.response.status).to.equal(422);
    expect(r.error!.code).to.equal("VALIDATION_FAILED");
    expect(r.error!.errors!.map((e) => [e.path, e.code])).to.have.deep.members([
      ["payer.idNumber", "ID_NUMBER_INVALID"],
      ["inpatientDays", "INPATIENT_DAYS_MISMATCH"],
      ["insurance", "INSURANCE_SPLIT_MISMATCH"],
    ]);
  });

  it("finds an issuer's bills by bill number, 业务流水号, visit number, payer name and dates, and only its own", async () => {
    const a = await issue({ ...MEDICAL_EXAMPLE, payer: { name: "王小二" }, visitNumber: "MZ-LOOKUP-1", businessSerial: "HIS-LOOKUP-1" });
    const b = await issue({ ...MEDICAL_EXAMPLE, payer: { name: "王小二" }, visitNumber: "MZ-LOOKUP-2", businessSerial: "HIS-LOOKUP-2" });
    const list = (query: Record<string, string | number>) => hospital().GET("/api/v1/invoices", { params: { query } });
    expect((await list({ billNumber: a.billNumber })).data!.items.map((x) => x.id)).to.deep.equal([a.id]);
    expect((await list({ billNumber: a.billNumber, billCode: a.billCode })).data!.items.map((x) => x.id)).to.deep.equal([a.id]);
    expect((await list({ businessSerial: "HIS-LOOKUP-2" })).data!.items.map((x) => x.id)).to.deep.equal([b.id]);
    expect((await list({ visitNumber: "MZ-LOOKUP-1" })).data!.items.map((x) => x.id)).to.deep.equal([a.id]);
    expect((await list({ payerName: "王小二" })).data!.items.map((x) => x.id)).to.deep.equal([b.id, a.id]);
    expect((await list({ payerName: "王小二", from: today, to: today })).data!.items).to.have.length(2);
    expect((await list({ payerName: "王小二", to: "2020-01-01" })).data!.items).to.deep.equal([]);
    expect((await list({ businessSerial: "HIS-LOOKUP-1", status: "voided" })).data!.items).to.deep.equal([]);
    // the charity cannot find the hospital's bill by its number
    const other = await charity().GET("/api/v1/invoices", { params: { query: { billNumber: a.billNumber } } });
    expect(other.data!.items).to.deep.equal([]);
  });

  it("answers an unknown or misspelt query parameter with 400 UNKNOWN_QUERY_PARAMETER naming it, never silently", async () => {
    const r = await fetch(`${svc.url}/api/v1/invoices?billNumbr=0000000001&limit=5`, { headers: { authorization: `Bearer ${creds.hospital.apiKey}` } });
    expect(r.status).to.equal(400);
    const p = (await r.json()) as Schemas["Problem"];
    expect(p.code).to.equal("UNKNOWN_QUERY_PARAMETER");
    expect(p.errors).to.deep.equal([{ path: "billNumbr", code: "UNKNOWN_QUERY_PARAMETER", message: "is not a query parameter of this endpoint" }]);
    const bad = await hospital().GET("/api/v1/invoices", { params: { query: { billNumber: "12" } } });
    expect(bad.response.status).to.equal(400);
    expect(bad.error!.code).to.equal("INVALID_QUERY");
  });

  it("voids a bill and marks another reimbursed through the client, with the documented answers and errors", async () => {
    const one = await issue({ ...MEDICAL_EXAMPLE, businessSerial: "HIS-VOID-1" });
    await anchored(one.id);
    const voided = await hospital().POST("/api/v1/invoices/{id}/void", { params: { path: { id: one.id } }, body: { reason: "开错" } });
    expect(voided.response.status).to.equal(200);
    expect(voided.data!.status).to.equal("voided");
    expect(voided.data!.redBill.total).to.equal("-157.00");
    const twice = await hospital().POST("/api/v1/invoices/{id}/void", { params: { path: { id: one.id } }, body: { reason: "开错" } });
    expect(twice.response.status).to.equal(409);
    expect(twice.error!.code).to.equal("ALREADY_VOIDED");

    const two = await issue(MEDICAL_EXAMPLE);
    await anchored(two.id);
    const mark = { billCode: two.billCode, billNumber: two.billNumber, checkCode: two.checkCode, total: "157.00", reference: "CLAIM-INT-1" };
    const m = await insurer().POST("/api/v1/reimbursements", { body: mark });
    expect(m.response.status).to.equal(201);
    expect(m.data!).to.include({ billCode: two.billCode, billNumber: two.billNumber, reference: "CLAIM-INT-1" });
    const again = await insurer().POST("/api/v1/reimbursements", { body: mark });
    expect(again.response.status).to.equal(409);
    expect(again.error!.code).to.equal("ALREADY_REIMBURSED");
    const wrong = await insurer().POST("/api/v1/reimbursements", { body: { ...mark, checkCode: "ZZZZZZ" } });
    expect(wrong.error!.code).to.equal("BILL_NOT_FOUND");
  });

  it("lets the bureau search with the same filters, unknown parameters refused", async () => {
    const s = await issue({ ...MEDICAL_EXAMPLE, payer: { name: "赵小明" }, businessSerial: "HIS-REG-1", visitNumber: "MZ-REG-1" });
    // the 200 of this search is JSON, CSV or XLSX (the document says so): ask for JSON
    const search = async (query: Record<string, string | undefined>) => {
      const r = await bureau().GET("/api/v1/registry/bills", { params: { query }, headers: { accept: "application/json" } });
      expect(r.response.status, JSON.stringify(query)).to.equal(200);
      return r.data as Schemas["RegistryBills"];
    };
    const queries: Array<Record<string, string>> = [
      { billNumber: s.billNumber },
      { businessSerial: "HIS-REG-1" },
      { visitNumber: "MZ-REG-1" },
      { payerName: "赵小明", from: today },
    ];
    for (const q of queries) {
      const page = await search(q);
      expect(
        page.items.map((x) => x.id),
        JSON.stringify(q),
      ).to.deep.equal([s.id]);
      expect(page.items[0].holder).to.equal("赵**");
    }
    const unknown = await fetch(`${svc.url}/api/v1/registry/bills?payer=赵小明`, { headers: { authorization: `Bearer ${creds.bureau.apiKey}` } });
    expect(unknown.status).to.equal(400);
    expect(((await unknown.json()) as Schemas["Problem"]).errors![0].path).to.equal("payer");
  });
});
