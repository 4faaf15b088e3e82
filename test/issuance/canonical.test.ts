import { expect } from "chai";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { keccak256, toUtf8Bytes, AbiCoder, concat } from "ethers";
import { buildBatchTree, canonicalJson, leafOf, verifyProof } from "../../server/issuance/canonical";
import { commitBill, commitmentOf, fieldLeaf, fieldProof, fieldsOf, newSalts, openCommitment, provesTo, withhold } from "../../server/issuance/commitments";
import { composeBill } from "../../server/issuance/compose";
import { parseInvoiceRequest } from "../../server/issuance/schema";
import { Bill } from "../../server/issuance/model";
import { ISSUER, MEDICAL_EXAMPLE } from "./fixtures";

function exampleBill(): Bill {
  const parsed = parseInvoiceRequest(MEDICAL_EXAMPLE);
  if (!parsed.ok) throw new Error("fixture must parse");
  return composeBill(parsed.value, {
    billCode: "35010126",
    billNumber: "0000000001",
    checkCode: "7K3M9P",
    issuedAt: new Date("2026-11-25T02:31:07Z"),
    issuer: ISSUER,
  });
}

const SALT = "0x" + "ab".repeat(32);

/** Every leaf path of a JSON value, with a setter that changes the leaf there. */
function mutations(value: any, path: string[] = []): Array<{ path: string; apply: (copy: any) => void }> {
  if (value !== null && typeof value === "object") {
    return Object.keys(value).flatMap((k) => mutations(value[k], [...path, k]));
  }
  const set = (copy: any) => {
    let target = copy;
    for (const k of path.slice(0, -1)) target = target[k];
    const last = path[path.length - 1];
    target[last] = typeof value === "number" ? value + 1 : `${value}x`;
  };
  return [{ path: path.join("."), apply: set }];
}

describe("canonical form", () => {
  it("writes RFC 8785 JSON: sorted keys, no whitespace, minimal escapes", () => {
    expect(canonicalJson({ b: 1, a: ["x", { d: true, c: null }], é: "张三\n" })).to.equal('{"a":["x",{"c":null,"d":true}],"b":1,"é":"张三\\n"}');
  });

  it("refuses values without a JSON representation", () => {
    expect(() => canonicalJson(undefined)).to.throw(TypeError);
  });

  it("flattens a bill into fields by JSON Pointer: objects descended into, arrays and scalars kept whole", () => {
    const pointers = fieldsOf(exampleBill() as unknown as Record<string, unknown>).map((f) => f.pointer);
    expect(pointers).to.include.members(["/v", "/billCode", "/issuer/account", "/payer/name", "/payer/idNumber", "/items", "/insurance/cashPaid"]);
    expect(pointers.some((p) => p.startsWith("/items/"))).to.equal(false);
    expect(fieldsOf({ "a/b": { "c~d": 1 }, e: {} }).map((f) => f.pointer)).to.deep.equal(["/a~1b/c~0d", "/e"]);
  });

  it("draws a fresh 32-byte salt for every field, never the same twice", () => {
    const pointers = fieldsOf(exampleBill() as unknown as Record<string, unknown>).map((f) => f.pointer);
    const salts = [...Object.values(newSalts(pointers)), ...Object.values(newSalts(pointers))];
    expect(new Set(salts).size).to.equal(2 * pointers.length);
    for (const s of salts) expect(s).to.match(/^0x[0-9a-f]{64}$/);
  });

  it("commits each field as keccak256(abi.encode(salt, canonical bytes)) and its leaf as StandardMerkleTree's", () => {
    const abi = AbiCoder.defaultAbiCoder();
    for (const value of ["157.00", "张三", 2, ["a", { b: null }], {}, true]) {
      const bytes = toUtf8Bytes(canonicalJson(value));
      expect(commitmentOf(SALT, value)).to.equal(keccak256(abi.encode(["bytes32", "bytes"], [SALT, bytes])));
    }
    const c = commitmentOf(SALT, "157.00");
    expect(fieldLeaf("/total", c)).to.equal(StandardMerkleTree.of([["/total", c]], ["string", "bytes32"]).leafHash(["/total", c]));
  });

  it("gives the same bill hash whatever the key order, and another for other salts", () => {
    const bill = exampleBill() as unknown as Record<string, unknown>;
    const salts = commitBill(bill).salts;
    const reversed = JSON.parse(JSON.stringify(bill), (_k, v) =>
      v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
    );
    expect(Object.keys(reversed)[0]).to.not.equal(Object.keys(bill)[0]);
    expect(commitBill(reversed, salts).billHash).to.equal(commitBill(bill, salts).billHash);
    expect(commitBill(bill).billHash).to.not.equal(commitBill(bill, salts).billHash);
  });

  it("changes the bill hash when any single value of the bill changes, or items are reordered", () => {
    const bill = exampleBill();
    const { salts, billHash } = commitBill(bill as unknown as Record<string, unknown>);
    const all = mutations(bill);
    expect(all.length).to.be.greaterThan(30);
    for (const m of all) {
      const copy = structuredClone(bill);
      m.apply(copy);
      expect(commitBill(copy as unknown as Record<string, unknown>, salts).billHash, m.path).to.not.equal(billHash);
    }
    const swapped = structuredClone(bill) as { items: unknown[] };
    swapped.items.reverse();
    expect(commitBill(swapped as unknown as Record<string, unknown>, salts).billHash).to.not.equal(billHash);
  });

  it("refuses a bill whose field has no salt, and salts that are not 32-byte hex", () => {
    const bill = exampleBill() as unknown as Record<string, unknown>;
    const { salts } = commitBill(bill);
    const short = { ...salts };
    delete short["/total"];
    expect(() => commitBill(bill, short)).to.throw(TypeError, /\/total/);
    expect(() => commitmentOf("0x" + "ab".repeat(16), "x")).to.throw(TypeError);
  });

  it("proves one field to the bill hash with a Merkle proof OpenZeppelin accepts", () => {
    const bill = exampleBill() as unknown as Record<string, unknown>;
    const { commitments, billHash } = commitBill(bill);
    const { leaf, proof } = fieldProof(commitments, "/insurance/cashPaid");
    expect(provesTo(billHash, leaf, proof)).to.equal(true);
    expect(StandardMerkleTree.verify(billHash, ["string", "bytes32"], ["/insurance/cashPaid", commitments["/insurance/cashPaid"]], proof)).to.equal(true);
    expect(provesTo(billHash, fieldLeaf("/insurance/cashPaid", commitmentOf(SALT, "0.00")), proof)).to.equal(false);
  });

  it("withholds fields, whole objects too, keeping the bill hash, and refuses an unknown pointer", () => {
    const bill = exampleBill() as unknown as Record<string, unknown>;
    const { salts, billHash } = commitBill(bill);
    const copy = withhold({ bill, salts, withheld: {} }, ["/payer", "/items"]);
    expect(copy.bill).to.not.have.any.keys("payer", "items");
    expect(Object.keys(copy.withheld).sort()).to.deep.equal(["/items", "/payer/idNumber", "/payer/name"]);
    const opened = openCommitment(copy.bill, copy.salts, copy.withheld);
    expect(opened).to.include({ ok: true, billHash });
    expect(() => withhold({ bill, salts, withheld: {} }, ["/nothing"])).to.throw(RangeError);
  });

  it("makes the leaf the StandardMerkleTree double keccak of abi.encode(bytes32)", () => {
    const h = commitBill(exampleBill() as unknown as Record<string, unknown>).billHash;
    const expected = keccak256(keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32"], [h])));
    expect(leafOf(h)).to.equal(expected);
    expect(() => leafOf("0x1234")).to.throw(TypeError);
  });

  describe("batch trees", () => {
    const hashes = (n: number) => Array.from({ length: n }, (_, i) => keccak256(toUtf8Bytes(`bill ${i}`)));

    for (const n of [1, 2, 3, 7, 64, 129]) {
      it(`gives each of ${n} bills a proof that StandardMerkleTree.verify and verifyProof accept`, () => {
        const hs = hashes(n);
        const tree = buildBatchTree(hs);
        expect(tree.entries.map((e) => e.billHash)).to.deep.equal(hs);
        for (const e of tree.entries) {
          expect(e.leaf).to.equal(leafOf(e.billHash));
          expect(StandardMerkleTree.verify(tree.root, ["bytes32"], [e.billHash], e.proof)).to.equal(true);
          expect(verifyProof(tree.root, e.leaf, e.proof)).to.equal(true);
        }
      });
    }

    it("rejects a proof for another leaf, another root, or an altered sibling", () => {
      const tree = buildBatchTree(hashes(5));
      const [a, b] = tree.entries;
      expect(verifyProof(tree.root, b.leaf, a.proof)).to.equal(false);
      expect(verifyProof(leafOf(hashes(1)[0]), a.leaf, a.proof)).to.equal(false);
      const altered = [...a.proof];
      altered[0] = keccak256(altered[0]);
      expect(verifyProof(tree.root, a.leaf, altered)).to.equal(false);
    });

    it("answers false, without throwing, for malformed roots, leaves and proofs", () => {
      const tree = buildBatchTree(hashes(2));
      const e = tree.entries[0];
      expect(verifyProof("0x12", e.leaf, e.proof)).to.equal(false);
      expect(verifyProof(tree.root, "nope", e.proof)).to.equal(false);
      expect(verifyProof(tree.root, e.leaf, ["0x00"])).to.equal(false);
      expect(verifyProof(tree.root, e.leaf, "x" as unknown as string[])).to.equal(false);
    });

    it("has a one-bill batch whose root is the leaf and whose proof is empty", () => {
      const [h] = hashes(1);
      const tree = buildBatchTree([h]);
      expect(tree.root).to.equal(leafOf(h));
      expect(tree.entries[0].proof).to.deep.equal([]);
    });

    it("hashes sibling pairs in sorted order, as OpenZeppelin MerkleProof does", () => {
      const hs = hashes(2);
      const [l0, l1] = hs.map(leafOf).sort();
      expect(buildBatchTree(hs).root).to.equal(keccak256(concat([l0, l1])));
    });

    it("refuses an empty batch, a duplicate hash and a malformed hash", () => {
      const hs = hashes(2);
      expect(() => buildBatchTree([])).to.throw(RangeError);
      expect(() => buildBatchTree([hs[0], hs[1], hs[0].toUpperCase().replace("0X", "0x")])).to.throw(RangeError, /duplicate/);
      expect(() => buildBatchTree(["0x1234"])).to.throw(TypeError);
    });
  });
});
