import { expect } from "chai";
import { toCapitalNumerals } from "../../server/issuance/capital-numerals";
import { toFen } from "../../server/issuance/money";

describe("toCapitalNumerals", () => {
  const cases: Array<[string, string]> = [
    ["157.00", "壹佰伍拾柒元整"],
    ["1234.56", "壹仟贰佰叁拾肆元伍角陆分"],
    ["100000.10", "壹拾万元零壹角"],
    ["1004.05", "壹仟零肆元零伍分"],
    ["0.50", "伍角"],
    ["10.00", "壹拾元整"],
    ["100010000.00", "壹亿零壹万元整"],
    ["0.00", "零元整"],
    ["0.01", "壹分"],
    ["0.05", "伍分"],
    ["0.56", "伍角陆分"],
    ["1.00", "壹元整"],
    ["1.01", "壹元零壹分"],
    ["1.10", "壹元壹角"],
    ["10.50", "壹拾元零伍角"],
    ["15.00", "壹拾伍元整"],
    ["110.00", "壹佰壹拾元整"],
    ["101.00", "壹佰零壹元整"],
    ["500.00", "伍佰元整"],
    ["1000.50", "壹仟元零伍角"],
    ["1010.10", "壹仟零壹拾元零壹角"],
    ["10010.00", "壹万零壹拾元整"],
    ["10001.00", "壹万零壹元整"],
    ["100000.00", "壹拾万元整"],
    ["105000.00", "壹拾万伍仟元整"],
    ["100500.00", "壹拾万零伍佰元整"],
    ["1100005000.00", "壹拾壹亿零伍仟元整"],
    ["1100105000.00", "壹拾壹亿零壹拾万伍仟元整"],
    ["105000.10", "壹拾万伍仟元零壹角"],
    ["1000000.00", "壹佰万元整"],
    ["1010000.00", "壹佰零壹万元整"],
    ["100000000.00", "壹亿元整"],
    ["100000001.00", "壹亿零壹元整"],
    ["100100100.01", "壹亿零壹拾万零壹佰元零壹分"],
    ["123456789.12", "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分"],
    ["200000000000.00", "贰仟亿元整"],
    ["999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"],
  ];
  for (const [amount, words] of cases) {
    it(`writes ${amount} as ${words}`, () => expect(toCapitalNumerals(toFen(amount))).to.equal(words));
  }

  it("prefixes 负 for the negative amounts of red bills", () => {
    expect(toCapitalNumerals(-15700n)).to.equal("负壹佰伍拾柒元整");
  });

  it("refuses amounts beyond 999999999999.99", () => {
    expect(() => toCapitalNumerals(100_000_000_000_000n)).to.throw(RangeError);
  });

  it("never writes two 零 in a row nor ends the yuan part with 零", () => {
    for (let fen = 1n; fen < 2_000_000n; fen += 997n) {
      const words = toCapitalNumerals(fen * 101n);
      expect(words).not.to.match(/零零|零元|零万|零亿/);
    }
  });
});
