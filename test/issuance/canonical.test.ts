import { expect } from "chai";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { keccak256, toUtf8Bytes, AbiCoder, concat } from "ethers";
import { billHash, buildBatchTree, canonicalJson, leafOf, newSalt, verifyProof } from "../../server/issuance/canonical";
import { composeBill } from "../../server/issuance/compose";
import { parseInvoiceRequest } from "../../server/issuance/schema";
import { Bill } from "../../server/issuance/model";
import { ISSUER, MEDICAL_EXAMPLE } from "./fixtures";

function exampleBill(): Bill {
  const parsed = parseInvoiceRequest(MEDICAL_EXAMPLE);
  if (!parsed.ok) throw new Error("fixture must parse");
  return composeBill(parsed.value, {
    billCode: "35010126", billNumber: "0000000001", checkCode: "7K3M9P",
    issuedAt: new Date("2026-11-25T02:31:07Z"), issuer: ISSUER,
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

  it("draws a fresh 32-byte 0x-hex salt every time", () => {
    const salts = new Set(Array.from({ length: 100 }, newSalt));
    expect(salts.size).to.equal(100);
    for (const s of salts) expect(s).to.match(/^0x[0-9a-f]{64}$/);
  });

  it("hashes keccak256 of the canonical JSON of { bill, salt }", () => {
    const bill = exampleBill();
    expect(billHash({ bill, salt: SALT })).to.equal(keccak256(toUtf8Bytes(canonicalJson({ salt: SALT, bill }))));
  });

  it("hashes the same bill the same whatever its key order", () => {
    const bill = exampleBill();
    const reversed = JSON.parse(JSON.stringify(bill), (_k, v) =>
      v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
    );
    expect(Object.keys(reversed)[0]).to.not.equal(Object.keys(bill)[0]);
    expect(billHash({ bill: reversed, salt: SALT })).to.equal(billHash({ bill, salt: SALT }));
  });

  it("changes the hash when any single field of the bill changes", () => {
    const bill = exampleBill();
    const base = billHash({ bill, salt: SALT });
    const all = mutations(bill);
    expect(all.length).to.be.greaterThan(30);
    for (const m of all) {
      const copy = structuredClone(bill);
      m.apply(copy);
      expect(billHash({ bill: copy, salt: SALT }), m.path).to.not.equal(base);
    }
  });

  it("changes the hash when the salt changes, or when items are reordered", () => {
    const bill = exampleBill();
    expect(billHash({ bill, salt: "0x" + "cd".repeat(32) })).to.not.equal(billHash({ bill, salt: SALT }));
    const swapped = structuredClone(bill);
    swapped.items.reverse();
    expect(billHash({ bill: swapped, salt: SALT })).to.not.equal(billHash({ bill, salt: SALT }));
  });

  it("refuses a salt shorter than 128 bits or not lowercase hex", () => {
    const bill = exampleBill();
    for (const salt of ["0x" + "ab".repeat(15), "ab".repeat(32), "0x" + "AB".repeat(32), ""]) {
      expect(() => billHash({ bill, salt }), salt).to.throw(TypeError);
    }
  });

  it("makes the leaf the StandardMerkleTree double keccak of abi.encode(bytes32)", () => {
    const h = billHash({ bill: exampleBill(), salt: SALT });
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
