// docs/vectors against the implementation, and each intermediate value against a second, general
// implementation (ethers' ABI coder and TypedDataEncoder, OpenZeppelin's StandardMerkleTree, the
// canonicalize package, a contract on Hardhat's EVM), so the protocol document, the vectors and the
// code cannot drift apart.
import { expect } from "chai";
import { independentSm2Verify } from "../sm/independent-sm2";
import fs from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import canonicalize from "canonicalize";
import { AbiCoder, TypedDataEncoder, keccak256, toUtf8Bytes, verifyTypedData } from "ethers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { ethers } from "hardhat";
import { buildVectors, VECTOR_DIR } from "../../scripts/protocol-vectors";
import { integrityCheck } from "../../server/verification/checks";
import type { BillEnvelope } from "../../server/issuance/model";

interface FieldVector {
  pointer: string;
  canonical: string;
  salt: string;
  commitment: string;
  leaf: string;
}
interface Vector {
  bill: Record<string, unknown>;
  salts: Record<string, string>;
  fields: FieldVector[];
  billHash: string;
  leaf: string;
  fieldProof: { pointer: string; leaf: string; proof: string[] };
  batch: { billHashes: string[]; root: string; leaf: string; proof: string[] };
  signature: {
    domain: Record<string, unknown>;
    types: Record<string, Array<{ name: string; type: string }>>;
    message: Record<string, string>;
    digest: string;
    signer: string;
    signature: string;
    domainSeparator: string;
  };
  envelope: BillEnvelope;
  withheldCopy?: BillEnvelope;
}

const NAMES = ["medical", "donation", "red", "withheld", "inpatient", "donation-in-kind"];
const load = (name: string) => JSON.parse(fs.readFileSync(path.join(VECTOR_DIR, `${name}.json`), "utf8")) as Vector;
const abi = AbiCoder.defaultAbiCoder();
const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "docs", "schemas", "bill-envelope.schema.json"), "utf8"));
const validate = new Ajv2020({ allErrors: true }).compile(schema);

/** The value a JSON Pointer addresses, per RFC 6901. */
function at(doc: unknown, pointer: string): unknown {
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((v: unknown, t) => (v as Record<string, unknown>)[t], doc);
}

describe("protocol test vectors (docs/vectors, docs/PROTOCOL.md §12)", () => {
  it("are what the implementation produces today: regenerating them changes nothing", () => {
    const fresh = JSON.parse(JSON.stringify(buildVectors())) as Record<string, unknown>;
    for (const name of NAMES) expect(load(name), `docs/vectors/${name}.json is stale: run npm run vectors`).to.deep.equal(fresh[name]);
  });

  for (const name of NAMES) {
    describe(`the ${name} vector`, () => {
      const v = load(name);

      it("gives each field's canonical bytes by RFC 8785 and its commitment by abi.encode(bytes32, bytes)", () => {
        expect(v.fields.map((f) => f.pointer).sort()).to.deep.equal(Object.keys(v.salts).sort());
        for (const f of v.fields) {
          expect(f.canonical, f.pointer).to.equal(canonicalize(at(v.bill, f.pointer)));
          expect(f.commitment, f.pointer).to.equal(keccak256(abi.encode(["bytes32", "bytes"], [f.salt, toUtf8Bytes(f.canonical)])));
        }
      });

      it("gives the bill hash as the root of OpenZeppelin's StandardMerkleTree over [pointer, commitment]", () => {
        const tree = StandardMerkleTree.of(
          v.fields.map((f) => [f.pointer, f.commitment]),
          ["string", "bytes32"],
        );
        expect(tree.root).to.equal(v.billHash);
        for (const f of v.fields) expect(tree.leafHash([f.pointer, f.commitment]), f.pointer).to.equal(f.leaf);
        expect(
          StandardMerkleTree.verify(
            v.billHash,
            ["string", "bytes32"],
            ["/total", v.fields.find((f) => f.pointer === "/total")!.commitment],
            v.fieldProof.proof,
          ),
        ).to.equal(true);
      });

      it("places the bill's leaf in its batch by OpenZeppelin's StandardMerkleTree over [billHash]", () => {
        const tree = StandardMerkleTree.of(
          v.batch.billHashes.map((h) => [h]),
          ["bytes32"],
        );
        expect(tree.root).to.equal(v.batch.root);
        expect(tree.leafHash([v.billHash]))
          .to.equal(v.leaf)
          .and.to.equal(v.batch.leaf);
        expect(StandardMerkleTree.verify(v.batch.root, ["bytes32"], [v.billHash], v.batch.proof)).to.equal(true);
      });

      it("carries an EIP-712 signature by the issuer over billHash, bill code and number", () => {
        const s = v.signature;
        expect(TypedDataEncoder.hashDomain(s.domain)).to.equal(s.domainSeparator);
        expect(TypedDataEncoder.hash(s.domain, s.types, s.message)).to.equal(s.digest);
        expect(verifyTypedData(s.domain, s.types, s.message, s.signature))
          .to.equal(s.signer)
          .and.to.equal(v.bill.issuer && (v.bill.issuer as { account: string }).account);
        expect(s.domain).to.include({ name: "lianpiao", version: "2" });
      });

      it("carries an SM2 seal (§6.2) over the canonical message, verified by a second SM2 implementation", () => {
        const s = (v as unknown as { sm2: unknown }).sm2 as { userId: string; publicKey: string; publicKeyHash: string; message: string; signature: string };
        const env = v.envelope as { billHash: string; sm2: { publicKey: string; signature: string }; anchor: { chainId: number; registry: string } };
        expect(s.userId).to.equal("1234567812345678");
        expect(JSON.parse(s.message)).to.deep.equal({
          scheme: "lianpiao-sm2/1",
          billHash: env.billHash.toLowerCase(),
          billCode: v.bill.billCode,
          billNumber: v.bill.billNumber,
          chainId: env.anchor.chainId,
          registry: env.anchor.registry.toLowerCase(),
        });
        expect(env.sm2).to.deep.equal({ publicKey: s.publicKey, signature: s.signature });
        expect(keccak256(s.publicKey)).to.equal(s.publicKeyHash);
        expect(independentSm2Verify(s.publicKey, Buffer.from(s.message, "utf8"), s.signature)).to.equal(true);
        expect(independentSm2Verify(s.publicKey, Buffer.from(s.message.replace("lianpiao-sm2/1", "lianpiao-sm2/2"), "utf8"), s.signature)).to.equal(false);
      });

      it("has an envelope that the JSON Schema accepts and the verifier's integrity check passes", () => {
        expect(validate(v.envelope), JSON.stringify(validate.errors)).to.equal(true);
        expect(integrityCheck(v.envelope)).to.include({ status: "passed" });
      });

      it("fails integrity when any one shown field is changed", () => {
        for (const f of v.fields) {
          const copy = structuredClone(v.envelope) as unknown as { bill: Record<string, unknown> };
          const tokens = f.pointer.slice(1).split("/");
          const parent = tokens.slice(0, -1).reduce((o: Record<string, unknown>, t) => o[t] as Record<string, unknown>, copy.bill);
          const old = parent[tokens[tokens.length - 1]];
          parent[tokens[tokens.length - 1]] = typeof old === "string" ? `${old}x` : Array.isArray(old) ? [...old, old[0]] : 3;
          expect(integrityCheck(copy as unknown as BillEnvelope).status, f.pointer).to.equal("failed");
        }
      });
    });
  }

  describe("a copy with withheld fields", () => {
    const v = load("withheld");
    const copy = v.withheldCopy!;

    it("keeps the bill hash, the leaf and the signature, and passes integrity and the JSON Schema", () => {
      expect(copy.billHash).to.equal(v.billHash);
      expect(Object.keys(copy.withheld).sort()).to.deep.equal(["/items", "/payer/idNumber", "/payer/name"]);
      expect(copy.bill).to.not.have.property("payer");
      expect(copy.bill).to.not.have.property("items");
      expect(JSON.stringify(copy)).to.not.include("11010519491231002X").and.not.include("张三");
      expect(validate(copy), JSON.stringify(validate.errors)).to.equal(true);
      expect(integrityCheck(copy)).to.include({ status: "passed" });
    });

    it("fails integrity when a withheld field is put back with a wrong value or a guessed salt", () => {
      const back = structuredClone(copy) as unknown as { bill: Record<string, unknown>; salts: Record<string, string>; withheld: Record<string, string> };
      delete back.withheld["/payer/idNumber"];
      back.bill.payer = { idNumber: "110105194912310021" };
      back.salts["/payer/idNumber"] = v.salts["/payer/name"];
      expect(integrityCheck(back as unknown as BillEnvelope)).to.include({ status: "failed", code: "HASH_MISMATCH" });
    });

    it("refuses a copy that shows a field and also withholds it, or withholds an object and one of its fields", () => {
      const both = structuredClone(copy);
      both.withheld["/total"] = v.fields.find((f) => f.pointer === "/total")!.commitment;
      expect(integrityCheck(both)).to.include({ status: "failed", code: "FIELD_CONFLICT" });
      const nested = structuredClone(copy);
      nested.withheld["/payer"] = v.fields.find((f) => f.pointer === "/total")!.commitment;
      expect(integrityCheck(nested)).to.include({ status: "failed", code: "FIELD_CONFLICT" });
      const salted = structuredClone(copy);
      salted.salts["/payer/name"] = v.salts["/payer/name"];
      expect(integrityCheck(salted)).to.include({ status: "failed", code: "SALT_UNUSED" });
    });
  });

  it("lets a contract prove one field to the anchored root with keccak256, abi.encode and OpenZeppelin MerkleProof", async () => {
    const v = load("medical");
    const check = await ethers.deployContract("FieldProofCheck");
    const total = v.fields.find((f) => f.pointer === "/total")!;
    const value = toUtf8Bytes(total.canonical);
    expect(await check.commitment(total.salt, value)).to.equal(total.commitment);
    expect(await check.fieldLeaf(total.pointer, total.commitment)).to.equal(total.leaf);
    expect(await check.billLeaf(v.billHash)).to.equal(v.leaf);
    expect(await check.proveField("/total", total.salt, value, v.fieldProof.proof, v.billHash, v.batch.proof, v.batch.root)).to.equal(true);
    const forged = toUtf8Bytes('"1157.00"');
    expect(await check.proveField("/total", total.salt, forged, v.fieldProof.proof, v.billHash, v.batch.proof, v.batch.root)).to.equal(false);
  });
});
