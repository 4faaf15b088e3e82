// Reading the QR code printed on a PDF's first page from its vector drawing (server/pdf/printed-qr.ts).
import { deflateSync } from "node:zlib";
import { expect } from "chai";
import { qrMatrix } from "../../server/pdf/qr";
import { readPrintedQr } from "../../server/pdf/printed-qr";
import { renderBillPdf } from "../../server/pdf/render";
import { VERIFY_URL, donation, envelopeOf, inpatient, longNames, outpatient, red } from "./fixtures";
import { buildPdf } from "./helpers";

const stream = (content: string, compress = true): [string, Buffer] => {
  const body = compress ? deflateSync(Buffer.from(content, "latin1")) : Buffer.from(content, "latin1");
  return [`<< /Length ${body.length}${compress ? " /Filter /FlateDecode" : ""} >>`, body];
};

/** A one-page PDF (catalog 1, pages 2, page 3, content 4) with this page content. */
const onePage = (content: string, compress = true) =>
  buildPdf([
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 400] /Contents 4 0 R >>",
    stream(content, compress),
  ]);

/** `text` as `re` runs filled black, top-left module at (x, top) in y-up page space. */
function qrOps(text: string, x: number, top: number, unit: number, fill = "0 g"): string {
  const { runs } = qrMatrix(text);
  const rects = runs.map((r) => `${x + r.x * unit} ${top - (r.y + 1) * unit} ${r.width * unit} ${unit} re`);
  return `q ${fill}\n${rects.join("\n")}\nf Q\n`;
}

function expectCode(pdf: Buffer, codes: string[]): void {
  const started = Date.now();
  const got = readPrintedQr(pdf);
  expect(Date.now() - started, "milliseconds").to.be.below(1000);
  expect(got.ok, JSON.stringify(got)).to.equal(false);
  if (!got.ok) expect(codes, got.message).to.include(got.code);
}

describe("reading the QR code printed on a PDF", () => {
  let real: Buffer;
  before(async () => {
    real = await renderBillPdf(envelopeOf(outpatient), { verifyUrl: VERIFY_URL });
  });

  it("decodes, from the vectors, exactly the verifyUrl each rendered bill was given", async () => {
    const long = `https://piao.fuzhou.example.gov.cn/public/e-bill/verification/v/${"01JD7Q3W8ZK5C4M2N6P0R9T1VX".repeat(3)}?k=${"Xq8vN2mB7cL4pR0sT6wY1zA3-_".repeat(4)}`;
    const cases = [
      [outpatient, VERIFY_URL],
      [inpatient, "http://localhost:8080/v/01JD7Q3W8ZK5C4M2N6P0R9T1V1?k=a"],
      [longNames, long],
      [donation, "https://piao.example.gov.cn/v/01JD7Q3W8ZK5C4M2N6P0R9T1V2?k=Yy8vN2mB7cL4pR0sT6wY1zA9"],
      [red, "https://piao.example.gov.cn/v/01JD7Q3W8ZK5C4M2N6P0R9T1V3?k=Zz8vN2mB7cL4pR0sT6wY1zA0"],
    ] as const;
    for (const [bill, url] of cases) {
      const got = readPrintedQr(await renderBillPdf(envelopeOf(bill), { verifyUrl: url }));
      expect(got, bill.billNumber).to.deep.equal({ ok: true, text: url, texts: [url] });
    }
  });

  it("reads a code drawn in page space without pdfkit's flip, and one drawn in RGB or CMYK black", () => {
    for (const fill of ["0 g", "0 0 0 rg", "/DeviceRGB cs 0.1 0.1 0.1 scn", "0 0 0 1 k"]) {
      const got = readPrintedQr(onePage(qrOps(VERIFY_URL, 20, 380, 1.5, fill)));
      expect(got, fill).to.deep.include({ ok: true, text: VERIFY_URL });
    }
  });

  it("reads a code scaled by a cm transform, from an uncompressed stream", () => {
    const got = readPrintedQr(onePage(`q 2 0 0 2 10 10 cm\n${qrOps(VERIFY_URL, 0, 150, 1)}Q`, false));
    expect(got).to.deep.include({ ok: true, text: VERIFY_URL });
  });

  it("finds the page tree inside a compressed object stream, as re-saved PDFs keep it", () => {
    const inner = [
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 400] /Contents [5 0 R] >>",
    ];
    let header = "";
    let body = "";
    inner.forEach((o, i) => {
      header += `${i + 1} ${body.length} `;
      body += `${o}\n`;
    });
    const packed = deflateSync(Buffer.from(header + body));
    const pdf = buildPdf([
      "null", "null", "null",
      [`<< /Type /ObjStm /N 3 /First ${header.length} /Filter /FlateDecode /Length ${packed.length} >>`, packed],
      stream(qrOps(VERIFY_URL, 20, 380, 1.5)),
    ]);
    // objects 1..3 exist only inside the object stream
    const text = pdf.toString("latin1").replace(/\n[123] 0 obj\nnull\nendobj(?=\n)/g, "");
    expect(readPrintedQr(Buffer.from(text, "latin1"))).to.deep.include({ ok: true, text: VERIFY_URL });
  });

  it("reports every code drawn on the page, the top-left one first", () => {
    const other = "https://piao.example.gov.cn/v/OTHER?k=other";
    const got = readPrintedQr(onePage(qrOps(VERIFY_URL, 20, 380, 1.5) + qrOps(other, 250, 120, 0.8)));
    expect(got).to.deep.equal({ ok: true, text: VERIFY_URL, texts: [VERIFY_URL, other] });
  });

  it("says NO_QR for a code placed as an image, for a rotated drawing, and for a page without one", () => {
    expectCode(onePage("q 76 0 0 76 10 300 cm /Im1 Do Q\nBT /F1 12 Tf 10 10 Td (no code here) Tj ET"), ["NO_QR"]);
    expectCode(onePage(`q 0 1 -1 0 300 0 cm\n${qrOps(VERIFY_URL, 20, 380, 1.5)}Q`), ["NO_QR"]);
    expectCode(onePage("0 0 0 rg 10 10 100 100 re f 1 0 0 RG 10 10 m 200 200 l S"), ["NO_QR"]);
  });

  it("says UNREADABLE for a damaged code on an intact grid", () => {
    const { size } = qrMatrix(VERIFY_URL);
    const smudge = Array.from({ length: size - 20 }, (_, i) => `20 ${380 - (i + 10) * 1.5 - 1.5} ${size * 1.5} 1.5 re`).join("\n");
    expectCode(onePage(qrOps(VERIFY_URL, 20, 380, 1.5) + `0 g\n${smudge}\nf\n`), ["UNREADABLE"]);
  });

  it("gives a code, quickly, for garbage, truncated, oversized and bomb inputs", () => {
    expectCode(Buffer.from("this is not a pdf at all"), ["NOT_PDF"]);
    expectCode(Buffer.alloc(0), ["NOT_PDF"]);
    for (const cut of [200, 1000]) expectCode(real.subarray(0, cut), ["MALFORMED", "NO_QR"]);
    // cut after the first page: the printed code may still be there, but no cut makes it throw or hang
    for (const cut of [real.length / 2, real.length - 40]) {
      const started = Date.now();
      const got = readPrintedQr(real.subarray(0, cut));
      expect(Date.now() - started).to.be.below(1000);
      if (got.ok) expect(got.text).to.equal(VERIFY_URL);
    }
    const got = readPrintedQr(real, { maxInputBytes: 1000 });
    expect(got).to.include({ ok: false, code: "TOO_LARGE" });
    expectCode(Buffer.concat([real, Buffer.alloc(21 * 1024 * 1024)]), ["TOO_LARGE"]);
    // 64 MB of content compressed into a small stream
    const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expectCode(buildPdf([
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
      "<< /Type /Page /Contents 4 0 R >>",
      [`<< /Length ${bomb.length} /Filter /FlateDecode >>`, bomb],
    ]), ["TOO_LARGE"]);
    // millions of operators: stopped by the operator cap or the clock
    expectCode(onePage("q Q ".repeat(600_000)), ["TOO_LARGE", "TIMEOUT"]);
    expectCode(onePage("(unterminated string \\) ... "), ["NO_QR"]);
  });

  it("never throws on random bytes after a PDF header", () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let i = 0; i < 200; i++) {
      const bytes = Buffer.from(Array.from({ length: 50 + Math.floor(rnd() * 2000) }, () => Math.floor(rnd() * 256)));
      // splice random bytes into the real PDF, too
      const at = Math.floor(rnd() * real.length);
      const spliced = Buffer.concat([real.subarray(0, at), bytes, real.subarray(at + bytes.length)]);
      for (const pdf of [Buffer.concat([Buffer.from("%PDF-1.7\n"), bytes]), spliced]) {
        const got = readPrintedQr(pdf);
        expect(got.ok === true || typeof got.code === "string").to.equal(true);
      }
    }
  });
});
