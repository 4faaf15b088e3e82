// Comparing a file with the file issued (server/pdf/issued-file.ts), on genuine renders and on
// forgeries written in real PDF syntax that a viewer really shows (qpdf --check, pdftoppm, pdftotext).
import { expect } from "chai";
import { compareIssuedFile, describeIssuedFile, firstDifference, type IssuedFileFinding } from "../../server/pdf/issued-file";
import { extractEnvelope } from "../../server/pdf/extract";
import { renderBillPdf } from "../../server/pdf/render";
import { VERIFY_URL, donation, envelopeOf, outpatient } from "./fixtures";
import {
  decoyAfterEof,
  drawnOverByUpdate,
  layoutOf,
  paintOver,
  paintedOverInPlace,
  pageAsFormAround,
  partsOf,
  qpdfCheck,
  resavedByQpdf,
  withOpenAction,
} from "./forgeries";
import { decodeQr, pdfText, rasterise, savePdf } from "./helpers";

describe("comparing a file with the file issued", function () {
  this.timeout(60_000);
  let genuine: Buffer;
  let other: Buffer;
  before(async () => {
    genuine = await renderBillPdf(envelopeOf(outpatient), { verifyUrl: VERIFY_URL });
    other = await renderBillPdf(envelopeOf(donation), { verifyUrl: VERIFY_URL });
  });

  const compare = (pdf: Buffer) => compareIssuedFile(pdf, genuine);
  /** the forgery is a sound PDF (qpdf finds nothing wrong) and a viewer shows `text` on its page */
  function viewerShows(pdf: Buffer, name: string, text: string): void {
    const check = qpdfCheck(pdf, name);
    expect(check.status, check.output).to.equal(0);
    expect(pdfText(savePdf(name, pdf))).to.include(text);
    // and the page still shows the bill's QR code: scanning the paper would say VALID
    expect(decodeQr(rasterise(savePdf(name, pdf), name)[0])).to.equal(VERIFY_URL);
  }

  it("finds the first differing byte, also past whole blocks", () => {
    const a = Buffer.alloc(10_000, 7);
    const b = Buffer.from(a);
    expect(firstDifference(a, b)).to.equal(10_000);
    b[9_001] = 8;
    expect(firstDifference(a, b)).to.equal(9_001);
    expect(firstDifference(a, a.subarray(0, 5_000))).to.equal(5_000);
  });

  it("says identical for the very bytes", () => {
    const f = compare(Buffer.from(genuine));
    expect(f).to.deep.equal({ kind: "identical", bytes: genuine.length });
    expect(describeIssuedFile(f)).to.include("byte for byte");
  });

  it("names the object holding the first differing byte: page content, page, catalog, font, attachment, trailer", () => {
    const at = (needle: string) => {
      const b = Buffer.from(genuine);
      b[genuine.indexOf(needle, 0, "latin1") + 1] ^= 1;
      const f = compare(b) as Extract<IssuedFileFinding, { kind: "modified" }>;
      expect(f.kind).to.equal("modified");
      return describeIssuedFile(f);
    };
    const p = partsOf(genuine);
    expect(at("BT\n")).to.include(`object ${p.contents}: the content stream of page 1 of 1`);
    expect(at("/Type /Page\n")).to.include(`object ${p.page}: the dictionary of page 1 of 1`);
    expect(at("/Type /Catalog")).to.include(`object ${p.catalog}: the document catalog`);
    expect(at("/FontFile2")).to.include("the font descriptor of");
    expect(at('"total":"157.00"')).to.include("the embedded bill (lianpiao-bill.json)");
    expect(at("/Title")).to.include("the document information dictionary");
    expect(at("/Root")).to.include("the trailer");
    expect(describeIssuedFile(compare(Buffer.concat([Buffer.from("%PDF-1.4"), genuine.subarray(8)])))).to.include("the file header");
  });

  it("attack: the total painted over, the page's content stream rewritten in place", async () => {
    const forged = paintedOverInPlace(genuine, "¥157.00", "¥9157.00");
    viewerShows(forged, "painted-in-place", "9157.00");
    expect(extractEnvelope(forged)).to.deep.include({ ok: true });
    const f = compare(forged);
    expect(f.kind).to.equal("modified");
    const p = partsOf(genuine);
    // the renderer writes the page's resources just before its content stream: the first change is there
    expect(describeIssuedFile(f)).to.match(new RegExp(`inside object (${p.resources}: the resources|${p.contents}: the content stream) of page 1 of 1`));
  });

  it("attack: the total painted over through an incremental update", () => {
    const forged = drawnOverByUpdate(genuine, paintOver(genuine, "¥157.00", "¥9157.00"));
    viewerShows(forged, "painted-by-update", "9157.00");
    const f = compare(forged);
    expect(f.kind).to.equal("appended");
    const text = describeIssuedFile(f);
    expect(text).to.include(`plus ${forged.length - genuine.length} bytes after its %%EOF`);
    expect(text).to.include(`redefines object ${partsOf(genuine).page} (the dictionary of page 1 of 1)`);
    expect(text).to.include("incremental update");
  });

  it("attack: an incremental update that draws over the page (a stamp)", () => {
    const stamp = "q 1 0 0 rg BT /FForged 40 Tf 200 150 Td (PAID - REIMBURSED) Tj ET Q\n";
    const forged = drawnOverByUpdate(genuine, stamp);
    viewerShows(forged, "stamped-by-update", "PAID - REIMBURSED");
    expect(compare(forged).kind).to.equal("appended");
  });

  it("attack: another bill's page drawn as a Form XObject around this bill's attachment", () => {
    const forged = pageAsFormAround(other, genuine);
    expect(qpdfCheck(forged, "form-xobject").status).to.equal(0);
    const text = pdfText(savePdf("form-xobject", forged));
    expect(text).to.include("陈小明").and.not.include("张三");
    // it carries this bill: the attachment is byte for byte this bill's
    expect(extractEnvelope(forged)).to.deep.equal(extractEnvelope(genuine));
    const f = compare(forged);
    expect(f.kind).to.equal("modified");
    expect(describeIssuedFile(f)).to.include("differs from the issued file from byte");
  });

  it("attack: a decoy object appended after %%EOF (the reader takes the last definition, viewers follow the xref)", () => {
    const forged = decoyAfterEof(other, genuine);
    expect(qpdfCheck(forged, "decoy").status).to.equal(0);
    // a viewer shows the other bill; the attachment reader takes the decoy: this bill
    expect(pdfText(savePdf("decoy", forged))).to.include("陈小明");
    expect(extractEnvelope(forged)).to.deep.equal(extractEnvelope(genuine));
    const f = compare(forged);
    expect(f.kind).to.equal("modified");
    expect(describeIssuedFile(f)).to.include("the embedded bill (lianpiao-bill.json)");
    // the same decoy after this bill's own file: the issued file plus objects, no xref of their own
    const tail = describeIssuedFile(compare(decoyAfterEof(genuine, genuine)));
    expect(tail).to.include("after its %%EOF").and.include("redefines object").and.include("the embedded bill");
  });

  it("attack: JavaScript added as an OpenAction", () => {
    const forged = withOpenAction(genuine, "app.alert('paid');");
    expect(qpdfCheck(forged, "open-action").status).to.equal(0);
    const text = describeIssuedFile(compare(forged));
    expect(text)
      .to.include(`redefines object ${partsOf(genuine).catalog} (the document catalog)`)
      .and.include("/OpenAction")
      .and.include("/JavaScript");
  });

  it("attack: the file truncated", () => {
    const l = layoutOf(genuine);
    const cut = genuine.subarray(0, l.xrefAt + 40);
    expect(extractEnvelope(cut)).to.deep.include({ ok: true });
    const f = compare(cut);
    expect(f).to.include({ kind: "truncated", bytes: cut.length, issued: genuine.length });
    expect(describeIssuedFile(f)).to.include("cut off inside the cross-reference table");
  });

  it("attack: the file re-saved by qpdf (the same content, another structure)", () => {
    for (const args of [[], ["--object-streams=generate"]]) {
      const forged = resavedByQpdf(genuine, `resaved-${args.length}`, args);
      expect(pdfText(savePdf(`resaved-${args.length}`, forged))).to.equal(pdfText(savePdf("genuine-for-qpdf", genuine)));
      expect(extractEnvelope(forged)).to.deep.equal(extractEnvelope(genuine));
      const f = compare(forged);
      expect(f.kind).to.equal("modified");
      expect(describeIssuedFile(f)).to.include("the file header");
    }
  });
});
