// BillRegistry v2: proofs from @openzeppelin/merkle-tree verify on chain, for every leaf of batches of
// 1, 2, 3, 17 and 1,000 bills, built as `StandardMerkleTree.of(values.map(v => [v]), ["bytes32"])`.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { CLAIM, MEDICAL_CODE, billHashes, buildBatch, evidenceView, leafOf, registryFixture } from "./fixtures";

const SIZES = [1, 2, 3, 17, 1000];

describe("BillRegistry v2: Merkle inclusion", () => {
  it("computes leaves as the interface documents: keccak256(bytes.concat(keccak256(abi.encode(billHash))))", () => {
    const values = billHashes(3, "leaf-form");
    const tree = StandardMerkleTree.of(
      values.map((v) => [v]),
      ["bytes32"],
    );
    const batch = buildBatch(values);
    for (const [i, v] of values.entries()) {
      expect(tree.leafHash([v])).to.equal(leafOf(v));
      expect(batch.leaves[i]).to.equal(leafOf(v));
    }
    expect(batch.root).to.equal(tree.root);
  });

  it("makes a one-bill batch's root its leaf, with an empty proof", () => {
    const batch = buildBatch(billHashes(1, "single"));
    expect(batch.root).to.equal(batch.leaves[0]);
    expect(batch.proofs[0]).to.deep.equal([]);
  });

  for (const size of SIZES) {
    describe(`a batch of ${size} bill${size === 1 ? "" : "s"}`, () => {
      const batch = buildBatch(billHashes(size, `size-${size}`));
      const other = buildBatch(billHashes(size + 1, `other-${size}`));

      async function anchoredFixture() {
        const base = await registryFixture();
        await base.as(base.hospital).anchor(batch.root, size);
        await base.as(base.hospital).anchor(other.root, size + 1);
        return base;
      }

      it("has every proof verify on chain with isIncluded under the anchoring issuer, and none under another issuer", async () => {
        const { registry, hospital, rival } = await loadFixture(anchoredFixture);
        const results: boolean[] = await Promise.all(batch.leaves.map((leaf, i) => registry.isIncluded(hospital.address, batch.root, leaf, batch.proofs[i])));
        expect(results).to.have.length(size);
        expect(results.filter((ok) => !ok)).to.have.length(0);
        const last = size - 1;
        expect(await registry.isIncluded(rival.address, batch.root, batch.leaves[last], batch.proofs[last])).to.equal(false);
      });

      it("has proofs no longer than ceil(log2(size)), the longest exactly that", () => {
        const depth = Math.max(...batch.proofs.map((p) => p.length));
        expect(depth).to.equal(size === 1 ? 0 : Math.ceil(Math.log2(size)));
      });

      it("rejects a proof presented for a different leaf", async () => {
        const { registry, hospital } = await loadFixture(anchoredFixture);
        const wrongLeaf = size === 1 ? other.leaves[0] : batch.leaves[size - 1];
        expect(await registry.isIncluded(hospital.address, batch.root, wrongLeaf, batch.proofs[0])).to.equal(false);
      });

      it("rejects the proof against another anchored root and against a root never anchored", async () => {
        const { registry, hospital } = await loadFixture(anchoredFixture);
        expect(await registry.isIncluded(hospital.address, other.root, batch.leaves[0], batch.proofs[0])).to.equal(false);
        const unanchored = buildBatch(billHashes(size, `unanchored-${size}`));
        expect(await registry.isIncluded(hospital.address, unanchored.root, unanchored.leaves[0], unanchored.proofs[0])).to.equal(false);
      });

      it("rejects a proof with a sibling altered, a sibling dropped, or one added", async () => {
        const { registry, hospital } = await loadFixture(anchoredFixture);
        const last = size - 1;
        const proof = batch.proofs[last];
        const variants = [[...proof, ethers.id("extra")]];
        if (proof.length > 0) variants.push([ethers.id("tampered"), ...proof.slice(1)], proof.slice(0, -1));
        for (const p of variants) expect(await registry.isIncluded(hospital.address, batch.root, batch.leaves[last], p)).to.equal(false);
      });

      it("gives full evidence for the first and the last bill", async () => {
        const { registry, hospital } = await loadFixture(anchoredFixture);
        for (const i of new Set([0, size - 1])) {
          const ev = evidenceView(await registry.evidence(hospital.address, batch.root, batch.leaves[i], batch.proofs[i], MEDICAL_CODE, i + 1));
          expect([ev.batch.billCount, ev.included, ev.activeAtAnchor, ev.allottedAtAnchor], `bill ${i}`).to.deep.equal([size, true, true, true]);
        }
      });

      it("accepts a reimbursement mark, its release and a void with the proof of its last leaf", async () => {
        const { registry, as, hospital, insurer } = await loadFixture(anchoredFixture);
        const last = size - 1;
        await expect(as(insurer).markReimbursed(hospital.address, batch.root, batch.leaves[last], batch.proofs[last], CLAIM)).to.emit(
          registry,
          "BillReimbursed",
        );
        await expect(as(insurer).releaseReimbursement(hospital.address, batch.leaves[last])).to.emit(registry, "ReimbursementReleased");
        await expect(as(hospital).voidBill(batch.root, batch.leaves[last], batch.proofs[last], 1)).to.emit(registry, "BillVoided");
        expect((await registry.statusOf(hospital.address, batch.leaves[last])).voided).to.equal(true);
      });
    });
  }
});
