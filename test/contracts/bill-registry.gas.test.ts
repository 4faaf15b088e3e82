// BillRegistry: what anchoring costs. One root per batch, so the cost per bill falls with batch size;
// the naive baseline (one hash, one storage write and one event per bill per transaction) is measured alongside.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { Contract } from "ethers";
import { billHashes, buildBatch, registryFixture } from "./fixtures";

const ANCHOR_GAS_CEILING = 60_000n;
const BATCH_SIZES = [1, 10, 100, 1000];

async function gasOf(tx: Promise<{ wait(): Promise<unknown> }>): Promise<bigint> {
  const receipt = (await (await tx).wait()) as { gasUsed: bigint };
  return receipt.gasUsed;
}

describe("BillRegistry: gas", () => {
  const rows: Record<string, string | number>[] = [];
  after(() => {
    if (rows.length > 0) console.log("\n      gas measured (solc 0.8.30, optimizer 200 runs)"), console.table(rows);
  });

  it("anchors one root for under 60,000 gas whatever the batch size, the cost per bill falling with size", async () => {
    const { as, hospital } = await loadFixture(registryFixture);
    for (const size of [...BATCH_SIZES, 2 ** 24 - 1]) {
      const batch = buildBatch(billHashes(Math.min(size, 1000), `gas-${size}`));
      const gas = await gasOf(as(hospital).anchor(batch.root, size));
      expect(gas < ANCHOR_GAS_CEILING, `anchoring ${size} bills cost ${gas} gas`).to.equal(true);
      if (BATCH_SIZES.includes(size)) {
        rows.push({ what: `anchor a batch of ${size}`, gas: Number(gas), "gas per bill": Math.round(Number(gas) / size) });
      }
    }
  });

  it("costs the naive baseline one transaction of over 40,000 gas per bill", async () => {
    const store = (await ethers.deployContract("NaiveDocumentStore")) as unknown as Contract;
    const gases: bigint[] = [];
    for (const hash of billHashes(10, "naive")) gases.push(await gasOf(store.issue(hash)));
    const perBill = gases.reduce((a, b) => a + b) / BigInt(gases.length);
    expect(perBill > 40_000n).to.equal(true);
    rows.push({ what: "naive store, one bill per tx", gas: Number(perBill), "gas per bill": Number(perBill) });
  });

  it("refuses the naive baseline a hash issued twice, naming the block", async () => {
    const store = (await ethers.deployContract("NaiveDocumentStore")) as unknown as Contract;
    const [hash] = billHashes(1, "naive-twice");
    const receipt = await (await store.issue(hash)).wait();
    expect(await store.issuedAt(hash)).to.equal(receipt.blockNumber);
    await expect(store.issue(hash))
      .to.be.revertedWithCustomError(store, "NaiveDocumentStoreAlreadyIssued")
      .withArgs(hash, receipt.blockNumber);
  });

  it("marks, releases and voids a bill of a 1,000-bill batch for under 70,000 gas each", async () => {
    const { as, hospital, insurer } = await loadFixture(registryFixture);
    const batch = buildBatch(billHashes(1000, "gas-marks"));
    await as(hospital).anchor(batch.root, 1000);
    const [leaf, proof] = [batch.leaves[500], batch.proofs[500]];
    const mark = await gasOf(as(insurer).markReimbursed(batch.root, leaf, proof, ethers.id("claim")));
    const release = await gasOf(as(insurer).releaseReimbursement(leaf));
    const voiding = await gasOf(as(hospital).voidBill(batch.root, leaf, proof, 1));
    for (const gas of [mark, release, voiding]) expect(gas < 70_000n, `${mark} / ${release} / ${voiding}`).to.equal(true);
    const depth = proof.length;
    rows.push({ what: `markReimbursed (proof depth ${depth})`, gas: Number(mark), "gas per bill": Number(mark) });
    rows.push({ what: "releaseReimbursement", gas: Number(release), "gas per bill": Number(release) });
    rows.push({ what: `voidBill after release (proof depth ${depth})`, gas: Number(voiding), "gas per bill": Number(voiding) });
  });

  it("checks a 1,000-leaf proof in isIncluded for under 40,000 gas as an eth_call", async () => {
    const { registry, as, hospital } = await loadFixture(registryFixture);
    const batch = buildBatch(billHashes(1000, "gas-view"));
    await as(hospital).anchor(batch.root, 1000);
    const gas = await registry.isIncluded.estimateGas(batch.root, batch.leaves[999], batch.proofs[999]);
    expect(gas < 40_000n).to.equal(true);
    rows.push({ what: "isIncluded, 1,000 leaves (estimate, incl. 21,000 base)", gas: Number(gas), "gas per bill": "-" });
  });
});
