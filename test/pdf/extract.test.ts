import { deflateSync } from "node:zlib";
import { expect } from "chai";
import { extractEnvelope } from "../../server/pdf/extract";
import { renderBillPdf } from "../../server/pdf/render";
import { VERIFY_URL, envelopeOf, outpatient } from "./fixtures";
import { buildPdf } from "./helpers";

const JSON_BODY = Buffer.from(JSON.stringify({ format: "lianpiao-bill/1", hello: "世界" }));
const deflated = deflateSync(JSON_BODY);
const fileObj = (body: Buffer, extra = ""): [string, Buffer] => [`<< /Type /EmbeddedFile /Filter /FlateDecode /Length ${body.length} ${extra}>>`, body];
const spec = (name: string) => `<< /Type /Filespec /F ${name} /UF ${name} /EF << /F 3 0 R >> >>`;

function expectCode(pdf: Buffer, code: string, limits = {}): void {
  const started = Date.now();
  const got = extractEnvelope(pdf, limits);
  expect(Date.now() - started, "milliseconds").to.be.below(1000);
  expect(got.ok).to.equal(false);
  if (!got.ok) expect(got.code, got.message).to.equal(code);
}

describe("extracting the embedded bill from a PDF", () => {
  let real: Buffer;
  before(async () => {
    real = await renderBillPdf(envelopeOf(outpatient), { verifyUrl: VERIFY_URL });
  });

  it("reads the attachment of a hand-made PDF with a literal name", () => {
    const got = extractEnvelope(buildPdf(["<< /Type /Catalog >>", spec("(lianpiao-bill.json)"), fileObj(deflated)]));
    expect(got).to.deep.equal({ ok: true, envelope: { format: "lianpiao-bill/1", hello: "世界" } });
  });

  it("reads names written as hex or UTF-16 strings, and an indirect /Length", () => {
    const hex = `<${Buffer.from("lianpiao-bill.json").toString("hex")}>`;
    const utf16 = `<feff${Buffer.from("lianpiao-bill.json", "utf16le").swap16().toString("hex")}>`;
    for (const name of [hex, utf16]) {
      const pdf = buildPdf([
        "<< /Type /Catalog >>",
        spec(name),
        [`<< /Type /EmbeddedFile /Filter /FlateDecode /Length 4 0 R >>`, deflated],
        String(deflated.length),
      ]);
      expect(extractEnvelope(pdf).ok, name).to.equal(true);
    }
  });

  it("finds a file specification kept inside a compressed object stream, as re-saved PDFs do", () => {
    const inner = spec("(lianpiao-bill.json)");
    const header = "2 0 ";
    const body = deflateSync(Buffer.from(header + inner));
    const pdf = buildPdf([
      "<< /Type /Catalog >>",
      [`<< /Type /ObjStm /N 1 /First ${header.length} /Filter /FlateDecode /Length ${body.length} >>`, body],
      fileObj(deflated),
    ]);
    expect(extractEnvelope(pdf).ok).to.equal(true);
  });

  it("refuses data that is not a PDF", () => {
    expectCode(Buffer.from("GIF89a not a pdf at all"), "PDF_NOT_PDF");
    expectCode(Buffer.alloc(0), "PDF_NOT_PDF");
  });

  it("says when a PDF has no lianpiao attachment", () => {
    expectCode(buildPdf(["<< /Type /Catalog >>", spec("(invoice.xml)"), fileObj(deflated)]), "PDF_NO_ATTACHMENT");
    expectCode(Buffer.from("%PDF-1.4\n" + "garbage ".repeat(1000)), "PDF_NO_ATTACHMENT");
  });

  it("refuses a decompression bomb (100 MB of zeros) quickly", () => {
    const bomb = deflateSync(Buffer.alloc(100 * 1024 * 1024));
    expectCode(buildPdf(["<< /Type /Catalog >>", spec("(lianpiao-bill.json)"), fileObj(bomb)]), "PDF_ATTACHMENT_TOO_LARGE");
  });

  it("refuses an attachment that declares more than the cap", () => {
    expectCode(
      buildPdf(["<< /Type /Catalog >>", spec("(lianpiao-bill.json)"), fileObj(deflated, "/Params << /Size 50000000 >> ")]),
      "PDF_ATTACHMENT_TOO_LARGE",
    );
  });

  it("refuses a PDF larger than the input cap before reading it", () => {
    expectCode(real, "PDF_TOO_LARGE", { maxInputBytes: 1024 });
  });

  it("refuses a truncated attachment, and never returns a damaged envelope from a cut-off PDF", () => {
    const cut = buildPdf(["<< /Type /Catalog >>", spec("(lianpiao-bill.json)"), fileObj(deflated)]);
    const stream = cut.indexOf("stream\n") + 7;
    expectCode(cut.subarray(0, stream + 10), "PDF_MALFORMED");
    const whole = extractEnvelope(real);
    for (let at = 0.05; at < 1; at += 0.05) {
      const got = extractEnvelope(real.subarray(0, Math.floor(real.length * at)));
      if (got.ok) expect(got, `cut at ${at}`).to.deep.equal(whole);
      else expect(got.code).to.be.oneOf(["PDF_NO_ATTACHMENT", "PDF_MALFORMED"]);
    }
  });

  it("refuses corrupt deflate data and an attachment that is not JSON", () => {
    const corrupt = Buffer.from(deflated);
    corrupt.fill(0x41, 2, 12);
    expectCode(buildPdf(["<< /Type /Catalog >>", spec("(lianpiao-bill.json)"), fileObj(corrupt)]), "PDF_MALFORMED");
    expectCode(buildPdf(["<< /Type /Catalog >>", spec("(lianpiao-bill.json)"), fileObj(deflateSync("not json"))]), "PDF_MALFORMED");
  });

  it("never throws on random bytes after a PDF header", () => {
    let seed = 7;
    for (let i = 0; i < 200; i++) {
      const junk = Buffer.alloc(2000, 0).map(() => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff);
      const pdf = Buffer.concat([Buffer.from("%PDF-1.7\n1 0 obj\n<< /EF << /F 2 0 R >> /F (lianpiao-bill.json) "), junk]);
      expect(extractEnvelope(pdf).ok).to.equal(false);
    }
  });
});
