import { expect } from "chai";
import { TypedDataEncoder, Wallet, keccak256, toUtf8Bytes } from "ethers";
import { BILL_TYPES, billDigest, recoverBillSigner, signBill } from "../../server/issuance/signing";

// Hardhat's well-known test key #1: not a secret.
const wallet = new Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const other = new Wallet("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
const domain = { chainId: 31337, verifyingContract: "0x5fbdb2315678afecb367f032d93f642f64180aa3" };
const values = { billHash: keccak256(toUtf8Bytes("bill")), billCode: "35010126", billNumber: "0000000001" };

describe("bill signatures (EIP-712)", () => {
  it("recovers the issuer's address from its signature", () => {
    const sig = signBill(wallet, domain, values);
    expect(sig).to.match(/^0x[0-9a-f]{130}$/);
    expect(recoverBillSigner(domain, values, sig)).to.equal(wallet.address);
  });

  it("signs with a bare SigningKey as with a Wallet", () => {
    expect(signBill(wallet.signingKey, domain, values)).to.equal(signBill(wallet, domain, values));
  });

  it("produces exactly what ethers' own signTypedData produces for the lianpiao domain", async () => {
    const full = { name: "lianpiao", version: "2", chainId: 31337, verifyingContract: domain.verifyingContract };
    expect(signBill(wallet, domain, values)).to.equal(await wallet.signTypedData(full, BILL_TYPES, values));
    expect(billDigest(domain, values)).to.equal(TypedDataEncoder.hash(full, BILL_TYPES, values));
  });

  const changes: Array<[string, () => string | null]> = [
    ["the bill hash", () => recoverBillSigner(domain, { ...values, billHash: keccak256(toUtf8Bytes("other")) }, signBill(wallet, domain, values))],
    ["the bill number", () => recoverBillSigner(domain, { ...values, billNumber: "0000000002" }, signBill(wallet, domain, values))],
    ["the chain id", () => recoverBillSigner({ ...domain, chainId: 1 }, values, signBill(wallet, domain, values))],
    ["the registry", () => recoverBillSigner({ ...domain, verifyingContract: other.address }, values, signBill(wallet, domain, values))],
  ];
  for (const [what, recover] of changes) {
    it(`recovers another address when ${what} differs from what was signed`, () => {
      const who = recover();
      expect(who).to.be.a("string");
      expect(who).to.not.equal(wallet.address);
    });
  }

  it("tells two issuers apart", () => {
    expect(recoverBillSigner(domain, values, signBill(other, domain, values))).to.equal(other.address);
  });

  it("answers null for a malformed signature instead of throwing", () => {
    for (const sig of ["0x", "0x1234", "not hex", "0x" + "00".repeat(65)]) {
      expect(recoverBillSigner(domain, values, sig), sig).to.equal(null);
    }
  });

  it("refuses to sign a bill hash that is not 32 bytes", () => {
    expect(() => signBill(wallet, domain, { ...values, billHash: "0x1234" })).to.throw(TypeError);
  });
});
