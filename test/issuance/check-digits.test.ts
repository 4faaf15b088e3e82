import { expect } from "chai";
import {
  creditCodeCheckChar,
  isValidCreditCode,
  isValidResidentId,
  makeCreditCode,
  residentIdCheckChar,
  residentIdProblem,
} from "../../server/issuance/check-digits";

/** An independent reading of GB 32100: weights computed as 3^i mod 31 rather than from a table. */
function referenceCreditCheck(prefix: string): string {
  const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  let sum = 0;
  let w = 1;
  for (const ch of prefix) {
    sum += alphabet.indexOf(ch) * w;
    w = (w * 3) % 31;
  }
  const c = 31 - (sum % 31);
  return alphabet[c === 31 ? 0 : c];
}

/** An independent reading of ISO 7064 MOD 11-2: weights 2^(17-i) mod 11 computed, check (12 - Σ mod 11) mod 11. */
function referenceIdCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (2 ** (17 - i) % 11);
  const c = (12 - (sum % 11)) % 11;
  return c === 10 ? "X" : String(c);
}

describe("check digits", () => {
  describe("unified social credit codes (GB 32100-2015)", () => {
    const valid = ["91350100M000100Y43", makeCreditCode("91110000MA0000001"), makeCreditCode("53100000500021676"), makeCreditCode("12100000400000000")];
    for (const code of valid) {
      it(`accepts ${code}`, () => expect(isValidCreditCode(code)).to.equal(true));
    }

    const invalid: Array<[unknown, string]> = [
      ["91350100M000100Y44", "a wrong check character"],
      ["91350100M000100Y4", "17 characters"],
      ["91350100M000100Y431", "19 characters"],
      ["91350100m000100y43", "lowercase letters"],
      ["91350100M0001O0Y43", "the excluded letter O"],
      ["91350100I000100Y43", "the excluded letter I"],
      ["9135A100M000100Y43", "a letter in the division code"],
      ["", "an empty string"],
      [913501001, "a number"],
    ];
    for (const [code, why] of invalid) {
      it(`rejects ${JSON.stringify(code)} (${why})`, () => expect(isValidCreditCode(code)).to.equal(false));
    }

    it("agrees with an independent computation of the check character", () => {
      const prefixes = ["91350100M000100Y4", "91110108551385082", "12100000400010101", "93440300MA5FXXXXX".replace(/X/g, "Y"), "Y1000000000000000"];
      for (const p of prefixes) expect(creditCodeCheckChar(p)).to.equal(referenceCreditCheck(p));
    });

    it("writes a check sum of 31 as the character 0", () => {
      // search a prefix whose weighted sum is a multiple of 31
      for (let n = 0; n < 1000; n++) {
        const p = `911100000000${String(n).padStart(5, "0")}`;
        if (referenceCreditCheck(p) === "0") return expect(makeCreditCode(p)).to.equal(p + "0");
      }
      expect.fail("no fixture prefix found");
    });

    it("refuses to complete a malformed prefix", () => {
      expect(() => makeCreditCode("91350100M000100")).to.throw(RangeError);
      expect(() => makeCreditCode("9135010OM000100Y4")).to.throw(RangeError);
    });
  });

  describe("resident identity numbers (GB 11643-1999)", () => {
    const valid = [
      "11010519491231002X",
      "110101199003070011",
      "440301199003071230",
      "510107200002297896",
      "32010219851111456" + referenceIdCheck("32010219851111456"),
    ];
    for (const id of valid) {
      it(`accepts ${id}`, () => expect(isValidResidentId(id)).to.equal(true));
    }

    const invalid: Array<[unknown, string, string]> = [
      ["110105194912310021", "CHECK", "a wrong check digit"],
      ["11010519491231002x", "FORMAT", "a lowercase x (the schema uppercases first)"],
      ["1101051949123100X2", "FORMAT", "an X before the last place"],
      ["11010519491231002", "FORMAT", "17 characters"],
      ["010105194912310021", "FORMAT", "a leading zero address code"],
      ["110105194913310024", "BIRTH_DATE", "month 13"],
      ["110105190002290025", "BIRTH_DATE", "29 February 1900 (not a leap year)"],
      ["110105189912310022", "BIRTH_DATE", "a birth year before 1900"],
      ["110105299912310022", "BIRTH_DATE", "a birth date in the future"],
      ["11010549123100", "FORMAT", "the old 15-digit form"],
      [11010519491231002, "FORMAT", "a number"],
    ];
    for (const [id, problem, why] of invalid) {
      it(`rejects ${JSON.stringify(id)} as ${problem} (${why})`, () => expect(residentIdProblem(id)).to.equal(problem));
    }

    it("accepts 29 February of a leap year", () => {
      const first17 = "51010720000229789";
      expect(isValidResidentId(first17 + residentIdCheckChar(first17))).to.equal(true);
    });

    it("agrees with an independent computation of the check character", () => {
      for (let n = 0; n < 200; n++) {
        const first17 = `4403011990030${String(7000 + n * 13).padStart(4, "0")}`;
        expect(residentIdCheckChar(first17)).to.equal(referenceIdCheck(first17));
      }
    });

    it("judges the future relative to the given clock", () => {
      const id = "110105202601010018".slice(0, 17);
      const full = id + residentIdCheckChar(id);
      expect(residentIdProblem(full, new Date("2025-06-01T00:00:00Z"))).to.equal("BIRTH_DATE");
      expect(residentIdProblem(full, new Date("2026-06-01T00:00:00Z"))).to.equal(null);
    });
  });
});
