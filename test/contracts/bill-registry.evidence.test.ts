// BillRegistry v2: `evidence`, the verifier's one call, for every combination of facts that changes an answer.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import {
  CHARITY_CREDIT_CODE,
  CLAIM,
  DONATION_CODE,
  HOSPITAL_CREDIT_CODE,
  Kind,
  MAX_BILL_CODE,
  MEDICAL_CODE,
  NEWCOMER_CREDIT_CODE,
  NO_BATCH,
  NO_ISSUER,
  NO_MARKS,
  type EvidenceView,
  type Fixture,
  billHashes,
  blockOf,
  blockTimeOf,
  buildBatch,
  evidenceView,
  inOneBlock,
  medicalEvidence,
  ranked,
  registryFixture,
} from "./fixtures";

const FRESH_CODE = 44010126;

/** What hospital A's evidence for its medical bill 0 (number 1) says right after the fixture. */
async function expectedFresh(f: Fixture): Promise<EvidenceView> {
  const block = await ethers.provider.getBlock(f.medicalBlock);
  const admittedAt = Number((await f.registry.issuerOf(f.hospital.address)).admittedAt);
  return {
    batch: { blockNumber: f.medicalBlock, timestamp: block!.timestamp, billCount: 3 },
    status: NO_MARKS,
    issuer: { kind: Kind.Medical, active: true, admittedAt, creditCodeHash: HOSPITAL_CREDIT_CODE },
    included: true,
    activeAtAnchor: true,
    allottedAtAnchor: true,
  };
}

describe("BillRegistry v2: evidence", () => {
  it("reports an anchored bill of an active issuer holding its number: batch, no marks, issuer, all three facts true", async () => {
    const f = await loadFixture(registryFixture);
    const expected = await expectedFresh(f);
    for (let i = 0; i < 3; i++) expect(await medicalEvidence(f, i), `bill ${i}`).to.deep.equal(expected);
  });

  it("reports the charity's donation bill under its own kind, code and range", async () => {
    const f = await loadFixture(registryFixture);
    const { registry, charity, donation, donationBlock } = f;
    const ev = evidenceView(await registry.evidence(charity.address, donation.root, donation.leaves[1], donation.proofs[1], DONATION_CODE, 2));
    expect(ev.batch.blockNumber).to.equal(donationBlock);
    expect([ev.issuer.kind, ev.issuer.creditCodeHash]).to.deep.equal([Kind.Donation, CHARITY_CREDIT_CODE]);
    expect([ev.included, ev.activeAtAnchor, ev.allottedAtAnchor]).to.deep.equal([true, true, true]);
  });

  it("reports a voided bill's reason and time", async () => {
    const f = await loadFixture(registryFixture);
    const at = await blockTimeOf(f.as(f.hospital).voidBill(f.medical.root, f.medical.leaves[0], f.medical.proofs[0], 3));
    const expected = await expectedFresh(f);
    expect(await medicalEvidence(f, 0)).to.deep.equal({ ...expected, status: { ...NO_MARKS, voided: true, voidReason: 3, voidedAt: at } });
  });

  it("reports a reimbursed bill's party and time, and clears them after release", async () => {
    const f = await loadFixture(registryFixture);
    const { as, insurer, hospital, medical } = f;
    const at = await blockTimeOf(as(insurer).markReimbursed(hospital.address, medical.root, medical.leaves[1], medical.proofs[1], CLAIM));
    const expected = await expectedFresh(f);
    expect(await medicalEvidence(f, 1)).to.deep.equal({ ...expected, status: { ...NO_MARKS, reimbursedBy: insurer.address, reimbursedAt: at } });
    await as(insurer).releaseReimbursement(hospital.address, medical.leaves[1]);
    expect(await medicalEvidence(f, 1)).to.deep.equal(expected);
  });

  it("reports included false for a proof that does not place the leaf, the batch facts unchanged", async () => {
    const f = await loadFixture(registryFixture);
    const { registry, hospital, medical } = f;
    const ev = evidenceView(await registry.evidence(hospital.address, medical.root, medical.leaves[0], medical.proofs[1], MEDICAL_CODE, 1));
    expect(ev).to.deep.equal({ ...(await expectedFresh(f)), included: false });
  });

  it("reports a root the issuer never anchored as no batch, not included, neither active nor allotted at anchor", async () => {
    const f = await loadFixture(registryFixture);
    const { registry, hospital, charity, medical, donation } = f;
    const fresh = await expectedFresh(f);
    const unknown = buildBatch(billHashes(2, "never anchored"));
    const none = { batch: NO_BATCH, included: false, activeAtAnchor: false, allottedAtAnchor: false };
    expect(evidenceView(await registry.evidence(hospital.address, unknown.root, unknown.leaves[0], unknown.proofs[0], MEDICAL_CODE, 1))).to.deep.equal({
      ...fresh,
      ...none,
    });
    // the charity's root, with a valid proof, named under the hospital
    expect(evidenceView(await registry.evidence(hospital.address, donation.root, donation.leaves[0], donation.proofs[0], MEDICAL_CODE, 1))).to.deep.equal({
      ...fresh,
      ...none,
    });
    // the hospital's root named under the charity: the charity's record, no batch
    const ev = evidenceView(await registry.evidence(charity.address, medical.root, medical.leaves[0], medical.proofs[0], DONATION_CODE, 1));
    expect(ev).to.deep.include(none);
    expect(ev.issuer.creditCodeHash).to.equal(CHARITY_CREDIT_CODE);
  });

  it("reports an account never admitted with zero records and every fact false", async () => {
    const { registry, stranger, medical } = await loadFixture(registryFixture);
    for (const account of [stranger.address, ethers.ZeroAddress]) {
      expect(evidenceView(await registry.evidence(account, medical.root, medical.leaves[0], medical.proofs[0], MEDICAL_CODE, 1))).to.deep.equal({
        batch: NO_BATCH,
        status: NO_MARKS,
        issuer: NO_ISSUER,
        included: false,
        activeAtAnchor: false,
        allottedAtAnchor: false,
      });
    }
  });

  it("keeps activeAtAnchor true after the issuer is suspended, while the issuer record says suspended", async () => {
    const f = await loadFixture(registryFixture);
    await f.as(f.registrar).suspendIssuer(f.hospital.address);
    const fresh = await expectedFresh(f);
    expect(await medicalEvidence(f, 0)).to.deep.equal({ ...fresh, issuer: { ...fresh.issuer, active: false } });
  });

  it("keeps activeAtAnchor true for a batch anchored in the block right before the suspension", async () => {
    const f = await loadFixture(registryFixture);
    const { registry, as, registrar, hospital } = f;
    const batch = buildBatch(billHashes(2, "suspended next block"));
    const anchored = await blockOf(as(hospital).anchor(batch.root, 2));
    const suspended = await blockOf(as(registrar).suspendIssuer(hospital.address));
    expect(suspended).to.equal(anchored + 1);
    const ev = evidenceView(await registry.evidence(hospital.address, batch.root, batch.leaves[0], batch.proofs[0], MEDICAL_CODE, 10));
    expect([ev.included, ev.activeAtAnchor, ev.issuer.active]).to.deep.equal([true, true, false]);
  });

  it("keeps activeAtAnchor true for a batch anchored in the block in which the issuer was then suspended: the anchor itself proves the issuer was active", async () => {
    const f = await loadFixture(registryFixture);
    const { registry, as, registrar, hospital } = f;
    const batch = buildBatch(billHashes(2, "suspended same block"));
    const block = await inOneBlock(async () => {
      await as(hospital).anchor(batch.root, 2, ranked(2));
      await as(registrar).suspendIssuer(hospital.address, ranked(1));
    });
    const ev = evidenceView(await registry.evidence(hospital.address, batch.root, batch.leaves[0], batch.proofs[0], MEDICAL_CODE, 10));
    expect(ev.batch.blockNumber).to.equal(block);
    expect([ev.included, ev.activeAtAnchor, ev.allottedAtAnchor, ev.issuer.active]).to.deep.equal([true, true, true, false]);
    // the end-of-block history still says suspended for that block: evidence does not use it for anchors
    expect(await registry.wasIssuerAt(hospital.address, 1, block)).to.equal(false);
  });

  it("reports activeAtAnchor true for a batch anchored by an issuer suspended earlier and reinstated since", async () => {
    const f = await loadFixture(registryFixture);
    const { registry, as, registrar, hospital } = f;
    await as(registrar).suspendIssuer(hospital.address);
    await mine(2);
    await as(registrar).reinstateIssuer(hospital.address);
    const batch = buildBatch(billHashes(2, "after reinstatement"));
    await as(hospital).anchor(batch.root, 2);
    const ev = evidenceView(await registry.evidence(hospital.address, batch.root, batch.leaves[1], batch.proofs[1], MEDICAL_CODE, 2));
    expect([ev.included, ev.activeAtAnchor, ev.allottedAtAnchor]).to.deep.equal([true, true, true]);
  });

  it("reports allottedAtAnchor false for a number outside every range, in another issuer's range, under another code, or a 9-digit code", async () => {
    const f = await loadFixture(registryFixture);
    const { registry, hospital, medical } = f;
    const fresh = await expectedFresh(f);
    const cases: [number, bigint][] = [
      [MEDICAL_CODE, 0n], // no number 0
      [MEDICAL_CODE, 2001n], // past every range of the code
      [MEDICAL_CODE, 1001n], // hospital B's first number
      [MEDICAL_CODE, 2000n], // hospital B's last number
      [DONATION_CODE, 1n], // the charity's code
      [FRESH_CODE, 1n], // a code nobody holds
      [MAX_BILL_CODE + 1, 1n], // not an 8-digit code
    ];
    for (const [code, number] of cases) {
      const ev = evidenceView(await registry.evidence(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], code, number));
      expect(ev, `${code}/${number}`).to.deep.equal({ ...fresh, allottedAtAnchor: false });
    }
    for (const number of [1n, 1000n]) {
      const ev = evidenceView(await registry.evidence(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], MEDICAL_CODE, number));
      expect(ev.allottedAtAnchor, `edge ${number}`).to.equal(true);
    }
  });

  it("reports allottedAtAnchor false for a range allotted after the anchoring block, though the number is allotted now", async () => {
    const f = await loadFixture(registryFixture);
    const { registry, as, registrar, hospital, medical, medicalBlock } = f;
    const allotted = await blockOf(as(registrar).allotRange(hospital.address, FRESH_CODE, 1, 100));
    expect(allotted).to.be.greaterThan(medicalBlock);
    expect(await registry.isAllottedAt(hospital.address, FRESH_CODE, 1, allotted)).to.equal(true);
    const ev = evidenceView(await registry.evidence(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], FRESH_CODE, 1));
    expect([ev.included, ev.activeAtAnchor, ev.allottedAtAnchor]).to.deep.equal([true, true, false]);
  });

  it("reports allottedAtAnchor false for a range allotted in the block right after the anchoring block", async () => {
    const f = await loadFixture(registryFixture);
    const { registry, as, registrar, hospital } = f;
    const batch = buildBatch(billHashes(2, "allotted next block"));
    const anchored = await blockOf(as(hospital).anchor(batch.root, 2));
    const allotted = await blockOf(as(registrar).allotRange(hospital.address, FRESH_CODE, 1, 100));
    expect(allotted).to.equal(anchored + 1);
    const ev = evidenceView(await registry.evidence(hospital.address, batch.root, batch.leaves[0], batch.proofs[0], FRESH_CODE, 1));
    expect([ev.included, ev.activeAtAnchor, ev.allottedAtAnchor]).to.deep.equal([true, true, false]);
  });

  it("reports allottedAtAnchor true for a range allotted in the anchoring block, before or after the anchor (end-of-block state)", async () => {
    const f = await loadFixture(registryFixture);
    const { registry, as, registrar, hospital } = f;
    const batch = buildBatch(billHashes(2, "allotted same block"));
    const block = await inOneBlock(async () => {
      await as(registrar).allotRange(hospital.address, FRESH_CODE, 1, 100, ranked(3)); // mined first
      await as(hospital).anchor(batch.root, 2, ranked(2));
      await as(registrar).allotRange(hospital.address, FRESH_CODE, 101, 200, ranked(1)); // after the anchor
    });
    const mined = (await ethers.provider.send("eth_getBlockByNumber", [ethers.toQuantity(block), true])) as { transactions: { from: string }[] };
    expect(mined.transactions.map((t) => ethers.getAddress(t.from))).to.deep.equal([registrar.address, hospital.address, registrar.address]);
    expect(Number((await registry.allotmentAt(FRESH_CODE, 0)).allottedAt)).to.equal(block);
    expect(Number((await registry.allotmentAt(FRESH_CODE, 1)).allottedAt)).to.equal(block);
    expect(Number((await registry.batchOf(hospital.address, batch.root)).blockNumber)).to.equal(block);
    for (const number of [50, 150]) {
      const ev = evidenceView(await registry.evidence(hospital.address, batch.root, batch.leaves[0], batch.proofs[0], FRESH_CODE, number));
      expect(ev.allottedAtAnchor, `number ${number}`).to.equal(true);
    }
  });

  it("reports an issuer admitted, allotted and anchoring in consecutive blocks as active and allotted at anchor", async () => {
    const f = await loadFixture(registryFixture);
    const { registry, as, registrar, newcomer } = f;
    const admitted = await blockOf(as(registrar).admitIssuer(newcomer.address, Kind.Donation, NEWCOMER_CREDIT_CODE));
    await as(registrar).allotRange(newcomer.address, FRESH_CODE, 1, 10);
    const batch = buildBatch(billHashes(1, "newcomer"));
    const anchored = await blockOf(as(newcomer).anchor(batch.root, 1));
    const ev = evidenceView(await registry.evidence(newcomer.address, batch.root, batch.leaves[0], batch.proofs[0], FRESH_CODE, 10));
    expect(ev.issuer).to.deep.equal({ kind: Kind.Donation, active: true, admittedAt: admitted, creditCodeHash: NEWCOMER_CREDIT_CODE });
    expect(ev.batch.blockNumber).to.equal(anchored);
    expect([ev.included, ev.activeAtAnchor, ev.allottedAtAnchor]).to.deep.equal([true, true, true]);
  });
});
