// POST /api/v1/verify holds the uploaded file against the file issued (issue "Protocol v2", attack 6):
// a PDF is VALID only when it is exactly what lianpiao issued for the bill it carries. Every forgery
// below is a real PDF a viewer shows (test/pdf/issued-file.test.ts proves it with qpdf and poppler).
import { rmSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { expect } from "chai";
import { MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { startService, type ServiceProcess } from "../helpers/processes";
import { extractEnvelope } from "../../server/pdf";
import { RENDERER } from "../../server/pdf/document";
import { NOTICE } from "../../server/verification/notice";
import {
  decoyAfterEof,
  drawnOverByUpdate,
  layoutOf,
  paintOver,
  paintedOverInPlace,
  pageAsFormAround,
  partsOf,
  resavedByQpdf,
  withOpenAction,
} from "../pdf/forgeries";
import { checkOf, expectAllPassed, fetchPdf, issue, uploadPdf, type Issued } from "./fixtures";

describe("the file check of an uploaded PDF", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let key: string;
  let bill: Issued;
  let pending: Buffer;
  let anchored: Buffer;
  let other: Buffer;

  before(async () => {
    // batches wait 2 s: the first download of a bill is certainly made while it is pending
    svc = await startService({ VERIFY_RATE_PER_MIN: "100000", BATCH_MAX_AGE_MS: "2000" });
    key = svc.credentials().hospital.apiKey;
    bill = await issue(svc.url, key);
    pending = await fetchPdf(svc.url, key, bill.id);
    const otherBill = await issue(svc.url, key, {
      ...MEDICAL_EXAMPLE,
      payer: { name: "李雷" },
      total: "37.00",
      items: [MEDICAL_EXAMPLE.items[0]],
      insurance: { fundPaid: "0.00", accountPaid: "0.00", selfPaid: "37.00" },
    });
    await waitAnchored(svc.url, key, bill.id);
    await waitAnchored(svc.url, key, otherBill.id);
    anchored = await fetchPdf(svc.url, key, bill.id);
    other = await fetchPdf(svc.url, key, otherBill.id);
    const attached = (pdf: Buffer) => (extractEnvelope(pdf) as { envelope: { anchor: unknown; document: unknown } }).envelope;
    expect(attached(pending).anchor, "the first download was made while pending").to.equal(null);
    expect(attached(anchored).anchor).to.not.equal(null);
    expect(attached(anchored).document).to.deep.equal({ renderer: RENDERER, verifyUrl: bill.verifyUrl });
  });
  after(async () => {
    await svc?.stop();
    if (svc) rmSync(svc.dataDir, { recursive: true, force: true });
  });

  /** Uploads a forgery: not VALID, the file check failed with `code`, its detail naming what differs. */
  async function refused(pdf: Buffer, code: string, ...named: string[]): Promise<any> {
    const r = await uploadPdf(svc.url, pdf);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.verdict).to.equal("INVALID");
    const file = checkOf(r.body, "file");
    expect(file).to.include({ status: "failed", code });
    for (const n of named) expect(file.detail).to.include(n);
    // the bill it carries is genuine: only the file gives it away
    for (const name of ["integrity", "inclusion", "issuer", "signature"]) expect(checkOf(r.body, name).status, name).to.equal("passed");
    expect(r.body.checks.map((c: { name: string }) => c.name)).to.deep.equal(["integrity", "inclusion", "issuer", "status", "signature", "sm2", "file"]);
    return r.body;
  }

  it("says VALID for the genuine file as delivered once anchored: a file this service delivered", async () => {
    const r = await uploadPdf(svc.url, anchored);
    expect(r.body.verdict).to.equal("VALID");
    expectAllPassed(r.body);
    expect(checkOf(r.body, "file").detail).to.include("exactly a PDF this service delivered for this bill").and.include(RENDERER);
    expect(r.body.notice).to.equal(NOTICE);
    expect(Object.keys(r.body).slice(0, 2)).to.deep.equal(["verdict", "notice"]);
  });

  it("says VALID for the genuine file as delivered while pending (the store's proof is used)", async () => {
    const r = await uploadPdf(svc.url, pending);
    expect(r.body.verdict).to.equal("VALID");
    expectAllPassed(r.body);
    expect(checkOf(r.body, "file").detail).to.include("exactly a PDF this service delivered");
  });

  it("attack: the total painted over, the content stream rewritten in place", async () => {
    const p = partsOf(anchored);
    await refused(
      paintedOverInPlace(anchored, "¥157.00", "¥9157.00"),
      "FILE_MODIFIED",
      "differs from the issued file from byte",
      `object ${p.resources}: the resources of page 1 of 1`,
    );
  });

  it("attack: the total painted over through an incremental update", async () => {
    const forged = drawnOverByUpdate(anchored, paintOver(anchored, "¥157.00", "¥9157.00"));
    await refused(
      forged,
      "FILE_APPENDED",
      `the issued file plus ${forged.length - anchored.length} bytes after its %%EOF`,
      `redefines object ${partsOf(anchored).page} (the dictionary of page 1 of 1)`,
      "incremental update",
    );
  });

  it("attack: an incremental update that draws over the page", async () => {
    const forged = drawnOverByUpdate(pending, "q 1 0 0 rg BT /FForged 40 Tf 200 150 Td (PAID - REIMBURSED) Tj ET Q\n");
    await refused(forged, "FILE_APPENDED", "after its %%EOF", "the dictionary of page 1 of 1");
  });

  it("attack: another bill's page drawn as a Form XObject around this bill's attachment", async () => {
    const body = await refused(pageAsFormAround(other, anchored), "FILE_MODIFIED", "differs from the issued file from byte");
    expect(body.bill.billNumber).to.equal(bill.billNumber);
  });

  it("attack: a decoy object appended after %%EOF", async () => {
    // shows the other bill, carries (to a last-definition reader) this one
    await refused(decoyAfterEof(other, anchored), "FILE_MODIFIED", "the embedded bill (lianpiao-bill.json)");
    await refused(decoyAfterEof(anchored, anchored), "FILE_APPENDED", "after its %%EOF", "no cross-reference section of its own");
  });

  it("attack: JavaScript added (an OpenAction)", async () => {
    await refused(
      withOpenAction(anchored, "app.alert('paid');"),
      "FILE_APPENDED",
      `redefines object ${partsOf(anchored).catalog} (the document catalog)`,
      "/OpenAction",
      "/JavaScript",
    );
  });

  it("attack: the file truncated", async () => {
    const cut = anchored.subarray(0, layoutOf(anchored).xrefAt + 100);
    await refused(
      cut,
      "FILE_TRUNCATED",
      `the first ${cut.length.toLocaleString("en-US")} of the issued file's ${anchored.length.toLocaleString("en-US")} bytes`,
      "the cross-reference table",
    );
  });

  it("attack: the file re-saved by qpdf (structure changed, content the same)", async () => {
    await refused(resavedByQpdf(anchored, `svc-resaved-${bill.id}`), "FILE_MODIFIED", "the file header");
  });

  it("says ERROR, never INVALID, for a file of another renderer version this service did not deliver", async () => {
    const text = anchored.toString("latin1").replace(`"renderer":"${RENDERER}"`, `"renderer":"${RENDERER.replace(/\d+$/, "9")}"`);
    const r = await uploadPdf(svc.url, Buffer.from(text, "latin1"));
    expect(r.body.verdict).to.equal("ERROR");
    expect(checkOf(r.body, "file")).to.include({ status: "error", code: "RENDERER_MISMATCH" });
    expect(checkOf(r.body, "file").detail).to.include("lianpiao-pdf/9").and.include(`this verifier renders ${RENDERER}`);
  });

  describe("with no record of the files delivered (re-rendered in the worker pool)", () => {
    before(() => {
      const db = new BetterSqlite3(join(svc.dataDir, "lianpiao.sqlite"));
      try {
        db.pragma("busy_timeout = 5000");
        expect(db.prepare("SELECT count(*) AS n FROM delivered_files").get()).to.deep.equal({ n: 3 });
        db.prepare("DELETE FROM delivered_files").run();
      } finally {
        db.close();
      }
    });

    for (const which of ["pending", "anchored"] as const) {
      it(`says VALID for the genuine file as delivered while ${which}, rendered again and compared`, async () => {
        const r = await uploadPdf(svc.url, which === "pending" ? pending : anchored);
        expect(r.body.verdict).to.equal("VALID");
        expectAllPassed(r.body);
        expect(checkOf(r.body, "file").detail)
          .to.include(`byte for byte the file ${RENDERER} renders for this bill`)
          .and.include("its QR code is this bill's verification link");
      });
    }

    it("still refuses a painted-over total and an appended update", async () => {
      await refused(paintedOverInPlace(pending, "¥157.00", "¥9157.00"), "FILE_MODIFIED", "of page 1 of 1");
      await refused(withOpenAction(pending, "app.alert(1);"), "FILE_APPENDED", "/OpenAction");
    });

    it("says ERROR for a file of another renderer version", async () => {
      const text = anchored.toString("latin1").replace(`"renderer":"${RENDERER}"`, `"renderer":"${RENDERER.replace(/\d+$/, "9")}"`);
      const r = await uploadPdf(svc.url, Buffer.from(text, "latin1"));
      expect(r.body.verdict).to.equal("ERROR");
      expect(checkOf(r.body, "file")).to.include({ status: "error", code: "RENDERER_MISMATCH" });
    });
  });
});
