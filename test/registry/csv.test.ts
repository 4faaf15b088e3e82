import { expect } from "chai";
import { csvCell, csvCode, csvLine, parseCsv, UTF8_BOM } from "../../server/registry/csv";

describe("CSV cells for spreadsheet software", () => {
  const cases: Array<[unknown, string]> = [
    ["示范市第一人民医院", "示范市第一人民医院"],
    ['say "hi", then go', '"say ""hi"", then go"'],
    ["two\nlines", '"two\nlines"'],
    ['=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ["+1+2", "'+1+2"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["-2+3", "'-2+3"],
    ["-157.00", "-157.00"],
    [null, ""],
    [42, "42"],
  ];
  for (const [value, want] of cases) {
    it(`writes ${JSON.stringify(value)} as ${JSON.stringify(want)}`, () => expect(csvCell(value)).to.equal(want));
  }

  it("parses back what it writes, BOM, quotes, commas and line breaks included", () => {
    const rows = [
      ["票据代码", "开票单位"],
      ["11060126", '慈善"基金会", 北京\r\n分会'],
      ["", "-1.00"],
    ];
    const text = UTF8_BOM + rows.map((r) => csvLine(r)).join("");
    expect(parseCsv(text)).to.deep.equal(rows);
  });

  it('keeps codes as text for spreadsheets: ="0000000001", and wraps nothing that could be a formula', () => {
    expect(csvCode("0000000001")).to.equal('"=""0000000001"""');
    expect(csvCode("91350100M000100Y43")).to.equal('"=""91350100M000100Y43"""');
    expect(csvCode("=cmd|' /C calc'!A0")).to.equal(csvCell("=cmd|' /C calc'!A0"));
    expect(csvCode(null)).to.equal("");
    expect(parseCsv(csvLine(["0000000001", "x"], new Set([0])))).to.deep.equal([['="0000000001"', "x"]]);
  });
});
