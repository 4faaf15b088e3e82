import { expect } from "chai";
import { PdfPoolBusyError, PdfRenderPool } from "../../server/render/pool";
import { renderBillPdf } from "../../server/pdf/render";
import { VERIFY_URL, donation, envelopeOf, outpatient } from "./fixtures";

describe("the PDF render pool", function () {
  this.timeout(60_000);
  let pool: PdfRenderPool;
  before(() => {
    pool = new PdfRenderPool({ size: 2, maxQueue: 3 });
  });
  after(() => pool.close());

  it("renders in worker threads the same bytes as the request thread would", async () => {
    const [a, b] = await Promise.all([
      pool.render(envelopeOf(outpatient), { verifyUrl: VERIFY_URL }),
      pool.render(envelopeOf(donation), { verifyUrl: VERIFY_URL }),
    ]);
    expect(a.equals(await renderBillPdf(envelopeOf(outpatient), { verifyUrl: VERIFY_URL }))).to.equal(true);
    expect(b.equals(await renderBillPdf(envelopeOf(donation), { verifyUrl: VERIFY_URL }))).to.equal(true);
  });

  it("refuses work beyond its queue with a typed busy error, and still finishes what it accepted", async () => {
    const jobs = Array.from({ length: 8 }, () => pool.render(envelopeOf(outpatient), { verifyUrl: VERIFY_URL }));
    const results = await Promise.allSettled(jobs);
    const done = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(done).to.have.length(5);
    expect(refused).to.have.length(3);
    for (const r of refused) {
      expect(r.reason).to.be.instanceOf(PdfPoolBusyError);
      expect(r.reason).to.include({ code: "PDF_RENDER_BUSY", status: 503 });
    }
    expect(pool.stats()).to.deep.equal({ size: 2, busy: 0, queued: 0 });
  });

  it("reports a failed render as an error and keeps serving", async () => {
    const broken = { ...envelopeOf(outpatient), bill: { ...outpatient, items: null } } as never;
    await pool.render(broken, { verifyUrl: VERIFY_URL }).then(
      () => expect.fail("rendered a bill without items"),
      (err: Error & { code?: string }) => expect(err.code).to.equal("PDF_RENDER_FAILED"),
    );
    const pdf = await pool.render(envelopeOf(outpatient), { verifyUrl: VERIFY_URL });
    expect(pdf.subarray(0, 5).toString()).to.equal("%PDF-");
  });
});
