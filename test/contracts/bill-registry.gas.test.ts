// BillRegistry v2: what each transaction costs. One root per batch, so anchoring costs the same whatever
// the batch size and the cost per bill falls with size; marks cost one proof check and one storage slot;
// an allotment checks every earlier range of its code. The naive baseline (one hash, one storage write
// and one event per bill per transaction) is measured alongside. Figures are receipts' gasUsed, the
// 21,000 intrinsic gas included.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { Contract } from "ethers";
import { CLAIM, Kind, NEWCOMER_CREDIT_CODE, billHashes, blockOf, buildBatch, gasOf, registryFixture } from "./fixtures";
import { claimsFixture, opening } from "./claims-fixture";

/** Ceilings: anchoring ≤ 60 gas per bill at 1,000 bills, so ≤ 60,000 per anchor whatever the size. */
const CEILING = {
  anchor: 60_000n,
  anchorPerBillAt1000: 60,
  markReimbursed: 65_000n,
  releaseReimbursement: 30_000n,
  voidBill: 65_000n,
  claim: 140_000n,
  releaseClaim: 45_000n,
  allotFirst: 105_000n,
  allotFiftieth: 85_000n,
  allotFiftiethOutOfOrder: 220_000n,
  evidenceCall: 65_000n,
  evidenceCallAmong200Ranges: 80_000n,
};
const BATCH_SIZES = [1, 10, 100, 1000];
const FRESH_CODE = 44010126;

describe("BillRegistry v2: gas", () => {
  const rows: { what: string; gas: number; "gas per bill": number | string; ceiling: string }[] = [];
  const row = (what: string, gas: bigint, ceiling: bigint | number, bills?: number) =>
    rows.push({ what, gas: Number(gas), "gas per bill": bills ? Math.round((Number(gas) / bills) * 10) / 10 : "-", ceiling: ceiling.toLocaleString("en") });
  after(() => {
    if (rows.length > 0) {
      console.log("\n      gas measured (solc 0.8.30, optimizer 200 runs, evm london; gasUsed incl. 21,000 intrinsic)");
      console.table(rows);
    }
  });

  async function thousandFixture() {
    const base = await registryFixture();
    const batch = buildBatch(billHashes(1000, "gas-1000"));
    await base.as(base.hospital).anchor(batch.root, 1000);
    return { ...base, batch };
  }

  it("anchors a batch of 1, 10, 100 or 1,000 bills for at most 60,000 gas, at most 60 gas per bill at 1,000", async () => {
    const { as, hospital } = await loadFixture(registryFixture);
    const gases: bigint[] = [];
    for (const size of BATCH_SIZES) {
      const batch = buildBatch(billHashes(size, `gas-${size}`));
      const gas = await gasOf(as(hospital).anchor(batch.root, size));
      gases.push(gas);
      expect(gas, `anchoring ${size} bills`).to.be.lessThanOrEqual(CEILING.anchor);
      row(`anchor, batch of ${size.toLocaleString("en")}`, gas, CEILING.anchor, size);
    }
    expect(Number(gases[3]) / 1000).to.be.lessThanOrEqual(CEILING.anchorPerBillAt1000);
    // one slot and one event whatever the size: the four costs differ only by calldata bytes
    const spread = gases.reduce((a, b) => (a > b ? a : b)) - gases.reduce((a, b) => (a < b ? a : b));
    expect(spread).to.be.lessThan(200n);
  });

  it("anchors the largest count a uint24 holds for at most 60,000 gas too", async () => {
    const { as, hospital } = await loadFixture(registryFixture);
    const gas = await gasOf(as(hospital).anchor(ethers.id("largest batch"), 2 ** 24 - 1));
    expect(gas).to.be.lessThanOrEqual(CEILING.anchor);
  });

  it("marks, releases and voids a bill of a 1,000-bill batch within their ceilings", async () => {
    const { as, hospital, insurer, batch } = await loadFixture(thousandFixture);
    const [leaf, proof] = [batch.leaves[500], batch.proofs[500]];
    expect(proof).to.have.length(10);
    const mark = await gasOf(as(insurer).markReimbursed(hospital.address, batch.root, leaf, proof, CLAIM));
    const release = await gasOf(as(insurer).releaseReimbursement(hospital.address, leaf));
    const voiding = await gasOf(as(hospital).voidBill(batch.root, batch.leaves[999], batch.proofs[999], 1));
    expect(mark, "markReimbursed").to.be.lessThanOrEqual(CEILING.markReimbursed);
    expect(release, "releaseReimbursement").to.be.lessThanOrEqual(CEILING.releaseReimbursement);
    expect(voiding, "voidBill").to.be.lessThanOrEqual(CEILING.voidBill);
    row("markReimbursed, 1,000-bill batch (proof of 10)", mark, CEILING.markReimbursed);
    row("releaseReimbursement", release, CEILING.releaseReimbursement);
    row("voidBill, 1,000-bill batch (proof of 10)", voiding, CEILING.voidBill);
  });

  it("claims part of a bill of a 1,000-bill batch (cash paid opened) and releases it within their ceilings", async () => {
    const { as, hospital, insurer, employer, bills } = await loadFixture(claimsFixture);
    const real = bills.cash;
    const batch = buildBatch([real.billHash, ...billHashes(999, "gas-claims")]);
    await as(hospital).anchor(batch.root, 1000);
    const field = opening(real, "/insurance/cashPaid");
    const first = await gasOf(as(insurer).claim(hospital.address, batch.root, real.billHash, batch.proofs[0], field, 2000, CLAIM));
    const second = await gasOf(as(employer).claim(hospital.address, batch.root, real.billHash, batch.proofs[0], field, 1000, CLAIM));
    const release = await gasOf(as(insurer).releaseClaim(hospital.address, batch.leaves[0], CLAIM));
    expect(batch.proofs[0].length).to.be.within(9, 10);
    expect(first, "claim").to.be.lessThanOrEqual(CEILING.claim);
    expect(second, "second claim").to.be.lessThanOrEqual(CEILING.claim);
    expect(release, "releaseClaim").to.be.lessThanOrEqual(CEILING.releaseClaim);
    row("claim, first of a bill, 1,000-bill batch (field proof of " + field.proof.length + ")", first, CEILING.claim);
    row("claim, second party on the same bill", second, CEILING.claim);
    row("releaseClaim (the first of two)", release, CEILING.releaseClaim);
  });

  it("allots the first range of a code and the 50th within their ceilings, in number order for the same gas whatever came before", async () => {
    const { as, registrar, newcomer } = await loadFixture(registryFixture);
    const r = as(registrar);
    await r.admitIssuer(newcomer.address, Kind.Medical, NEWCOMER_CREDIT_CODE);
    const gases: bigint[] = [];
    for (let i = 0; i < 50; i++) gases.push(await gasOf(r.allotRange(newcomer.address, FRESH_CODE, i * 1000 + 1, i * 1000 + 1000)));
    expect(await r.allotmentCount(FRESH_CODE)).to.equal(50);
    expect(gases[0], "first range").to.be.lessThanOrEqual(CEILING.allotFirst);
    expect(gases[49], "50th range").to.be.lessThanOrEqual(CEILING.allotFiftieth);
    expect(gases[49] - gases[1], "50th against 2nd").to.be.lessThan(100n);
    row("allotRange, first range of a code", gases[0], CEILING.allotFirst);
    row("allotRange, 50th range of a code (numbers ascending)", gases[49], CEILING.allotFiftieth);
  });

  it("allots a 50th range below earlier ones within its ceiling, checking every earlier range", async () => {
    const { as, registrar, newcomer } = await loadFixture(registryFixture);
    const r = as(registrar);
    await r.admitIssuer(newcomer.address, Kind.Medical, NEWCOMER_CREDIT_CODE);
    for (let i = 1; i < 50; i++) await r.allotRange(newcomer.address, FRESH_CODE, i * 1000 + 1, i * 1000 + 1000);
    const below = await gasOf(r.allotRange(newcomer.address, FRESH_CODE, 1, 1000));
    const belowAgain = await gasOf(r.allotRange(newcomer.address, FRESH_CODE + 1, 1, 1000));
    expect(below, "50th range, below the others").to.be.lessThanOrEqual(CEILING.allotFiftiethOutOfOrder);
    expect(belowAgain).to.be.lessThan(below);
    row("allotRange, 50th range of a code, below the 49 others", below, CEILING.allotFiftiethOutOfOrder);
  });

  it("reads evidence for a 1,000-bill batch in one eth_call within its ceiling", async () => {
    const { registry, hospital, batch } = await loadFixture(thousandFixture);
    const gas = await registry.evidence.estimateGas(hospital.address, batch.root, batch.leaves[999], batch.proofs[999], 33010126, 1000);
    expect(gas).to.be.lessThanOrEqual(CEILING.evidenceCall);
    row("evidence, 1,000 leaves (eth_estimateGas)", gas, CEILING.evidenceCall);
  });

  it("finds a bill's range among 200 ranges of its code, allotted in number order, by binary search: evidence within its ceiling", async () => {
    const { registry, as, registrar, hospital, batch } = await loadFixture(thousandFixture);
    const r = as(registrar);
    for (let i = 0; i < 200; i++) await r.allotRange(hospital.address, FRESH_CODE, i * 100 + 1, i * 100 + 100);
    const estimate = (code: number, number: number) =>
      registry.evidence.estimateGas(hospital.address, batch.root, batch.leaves[999], batch.proofs[999], code, number) as Promise<bigint>;
    const [among2, among200] = [await estimate(33010126, 1000), await estimate(FRESH_CODE, 19_950)];
    expect(among200).to.be.lessThanOrEqual(CEILING.evidenceCallAmong200Ranges);
    expect(among200 - among2, "200 ranges against 2").to.be.lessThan(25_000n);
    row("evidence, 1,000 leaves, number in the 200th of 200 ranges", among200, CEILING.evidenceCallAmong200Ranges);
  });

  it("costs the naive baseline one transaction of over 40,000 gas per bill", async () => {
    const store = (await ethers.deployContract("NaiveDocumentStore")) as unknown as Contract;
    const gases: bigint[] = [];
    for (const hash of billHashes(10, "naive")) gases.push(await gasOf(store.issue(hash)));
    const perBill = gases.reduce((a, b) => a + b) / BigInt(gases.length);
    expect(perBill).to.be.greaterThan(40_000n);
    rows.push({ what: "naive store, one bill per tx", gas: Number(perBill), "gas per bill": Number(perBill), ceiling: "-" });
  });

  it("refuses the naive baseline a hash issued twice, naming the block", async () => {
    const store = (await ethers.deployContract("NaiveDocumentStore")) as unknown as Contract;
    const [hash] = billHashes(1, "naive-twice");
    const block = await blockOf(store.issue(hash));
    expect(await store.issuedAt(hash)).to.equal(block);
    await expect(store.issue(hash)).to.be.revertedWithCustomError(store, "NaiveDocumentStoreAlreadyIssued").withArgs(hash, block);
  });
});
