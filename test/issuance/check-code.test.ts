import { expect } from "chai";
import { CHECK_CODE_ALPHABET, isCheckCode, newBillId, newCheckCode, newVerifyKey } from "../../server/issuance/check-code";

describe("random identifiers", () => {
  it("has a 32-symbol check-code alphabet without 0, O, 1 or I", () => {
    expect(CHECK_CODE_ALPHABET).to.have.length(32);
    expect(new Set(CHECK_CODE_ALPHABET).size).to.equal(32);
    expect(CHECK_CODE_ALPHABET).to.not.match(/[0O1I]/);
  });

  it("draws 6-character check codes from that alphabet, using every symbol", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const code = newCheckCode();
      expect(isCheckCode(code), code).to.equal(true);
      for (const ch of code) seen.add(ch);
    }
    expect(seen.size).to.equal(32);
  });

  it("recognises only well-formed check codes", () => {
    for (const bad of ["7K3M9", "7K3M9PP", "7K3M9O", "7k3m9p", "", 123456]) expect(isCheckCode(bad), String(bad)).to.equal(false);
    expect(isCheckCode("7K3M9P")).to.equal(true);
  });

  it("makes 16-character URL-safe bill ids (96 bits) that do not repeat", () => {
    const ids = new Set(Array.from({ length: 1000 }, newBillId));
    expect(ids.size).to.equal(1000);
    for (const id of ids) expect(id).to.match(/^[A-Za-z0-9_-]{16}$/);
  });

  it("makes 22-character URL-safe verify keys (128 bits) that do not repeat", () => {
    const keys = new Set(Array.from({ length: 1000 }, newVerifyKey));
    expect(keys.size).to.equal(1000);
    for (const k of keys) {
      expect(k).to.match(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(k, "base64url")).to.have.length(16);
    }
  });
});
