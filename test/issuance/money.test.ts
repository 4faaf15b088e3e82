import { expect } from "chai";
import {
  MAX_FEN,
  formatFen,
  formatQuantity,
  lineAmount,
  normalizeAmount,
  normalizeQuantity,
  parseAmount,
  parseQuantity,
  sumAmounts,
  sumFen,
  toFen,
} from "../../server/issuance/money";

describe("money", () => {
  describe("parseAmount", () => {
    const valid: Array<[string, bigint]> = [
      ["157", 15700n],
      ["157.5", 15750n],
      ["157.00", 15700n],
      ["0", 0n],
      ["0.00", 0n],
      ["0.01", 1n],
      ["0.5", 50n],
      ["18.50", 1850n],
      ["1234.56", 123456n],
      ["999999999999.99", 99_999_999_999_999n],
    ];
    for (const [text, fen] of valid) {
      it(`reads "${text}" as ${fen} fen`, () => {
        expect(parseAmount(text)).to.deep.equal({ ok: true, value: fen });
      });
    }

    const malformed: unknown[] = [
      "",
      " 1",
      "1 ",
      "1e3",
      "-1",
      "+1",
      "01",
      "01.0",
      "00",
      "1.",
      ".5",
      "1.234",
      "1,000",
      "１２",
      "0x10",
      "NaN",
      "Infinity",
      "1.2.3",
      157,
      157.5,
      null,
      undefined,
      {},
      ["1"],
    ];
    for (const text of malformed) {
      it(`rejects ${JSON.stringify(text) ?? "undefined"} as malformed`, () => {
        expect(parseAmount(text)).to.deep.equal({ ok: false, error: "FORMAT" });
      });
    }

    for (const text of ["1000000000000", "1000000000000.00", "99999999999999999999"]) {
      it(`rejects ${text} as beyond the cap`, () => {
        expect(parseAmount(text)).to.deep.equal({ ok: false, error: "TOO_LARGE" });
      });
    }
  });

  describe("formatFen", () => {
    const cases: Array<[bigint, string]> = [
      [0n, "0.00"],
      [1n, "0.01"],
      [50n, "0.50"],
      [15700n, "157.00"],
      [123456n, "1234.56"],
      [MAX_FEN, "999999999999.99"],
      [-15700n, "-157.00"],
      [-5n, "-0.05"],
    ];
    for (const [fen, text] of cases) {
      it(`writes ${fen} fen as "${text}"`, () => expect(formatFen(fen)).to.equal(text));
    }

    it("round-trips every amount it parses", () => {
      for (const t of ["0.00", "0.07", "10.10", "157.00", "999999999999.99"]) expect(formatFen(toFen(t))).to.equal(t);
    });
  });

  it("normalizes amounts to two fraction digits", () => {
    expect(["37", "37.5", "37.50", "0"].map(normalizeAmount)).to.deep.equal(["37.00", "37.50", "37.50", "0.00"]);
  });

  it("throws from toFen on a malformed amount, naming the reason", () => {
    expect(() => toFen("1.234")).to.throw(RangeError, /FORMAT/);
  });

  it("sums amounts exactly where binary floats would drift", () => {
    // 0.1 + 0.2 !== 0.3 in floats
    expect(formatFen(sumAmounts(["0.10", "0.20"]))).to.equal("0.30");
    expect(sumFen([1n, 2n, 3n])).to.equal(6n);
    expect(sumFen([])).to.equal(0n);
  });

  describe("quantities", () => {
    const valid: Array<[string, string]> = [
      ["2", "2"],
      ["2.0", "2"],
      ["2.50", "2.5"],
      ["0.25", "0.25"],
      ["1.2345", "1.2345"],
      ["99999999", "99999999"],
    ];
    for (const [text, canonical] of valid) {
      it(`accepts quantity "${text}" and writes it as "${canonical}"`, () => {
        expect(normalizeQuantity(text)).to.equal(canonical);
      });
    }
    for (const text of ["0", "0.0000", "-1", "1.23456", "01", "1e2", "", " 2", "100000000", 2]) {
      it(`rejects quantity ${JSON.stringify(text)}`, () => expect(parseQuantity(text).ok).to.equal(false));
    }
    it("writes ten-thousandths back without trailing zeros", () => {
      expect(formatQuantity(15000n)).to.equal("1.5");
      expect(formatQuantity(1n)).to.equal("0.0001");
    });
  });

  describe("lineAmount", () => {
    const cases: Array<[string, string, string]> = [
      ["2", "18.50", "37.00"],
      ["1", "120.00", "120.00"],
      ["3", "0.33", "0.99"],
      ["0.5", "0.01", "0.01"], // 0.005 rounds half-up to 0.01
      ["0.4", "0.01", "0.00"], // 0.004 rounds down
      ["1.5", "3.33", "5.00"], // 4.995 → 5.00
      ["0.3333", "10.00", "3.33"],
      ["2.5", "0.05", "0.13"], // 0.125 → 0.13
      ["12", "0.00", "0.00"],
    ];
    for (const [q, price, amount] of cases) {
      it(`computes ${q} × ${price} = ${amount}, rounded half-up to the fen`, () => {
        const qty = parseQuantity(q);
        if (!qty.ok) throw new Error("fixture quantity");
        expect(formatFen(lineAmount(qty.value, toFen(price)))).to.equal(amount);
      });
    }
  });
});
