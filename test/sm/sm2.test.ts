// SM3 and SM2 against the published samples (GM/T 0004 / GB/T 32905 Annex A; GM/T 0003.5 / GB/T 32918.5
// Annex A, recommended curve), and the bill seal checked by a second implementation (independent-sm2.ts).
import { expect } from "chai";
import { SM3 } from "gm-crypto";
import { sm2, sm3 } from "sm-crypto-v2";
import { Wallet } from "ethers";
import { sealBillSm2, sealKeyHash, sealKeyOf, sealMessage, sm2Der, sm2Digest, sm2Sign, sm2Verify } from "../../server/sm/sm2";
import { independentSm2Verify, zOf } from "./independent-sm2";

const gmSm3 = (s: string) => Buffer.from(SM3.digest(Buffer.from(s, "utf8")) as ArrayBuffer).toString("hex");

// GB/T 32918.5-2017 Annex A (= GM/T 0003.5-2012), the signature example on the recommended curve.
// Note: that example's user ID is 1234567812345678; "ALICE123@YAHOO.COM" belongs to part 2's examples
// on a different (test) curve, which neither library can be pointed at.
const SAMPLE = {
  d: "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8",
  publicKey: "0x0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13",
  za: "b2e14c5c79c6df5b85f4fe7ed8db7a262b9da7e07ccb0ea9f4747b8ccda8a4f3",
  e: "f0b43e94ba45accaace692ed534382eb17e6ab5a19ce7b31f4486fdfc0d28640",
  k: BigInt("0x59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21"),
  signature: "0xf5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa",
};
const MSG = Buffer.from("message digest");

describe("SM3 and SM2 (the national algorithms)", () => {
  it("SM3 gives GB/T 32905's two sample digests, in both libraries", () => {
    const abc = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0";
    const abcd16 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732";
    expect(sm3("abc")).to.equal(abc);
    expect(gmSm3("abc")).to.equal(abc);
    expect(sm3("abcd".repeat(16))).to.equal(abcd16);
    expect(gmSm3("abcd".repeat(16))).to.equal(abcd16);
  });

  it("SM2 reproduces GM/T 0003.5's recommended-curve signature example: P_A, Z_A, e, and (r, s) from its k", () => {
    expect(`0x${sm2.getPublicKeyFromPrivateKey(SAMPLE.d)}`).to.equal(SAMPLE.publicKey);
    expect(zOf(SAMPLE.publicKey, "1234567812345678").toString("hex")).to.equal(SAMPLE.za);
    expect(sm2Digest(SAMPLE.publicKey, MSG)).to.equal(SAMPLE.e);
    expect(sm2Sign({ privateKey: SAMPLE.d, publicKey: SAMPLE.publicKey }, MSG, { k: SAMPLE.k })).to.equal(SAMPLE.signature);
    expect(sm2Verify(SAMPLE.publicKey, MSG, SAMPLE.signature)).to.equal(true);
    expect(independentSm2Verify(SAMPLE.publicKey, MSG, SAMPLE.signature)).to.equal(true);
    // and not for another message, user ID or signature
    expect(independentSm2Verify(SAMPLE.publicKey, Buffer.from("message digesT"), SAMPLE.signature)).to.equal(false);
    expect(independentSm2Verify(SAMPLE.publicKey, MSG, SAMPLE.signature, "ALICE123@YAHOO.COM")).to.equal(false);
    expect(sm2Verify(SAMPLE.publicKey, MSG, SAMPLE.signature.replace(/a$/, "b"))).to.equal(false);
  });

  it("a bill's seal verifies with the second implementation, and fails for any other bill, chain or key", () => {
    const key = sealKeyOf(new Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d").privateKey);
    const values = {
      billHash: `0x${"ab".repeat(32)}`,
      billCode: "11060126",
      billNumber: "0000000001",
      chainId: 31337,
      registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    };
    const seal = sealBillSm2(key, values);
    expect(seal.publicKey).to.equal(key.publicKey);
    expect(independentSm2Verify(seal.publicKey, sealMessage(values), seal.signature)).to.equal(true);
    expect(independentSm2Verify(seal.publicKey, sealMessage({ ...values, billNumber: "0000000002" }), seal.signature)).to.equal(false);
    expect(independentSm2Verify(seal.publicKey, sealMessage({ ...values, chainId: 1 }), seal.signature)).to.equal(false);
    const other = sealKeyOf(new Wallet("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a").privateKey);
    expect(independentSm2Verify(other.publicKey, sealMessage(values), seal.signature)).to.equal(false);
    // deterministic: the same seal at every signing (the OFD file rule needs the same bytes)
    expect(sealBillSm2(key, values)).to.deep.equal(seal);
    expect(sealKeyHash(key.publicKey)).to.match(/^0x[0-9a-f]{64}$/);
  });

  it("derives a distinct seal key per chain key and per generation, in range", () => {
    const chainKey = `0x${"11".repeat(32)}`;
    const a = sealKeyOf(chainKey);
    expect(sealKeyOf(chainKey, 1).privateKey).to.not.equal(a.privateKey);
    expect(sealKeyOf(`0x${"12".repeat(32)}`).privateKey).to.not.equal(a.privateKey);
    expect(`0x${sm2.getPublicKeyFromPrivateKey(a.privateKey)}`).to.equal(a.publicKey);
  });

  it("writes the DER SM2Signature (GM/T 0009) of r ‖ s, with a leading zero where the high bit is set", () => {
    const der = Buffer.from(sm2Der(SAMPLE.signature)).toString("hex");
    expect(der).to.equal(`3046022100${SAMPLE.signature.slice(2, 66)}022100${SAMPLE.signature.slice(66)}`);
  });
});
