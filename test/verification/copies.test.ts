// Redacted copies over HTTP: the holder (whoever has the QR link's key k) downloads a copy with the ID
// number, the items and the payer's name withheld, as JSON and as PDF; the copy verifies VALID (the PDF
// by upload too: it is re-rendered from its own attachment, its QR code is the copy's own link) and the
// answer lists what it withholds; the withheld ID number is nowhere in the copy's bytes; a copy whose
// withheld field is put back with another value fails the integrity check.
import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import { call } from "../helpers/api";
import { renderBillPdf } from "../../server/pdf";
import type { BillEnvelope } from "../../server/issuance/model";
import {
  checkOf,
  expectAllPassed,
  fetchPdf,
  issueAnchored,
  qrOfPdf,
  sharedService,
  uploadPdf,
  verifyUrlJson,
  type DemoCreds,
  type Issued,
  type ServiceProcess,
} from "./fixtures";

const ID_NUMBER = "11010519491231002X";
const ALL = "idNumber,items,payerName";
const POINTERS = ["/items", "/payer/idNumber", "/payer/name"];

describe("redacted copies", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let bill: Issued;
  const holderCopy = (format: "pdf" | "json", withhold: string, k = new URL(bill.verifyUrl).searchParams.get("k")) =>
    fetch(`${svc.url}/v/${bill.id}/copy.${format}?k=${k}&withhold=${withhold}`);

  before(async () => {
    svc = await sharedService();
    creds = svc.credentials();
    bill = await issueAnchored(svc.url, creds.hospital.apiKey);
  });

  it("gives the holder a JSON copy without the ID number, the items and the payer's name, their salts gone, the totals kept", async () => {
    const r = await holderCopy("json", ALL);
    expect(r.status).to.equal(200);
    const text = await r.text();
    // the holder's complete envelope carries the ID number: the copy's bytes do not, in any form
    const full = await call(svc.url, "GET", `/api/v1/invoices/${bill.id}/envelope`, { key: creds.hospital.apiKey });
    expect(JSON.stringify(full.body)).to.contain(ID_NUMBER);
    expect(text).to.not.contain(ID_NUMBER).and.to.not.contain("张三").and.to.not.contain("西药费");
    const copy = JSON.parse(text) as BillEnvelope & { document: { verifyUrl: string } };
    expect(Object.keys(copy.withheld).sort()).to.deep.equal(POINTERS);
    for (const p of POINTERS) expect(copy.salts[p], p).to.equal(undefined);
    expect(copy.bill.total).to.equal("157.00");
    expect((copy.bill as any).insurance.cashPaid).to.equal("37.00");
    expect(copy.billHash).to.equal(full.body.billHash);
    // the copy's own link: no key k (whoever has k can fetch the complete bill)
    expect(copy.document.verifyUrl).to.match(/\/v\/[^/?]+\/copy\?w=idNumber,items,payerName&c=[A-Za-z0-9_-]{22}$/);
    expect(copy.document.verifyUrl).to.not.contain("k=");
    const v = await verifyUrlJson(copy.document.verifyUrl.replace(/^https?:\/\/[^/]+/, svc.url));
    expect(v.status).to.equal(200);
    expect(v.body.verdict).to.equal("VALID");
    expect(v.body.withheld.sort()).to.deep.equal(POINTERS);
    expect(v.body.bill.holder.name).to.equal(null);
    const page = await (await fetch(copy.document.verifyUrl.replace(/^https?:\/\/[^/]+/, svc.url))).text();
    expect(page).to.contain("持票人已隐去").and.to.contain("/payer/idNumber").and.to.not.contain(ID_NUMBER);
    // the copy's page offers no downloads (it has no key); the holder's page does, and its links work
    expect(page).to.not.contain("data-copies");
    const holderPage = await (await fetch(bill.verifyUrl.replace(/^https?:\/\/[^/]+/, svc.url))).text();
    const link = /href="(\/v\/[^"]+\/copy\.pdf\?k=[^"&]+&amp;withhold=idNumber,items,payerName)"/.exec(holderPage);
    expect(link, "a download link on the holder's page").to.not.equal(null);
    const got = await fetch(`${svc.url}${link![1].replace(/&amp;/g, "&")}`);
    expect([got.status, got.headers.get("content-type")]).to.deep.equal([200, "application/pdf"]);
  });

  it("gives the holder a PDF copy that verifies VALID on upload, byte for byte re-created from its own attachment, and lists what it withholds", async () => {
    const r = await holderCopy("pdf", ALL);
    expect([r.status, r.headers.get("content-type")]).to.deep.equal([200, "application/pdf"]);
    const pdf = Buffer.from(await r.arrayBuffer());
    const genuine = await fetchPdf(svc.url, creds.hospital.apiKey, bill.id);
    expect(genuine.includes(Buffer.from(ID_NUMBER, "latin1")), "the holder's full PDF carries the ID number").to.equal(true);
    expect(pdf.includes(Buffer.from(ID_NUMBER, "latin1")), "the copy's bytes do not").to.equal(false);
    expect(pdf.includes(Buffer.from(ID_NUMBER, "utf16le"))).to.equal(false);
    const v = await uploadPdf(svc.url, pdf);
    expect(v.body.verdict, JSON.stringify(v.body.checks)).to.equal("VALID");
    expectAllPassed(v.body);
    expect(checkOf(v.body, "file").detail).to.contain("byte for byte").and.to.contain("copy's own verification link");
    expect(v.body.withheld.sort()).to.deep.equal(POINTERS);
    // its printed QR code is the copy's link, as read from the page's pixels
    expect(qrOfPdf(pdf, "redacted-copy")).to.match(/\/copy\?w=idNumber,items,payerName&c=/);
  });

  it("fails the integrity check of a copy whose withheld ID number is put back with another value", async () => {
    const copy = (await (await holderCopy("json", "idNumber")).json()) as BillEnvelope & { document?: unknown };
    const { document: doc, ...env } = copy as BillEnvelope & { document: { verifyUrl: string } };
    const forged = structuredClone(env) as any;
    delete forged.withheld["/payer/idNumber"];
    forged.bill.payer = { ...forged.bill.payer, idNumber: "110105194912310038" };
    forged.salts["/payer/idNumber"] = hexlify(randomBytes(32));
    const pdf = await renderBillPdf(forged, { verifyUrl: doc.verifyUrl });
    const v = await uploadPdf(svc.url, pdf);
    expect(v.body.verdict).to.equal("INVALID");
    expect(checkOf(v.body, "integrity")).to.include({ status: "failed", code: "HASH_MISMATCH" });
    // and the genuine copy, rendered from the same attachment, is VALID
    const good = await uploadPdf(svc.url, await renderBillPdf(env as BillEnvelope, { verifyUrl: doc.verifyUrl }));
    expect(good.body.verdict, JSON.stringify(good.body.checks)).to.equal("VALID");
  });

  it("refuses a copy link whose mac is not this bill's for these fields (a copy PDF relabelled), and a wrong key", async () => {
    const copy = (await (await holderCopy("json", "items")).json()) as any;
    const url = String(copy.document.verifyUrl).replace(/^https?:\/\/[^/]+/, svc.url);
    // the mac of "items" does not open the copy of "idNumber,items"
    const other = url.replace("w=items", "w=idNumber,items");
    expect((await verifyUrlJson(other)).status).to.equal(404);
    // a copy PDF rendered with another copy's link fails the file check
    const relabelled = await renderBillPdf({ ...copy, document: undefined, withheld: copy.withheld } as BillEnvelope, {
      verifyUrl: other.replace(svc.url, new URL(bill.verifyUrl).origin),
    });
    const up = await uploadPdf(svc.url, relabelled);
    expect(up.body.verdict).to.equal("INVALID");
    expect(checkOf(up.body, "file").code).to.equal("QR_OTHER_BILL");
    expect((await holderCopy("json", "items", "wrong-key")).status).to.equal(404);
  });

  it("answers 400 INVALID_WITHHOLD for a field that cannot be withheld, and gives the issuer the same copy through the API", async () => {
    const bad = await holderCopy("json", "idNumber,total");
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as any).code).to.equal("INVALID_WITHHOLD");
    const api = await call(svc.url, "GET", `/api/v1/invoices/${bill.id}/copy?withhold=${ALL}&format=json`, { key: creds.hospital.apiKey });
    expect(api.status).to.equal(200);
    expect(Object.keys(api.body.withheld).sort()).to.deep.equal(POINTERS);
    expect(JSON.stringify(api.body)).to.not.contain(ID_NUMBER);
    const pdf = await fetch(`${svc.url}/api/v1/invoices/${bill.id}/copy?withhold=idNumber`, { headers: { authorization: `Bearer ${creds.hospital.apiKey}` } });
    expect([pdf.status, pdf.headers.get("content-type")]).to.deep.equal([200, "application/pdf"]);
    const other = await call(svc.url, "GET", `/api/v1/invoices/${bill.id}/copy?withhold=items`, { key: creds.charity.apiKey });
    expect(other.status).to.equal(404);
    const unknown = await call(svc.url, "GET", `/api/v1/invoices/${bill.id}/copy?withhold=items&k=1`, { key: creds.hospital.apiKey });
    expect([unknown.status, unknown.body.code]).to.deep.equal([400, "UNKNOWN_QUERY_PARAMETER"]);
  });
});
