// POST /api/v1/verify: a PDF verified from its embedded attachment alone, genuine and tampered.
import { expect } from "chai";
import { call, DONATION_EXAMPLE, MEDICAL_EXAMPLE } from "../helpers/api";
import { renderBillPdf } from "../../server/pdf";
import type { BillEnvelope } from "../../server/issuance/model";
import {
  checkOf,
  expectAllPassed,
  fetchEnvelope,
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

describe("verifying an uploaded PDF bill", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let bill: Issued;
  let other: Issued;
  let env: BillEnvelope;
  let otherEnv: BillEnvelope;
  let genuine: Buffer;

  before(async () => {
    svc = await sharedService();
    creds = svc.credentials();
    bill = await issueAnchored(svc.url, creds.hospital.apiKey);
    // a second batch: the other bill must not share this bill's root
    other = await issueAnchored(svc.url, creds.hospital.apiKey, {
      ...MEDICAL_EXAMPLE,
      payer: { name: "李雷" },
      total: "37.00",
      items: [MEDICAL_EXAMPLE.items[0]],
      insurance: { fundPaid: "0.00", accountPaid: "0.00", selfPaid: "37.00" },
    });
    env = await fetchEnvelope(svc.url, creds.hospital.apiKey, bill.id);
    otherEnv = await fetchEnvelope(svc.url, creds.hospital.apiKey, other.id);
    expect(otherEnv.anchor!.root).to.not.equal(env.anchor!.root);
    genuine = await fetchPdf(svc.url, creds.hospital.apiKey, bill.id);
  });

  const tampered = (change: (e: BillEnvelope) => BillEnvelope) => renderBillPdf(change(structuredClone(env)), { verifyUrl: bill.verifyUrl });

  it("says VALID with all six checks passed for the genuine PDF (the file check sixth)", async () => {
    const r = await uploadPdf(svc.url, genuine);
    expect(r.status).to.equal(200);
    expect(r.body.verdict).to.equal("VALID");
    expectAllPassed(r.body);
    expect(r.body.checks.map((c: { name: string }) => c.name)).to.deep.equal(["integrity", "inclusion", "issuer", "status", "signature", "sm2", "file"]);
    expect(r.body.bill.billNumber).to.equal(bill.billNumber);
    expect(checkOf(r.body, "file").detail).to.include("exactly a PDF this service delivered for this bill");
  });

  it("says VALID for a donation receipt of the demo charity", async () => {
    const gift = await issueAnchored(svc.url, creds.charity.apiKey, DONATION_EXAMPLE);
    const r = await uploadPdf(svc.url, await fetchPdf(svc.url, creds.charity.apiKey, gift.id));
    expect(r.body.verdict).to.equal("VALID");
    expect(r.body.bill.holder).to.deep.equal({ role: "donor", name: "陈**" });
  });

  it("says INVALID with integrity failed when the amount in the attachment was edited", async () => {
    const pdf = await tampered((e) => ({ ...e, bill: { ...e.bill, total: "1157.00", totalInWords: "壹仟壹佰伍拾柒元整" } }));
    const r = await uploadPdf(svc.url, pdf);
    expect(r.body.verdict).to.equal("INVALID");
    expect(checkOf(r.body, "integrity")).to.include({ status: "failed", code: "HASH_MISMATCH" });
    expect(checkOf(r.body, "file")).to.include({ status: "skipped" });
    expect(r.body.bill.total).to.equal("1157.00");
  });

  it("says INVALID with inclusion failed when the proof is another bill's", async () => {
    const pdf = await tampered((e) => ({ ...e, anchor: otherEnv.anchor }));
    const r = await uploadPdf(svc.url, pdf);
    expect(r.body.verdict).to.equal("INVALID");
    expect(checkOf(r.body, "integrity").status).to.equal("passed");
    expect(checkOf(r.body, "inclusion")).to.include({ status: "failed", code: "PROOF_MISMATCH" });
  });

  it("says INVALID with signature failed when the signature is another bill's", async () => {
    const r = await uploadPdf(svc.url, await tampered((e) => ({ ...e, signature: otherEnv.signature })));
    expect(r.body.verdict).to.equal("INVALID");
    expect(checkOf(r.body, "signature").status).to.equal("failed");
  });

  // Decision (issue 4): the QR code printed on the paper must be this very bill's link. Another
  // genuine bill printed with this bill's QR code would otherwise verify as itself while scanning as
  // this bill. Since Protocol v2 the file must be exactly the file rendered from its attachment, whose
  // document.verifyUrl is then exactly the printed link: the file check fails when it is not the bill's own.
  it("says INVALID with the file check failed for a genuine rendering of another bill carrying this bill's QR code", async () => {
    const pdf = await renderBillPdf(otherEnv, { verifyUrl: bill.verifyUrl });
    expect(qrOfPdf(pdf, `swapped-qr-${bill.id}`)).to.equal(bill.verifyUrl);
    const r = await uploadPdf(svc.url, pdf);
    expect(r.status).to.equal(200);
    expect(r.body.verdict).to.equal("INVALID");
    const file = checkOf(r.body, "file");
    expect(file).to.include({ status: "failed", code: "QR_OTHER_BILL" });
    expect(file.detail).to.include("belongs to another bill").and.include(other.billNumber);
    // nothing about the bill the code belongs to is told
    expect(JSON.stringify(r.body)).to.not.include(bill.billNumber).and.not.include(bill.id);
    // the attachment itself is genuine: only the pairing with the printed code is wrong
    for (const name of ["integrity", "inclusion", "issuer", "signature"]) expect(checkOf(r.body, name).status).to.equal("passed");
    expect(r.body.bill.billNumber).to.equal(other.billNumber);
    // scanning the code still shows this bill, as before
    const scanned = await verifyUrlJson(bill.verifyUrl);
    expect(scanned.body.verdict).to.equal("VALID");
    expect(scanned.body.bill.billNumber).to.equal(bill.billNumber);
  });

  it("says INVALID, with one answer for a wrong key and an unknown id, when the printed link is not the bill's own", async () => {
    const wrongKey = bill.verifyUrl.replace(/k=[^&]*$/, "k=not-the-key");
    const unknownId = bill.verifyUrl.replace(`/v/${bill.id}`, "/v/NO0SUCH0BILL0000000000000");
    const details: string[] = [];
    for (const url of [wrongKey, unknownId, other.verifyUrl]) {
      const r = await uploadPdf(svc.url, await renderBillPdf(env, { verifyUrl: url }));
      expect(r.body.verdict, url).to.equal("INVALID");
      expect(checkOf(r.body, "file"), url).to.include({ status: "failed", code: "QR_OTHER_BILL" });
      details.push(checkOf(r.body, "file").detail);
    }
    expect(new Set(details).size).to.equal(1);
    expect(details[0]).to.not.include(other.billNumber);
  });

  it("says INVALID when the printed QR code does not point to a verification page of this registry", async () => {
    const foreign = `${new URL(bill.verifyUrl).origin}/verify?bill=${bill.id}&k=x`;
    const r = await uploadPdf(svc.url, await renderBillPdf(env, { verifyUrl: foreign }));
    expect(r.body.verdict).to.equal("INVALID");
    expect(checkOf(r.body, "file")).to.include({ status: "failed", code: "QR_OTHER_SITE" });
    expect(checkOf(r.body, "file").detail).to.include("does not point to this registry's verification page");
  });

  it("uses the store's proof for a PDF saved before its bill was anchored, and still checks it on chain", async () => {
    // the bytes this service delivered while the bill was pending (the renderer is deterministic)
    const early = await tampered((e) => ({ ...e, anchor: null }));
    const r = await uploadPdf(svc.url, early);
    expect(r.body.verdict).to.equal("VALID");
    expect(checkOf(r.body, "file")).to.include({ status: "passed" });
    expect(r.body.anchor.root).to.equal(env.anchor!.root);
  });

  it("reports who marked the bill reimbursed and when, still VALID", async () => {
    const mark = await call(svc.url, "POST", "/api/v1/reimbursements", {
      key: creds.insurer.apiKey,
      body: { billCode: other.billCode, billNumber: other.billNumber, checkCode: other.checkCode, total: "37.00", reference: "CLAIM-1" },
    });
    expect(mark.status, JSON.stringify(mark.body)).to.equal(201);
    const r = await verifyUrlJson(other.verifyUrl);
    expect(r.body.verdict).to.equal("VALID");
    expect(r.body.reimbursement.by).to.equal(mark.body.by);
    expect(Date.parse(r.body.reimbursement.at)).to.be.a("number").and.not.NaN;
  });

  it("answers garbage and a truncated PDF with 422 PDF_INVALID and the extraction code", async () => {
    const garbage = await uploadPdf(svc.url, Buffer.from("this is not a pdf at all"));
    expect(garbage.status).to.equal(422);
    expect(garbage.body).to.include({ code: "PDF_INVALID", extractCode: "PDF_NOT_PDF" });
    // cut inside the embedded file's stream, so the bill itself is lost
    const cut = genuine.indexOf("/EmbeddedFile") + 60;
    const truncated = await uploadPdf(svc.url, genuine.subarray(0, cut));
    expect(truncated.status).to.equal(422);
    expect(truncated.body.code).to.equal("PDF_INVALID");
    expect(truncated.body.extractCode).to.match(/^PDF_/);
  });

  it("refuses a body over 5 MB with 413 and another content type with 415", async () => {
    const big = await uploadPdf(svc.url, Buffer.concat([genuine, Buffer.alloc(5 * 1024 * 1024)]));
    expect(big.status).to.equal(413);
    expect(big.body.code).to.equal("PAYLOAD_TOO_LARGE");
    const r = await fetch(`${svc.url}/api/v1/verify`, { method: "POST", headers: { "content-type": "text/plain" }, body: "x" });
    expect(r.status).to.equal(415);
  });
});
