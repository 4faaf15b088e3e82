// The upload parse pool (issue 14): the same answers as the request thread, a hard deadline that
// stops a runaway parse, and a request thread that runs while a worker parses.
import { expect } from "chai";
import { craftedManyObjectPdf } from "../../scripts/lib/crafted-pdf";
import { PdfParsePool, PdfParseTimeoutError } from "../../server/pdf/parse-pool";
import { renderBillPdf } from "../../server/pdf/render";
import { inThreadParser } from "../../server/pdf/upload-parser";
import { VERIFY_URL, envelopeOf, outpatient } from "./fixtures";

describe("the PDF upload parse pool", function () {
  this.timeout(60_000);
  let pool: PdfParsePool;
  let genuine: Buffer;
  before(async () => {
    pool = new PdfParsePool({ size: 1, deadlineMs: 10_000 });
    genuine = await renderBillPdf(envelopeOf(outpatient), { verifyUrl: VERIFY_URL });
  });
  after(() => pool.close());

  it("extracts, hashes and compares exactly as the request thread does", async () => {
    const appended = Buffer.concat([genuine, Buffer.from("1 0 obj\n<</OpenAction 2 0 R>>\nendobj\n")]);
    expect(await pool.extract(genuine)).to.deep.equal(await inThreadParser.extract(genuine));
    expect(await pool.compare(appended, genuine)).to.deep.equal(await inThreadParser.compare(appended, genuine));
  });

  it("refuses a file of 150,000 tiny objects with PDF_TOO_COMPLEX, and the request thread runs meanwhile", async () => {
    let ticked = false;
    setTimeout(() => (ticked = true), 0);
    const { result } = await pool.extract(craftedManyObjectPdf());
    expect(result).to.include({ ok: false, code: "PDF_TOO_COMPLEX" });
    // the worker copies and scans megabytes: a zero-delay timer of this thread fires first
    expect(ticked).to.equal(true);
  });

  it("stops a parse past its deadline with PdfParseTimeoutError, then serves the next upload", async () => {
    const strict = new PdfParsePool({ size: 1, deadlineMs: 1 });
    try {
      // uncapped, the crafted file takes the worker hundreds of milliseconds: far past 1 ms
      const err = await strict.extract(craftedManyObjectPdf(), { maxObjects: Infinity }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(PdfParseTimeoutError);
      expect(err).to.include({ code: "PDF_PARSE_TIMEOUT", deadlineMs: 1 });
      expect(strict.stats()).to.include({ size: 1, busy: 0, queued: 0 });
    } finally {
      await strict.close();
    }
    const { result } = await pool.extract(genuine);
    expect(result.ok).to.equal(true);
  });
});
