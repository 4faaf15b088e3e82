import { execFileSync } from "node:child_process";
import { expect } from "chai";
import { renderBillPdf } from "../../server/pdf/render";
import { extractEnvelope } from "../../server/pdf/extract";
import { RENDERER, readDocument } from "../../server/pdf/document";
import type { Bill } from "../../server/issuance/model";
import { decodeQr, pdfText, rasterise, savePdf } from "./helpers";
import { VERIFY_URL, donation, envelopeOf, inKind, inpatient, longNames, outpatient, red } from "./fixtures";
import { paginate, type MeasuredRow } from "../../server/pdf/table";
import type { MedicalBill } from "../../server/issuance/model";

// Uncompressed since lianpiao-pdf/2 (deterministic across zlib builds): about twice the size it was.
// (The long-names budget is 121 KB since issue 16: the attachment carries the 300-byte SM2 seal.)
const cases: { name: string; bill: Bill; title: string; person: string; pages: number; maxKb: number }[] = [
  { name: "outpatient", bill: outpatient, title: "医疗收费电子票据", person: "张三", pages: 1, maxKb: 100 },
  { name: "inpatient", bill: inpatient, title: "医疗收费电子票据", person: "John Smith", pages: 4, maxKb: 260 },
  { name: "donation", bill: donation, title: "公益事业捐赠统一票据", person: "陈小明", pages: 1, maxKb: 100 },
  { name: "long-names", bill: longNames, title: "医疗收费电子票据", person: "张三", pages: 1, maxKb: 121 },
  { name: "red", bill: red, title: "医疗收费电子票据（红字）", person: "张三", pages: 1, maxKb: 100 },
];

describe("bill PDF rendering", () => {
  for (const c of cases) {
    describe(`the ${c.name} bill`, () => {
      const envelope = envelopeOf(c.bill);
      let pdf: Buffer;
      let file: string;
      before(async () => {
        pdf = await renderBillPdf(envelope, { verifyUrl: VERIFY_URL });
        file = savePdf(c.name, pdf);
      });

      it("shows a QR code on every page that decodes to exactly the verify URL", () => {
        const pngs = rasterise(file, c.name);
        expect(pngs).to.have.length(c.pages);
        for (const png of pngs) expect(decodeQr(png)).to.equal(VERIFY_URL);
      });

      it("carries real text in an embedded font: title, payer or donor, bill number, total", () => {
        const text = pdfText(file);
        expect(text).to.include(c.title);
        expect(text).to.include(c.person);
        expect(text).to.include(c.bill.billNumber);
        expect(text).to.include(c.bill.totalInWords);
        expect(text).to.include(`第 ${c.pages} 页 / 共 ${c.pages} 页`);
      });

      it("embeds the envelope and how it was rendered (renderer, the exact QR link), which extract back unchanged", () => {
        const got = extractEnvelope(pdf);
        expect(got).to.deep.equal({ ok: true, envelope: { ...envelope, document: { renderer: RENDERER, verifyUrl: VERIFY_URL } } });
        expect(readDocument(got.ok ? got.envelope : null)).to.deep.equal({ ok: true, envelope, document: { renderer: RENDERER, verifyUrl: VERIFY_URL } });
      });

      it("renders the same bill to the same bytes", async () => {
        const again = await renderBillPdf(envelopeOf(c.bill), { verifyUrl: VERIFY_URL });
        expect(again.equals(pdf)).to.equal(true);
      });

      it(`stays under ${c.maxKb} KB`, () => {
        expect(pdf.length).to.be.at.most(c.maxKb * 1024);
      });
    });
  }

  it("lists every one of 40 inpatient items once, none lost between pages", async () => {
    const text = pdfText(savePdf("inpatient-items", await renderBillPdf(envelopeOf(inpatient), { verifyUrl: VERIFY_URL })));
    for (const item of inpatient.items) expect(text.split(item.code).length - 1, item.code).to.equal(1);
    expect(text).to.include("续下页");
  });

  it("states on a red bill which bill it cancels and why", async () => {
    const text = pdfText(savePdf("red-text", await renderBillPdf(envelopeOf(red), { verifyUrl: VERIFY_URL })));
    expect(text).to.include("RED (VOID) BILL");
    expect(text).to.include("35010126-0000012345");
    expect(text).to.include("患者退费");
  });

  it("prints the metadata of the bill: title, issuer, creator, issue time", async () => {
    const file = savePdf("metadata", await renderBillPdf(envelopeOf(outpatient), { verifyUrl: VERIFY_URL }));
    const info = execFileSync("pdfinfo", ["-isodates", file]).toString("utf8");
    expect(info).to.match(/Title:\s+医疗收费电子票据 35010126-0000012345/);
    expect(info).to.match(/Author:\s+福州市第一人民医院/);
    expect(info).to.match(/Creator:\s+lianpiao/);
    expect(info).to.match(/CreationDate:\s+2026-11-23T02:31:07Z/);
  });

  it("gives different bills different document IDs", async () => {
    const id = (b: Buffer) => /\/ID \[<([0-9a-f]+)>/.exec(b.toString("latin1"))?.[1];
    const a = await renderBillPdf(envelopeOf(outpatient, "01"), { verifyUrl: VERIFY_URL });
    const b = await renderBillPdf(envelopeOf(donation, "02"), { verifyUrl: VERIFY_URL });
    expect(id(a)).to.match(/^[0-9a-f]{32}$/);
    expect(id(a)).to.not.equal(id(b));
  });
});

describe("what a bill prints", function () {
  this.timeout(120_000);

  it("prints nothing the issuer did not send: SPEC §7's outpatient bill has no insurance type and no fee category", async () => {
    const text = pdfText(savePdf("spec-outpatient", await renderBillPdf(envelopeOf(outpatient), { verifyUrl: VERIFY_URL })));
    for (const derived of ["城镇职工", "城乡居民", "自费 Self", "其他费", "西药费 西药费"]) expect(text, derived).to.not.include(derived);
    // what it did send, and the settlement under its standard names
    expect(text).to.match(/医保统筹基金支付\s+¥90\.00/);
    expect(text).to.match(/个人账户支付\s+¥30\.00/);
    expect(text).to.match(/个人现金支付\s+¥37\.00/);
  });

  it("prints the national fields as sent: passport, stay and days, serial, institution type, spec and unit, the full settlement", async () => {
    const text = pdfText(savePdf("national-inpatient", await renderBillPdf(envelopeOf(inpatient), { verifyUrl: VERIFY_URL })));
    for (const shown of [
      "护照",
      "2026-11-08 至 2026-11-28（20 天 days）",
      "HIS2026112800231",
      "综合医院",
      "0.25g×24粒",
      "城乡居民基本医疗保险",
      "¥100.00",
      "¥350.00",
      "¥250.00",
    ])
      expect(text, shown).to.include(shown);
    expect(text).to.not.include("E12345678");
  });

  it("prints an anonymous donor and goods with their valuation", async () => {
    const text = pdfText(savePdf("in-kind", await renderBillPdf(envelopeOf(inKind), { verifyUrl: VERIFY_URL })));
    for (const shown of ["匿名 Anonymous", "定向 Restricted", "实物 In kind", "估值依据", "DON-2026-000089"]) expect(text, shown).to.include(shown);
  });

  it("never leaves a page with only the totals, for any number of rows", () => {
    const row = (h: number): MeasuredRow => ({ cells: [], height: h });
    for (let n = 1; n <= 120; n++) {
      for (const heights of [[11.5], [11.5, 19], [19]]) {
        const rows = Array.from({ length: n }, (_, i) => row(heights[i % heights.length]));
        const pages = paginate(rows, 163, 110);
        expect(pages.flat()).to.have.length(n);
        for (const p of pages) expect(p.length, `${n} rows`).to.be.greaterThan(0);
        expect(pages[pages.length - 1].reduce((s, r) => s + r.height, 0)).to.be.at.most(110);
      }
    }
  });

  it("renders 1,000 items with a line item on every page, the last one included", async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ code: `X${i + 1}`, name: `项目${i + 1}`, quantity: "1", unitPrice: "1.00", amount: "1.00" }));
    const bill: MedicalBill = { ...outpatient, items, total: "1000.00", totalInWords: "壹仟元整", insurance: undefined };
    delete (bill as Partial<MedicalBill>).insurance;
    const file = savePdf("thousand", await renderBillPdf(envelopeOf(bill), { verifyUrl: VERIFY_URL }));
    const pages = pdfText(file)
      .split("\f")
      .filter((p) => p.trim());
    expect(pages.length).to.be.greaterThan(50);
    pages.forEach((p, i) => expect(p, `page ${i + 1}`).to.match(/项目\d+/));
    expect(pages[pages.length - 1])
      .to.include("项目1000")
      .and.include("壹仟元整");
  });
});
