// BillRegistry: proofs from @openzeppelin/merkle-tree verify on chain, for every leaf of batches of many sizes.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { billHashes, buildBatch, registryFixture } from "./fixtures";

const SIZES = [1, 2, 3, 17, 1000];

describe("BillRegistry: Merkle inclusion", () => {
  it("computes leaves as the interface documents: keccak256(keccak256(abi.encode(billHash)))", () => {
    const [value] = billHashes(1, "leaf-form");
    const inner = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["bytes32"], [value]));
    expect(buildBatch([value]).leaves[0]).to.equal(ethers.keccak256(inner));
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

      it("has every proof verify on chain with isIncluded", async () => {
        const { registry } = await loadFixture(anchoredFixture);
        const results: boolean[] = await Promise.all(
          batch.leaves.map((leaf, i) => registry.isIncluded(batch.root, leaf, batch.proofs[i])),
        );
        expect(results.filter((ok) => !ok)).to.have.length(0);
        expect(results).to.have.length(size);
      });

      it("rejects a proof presented for a different leaf", async () => {
        const { registry } = await loadFixture(anchoredFixture);
        const wrongLeaf = size === 1 ? other.leaves[0] : batch.leaves[size - 1];
        expect(await registry.isIncluded(batch.root, wrongLeaf, batch.proofs[0])).to.equal(false);
      });

      it("rejects the proof against another anchored root and against a root never anchored", async () => {
        const { registry } = await loadFixture(anchoredFixture);
        expect(await registry.isIncluded(other.root, batch.leaves[0], batch.proofs[0])).to.equal(false);
        const unanchored = buildBatch(billHashes(size, `unanchored-${size}`));
        expect(await registry.isIncluded(unanchored.root, unanchored.leaves[0], unanchored.proofs[0])).to.equal(false);
      });

      it("rejects a proof with a sibling altered, or one added to an empty proof", async () => {
        const { registry } = await loadFixture(anchoredFixture);
        const last = size - 1;
        const proof = batch.proofs[last];
        const altered = proof.length === 0 ? [ethers.id("extra")] : [ethers.id("tampered"), ...proof.slice(1)];
        expect(await registry.isIncluded(batch.root, batch.leaves[last], altered)).to.equal(false);
      });

      it("accepts a reimbursement mark and a void with the proof of its last leaf", async () => {
        const { as, hospital, insurer } = await loadFixture(anchoredFixture);
        const last = size - 1;
        await expect(as(insurer).markReimbursed(batch.root, batch.leaves[last], batch.proofs[last], ethers.ZeroHash)).to
          .not.be.reverted;
        await as(insurer).releaseReimbursement(batch.leaves[last]);
        await expect(as(hospital).voidBill(batch.root, batch.leaves[last], batch.proofs[last], 1)).to.not.be.reverted;
      });
    });
  }
});
