// BillRegistry v2: anchoring batches, voiding (冲红), reimbursement marks (报销 / 入账), and the reads.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  CLAIM,
  NO_BATCH,
  NO_MARKS,
  REASON_DUPLICATE,
  REASON_WRONG_AMOUNT,
  RELYING_PARTY_ROLE,
  batchView,
  billHashes,
  blockOf,
  blockTimeOf,
  buildBatch,
  registryFixture,
  statusView,
} from "./fixtures";

describe("BillRegistry v2: bills", () => {
  describe("anchor", () => {
    it("records block, time and bill count under the issuer and emits BatchAnchored(issuer, root, count)", async () => {
      const { registry, as, hospital, rival } = await loadFixture(registryFixture);
      const batch = buildBatch(billHashes(17, "anchor"));
      const tx = await as(hospital).anchor(batch.root, 17);
      await expect(tx).to.emit(registry, "BatchAnchored").withArgs(hospital.address, batch.root, 17);
      expect(batchView(await registry.batchOf(hospital.address, batch.root))).to.deep.equal({
        blockNumber: await blockOf(tx),
        timestamp: await blockTimeOf(tx),
        billCount: 17,
      });
      expect(batchView(await registry.batchOf(rival.address, batch.root))).to.deep.equal(NO_BATCH);
    });

    it("accepts the largest bill count a uint24 holds", async () => {
      const { registry, as, hospital } = await loadFixture(registryFixture);
      const root = ethers.id("a very large batch");
      await as(hospital).anchor(root, 2 ** 24 - 1);
      expect(Number((await registry.batchOf(hospital.address, root)).billCount)).to.equal(2 ** 24 - 1);
    });

    it("is refused to accounts that are not issuers: a relying party, a registrar, the admin, a stranger", async () => {
      const { registry, as, insurer, registrar, admin, stranger } = await loadFixture(registryFixture);
      const root = buildBatch(billHashes(2, "outsider")).root;
      for (const caller of [insurer, registrar, admin, stranger]) {
        await expect(as(caller).anchor(root, 2)).to.be.revertedWithCustomError(registry, "BillRegistryUnknownIssuer").withArgs(caller.address);
        expect(batchView(await registry.batchOf(caller.address, root))).to.deep.equal(NO_BATCH);
      }
    });

    it("is refused to a suspended issuer with BillRegistryIssuerSuspended", async () => {
      const { registry, as, registrar, hospital } = await loadFixture(registryFixture);
      await as(registrar).suspendIssuer(hospital.address);
      const root = buildBatch(billHashes(2, "late")).root;
      await expect(as(hospital).anchor(root, 2)).to.be.revertedWithCustomError(registry, "BillRegistryIssuerSuspended").withArgs(hospital.address);
    });

    it("refuses a zero root and a zero bill count with BillRegistryInvalidArgument", async () => {
      const { registry, as, hospital } = await loadFixture(registryFixture);
      await expect(as(hospital).anchor(ethers.ZeroHash, 1)).to.be.revertedWithCustomError(registry, "BillRegistryInvalidArgument");
      await expect(as(hospital).anchor(ethers.id("root"), 0)).to.be.revertedWithCustomError(registry, "BillRegistryInvalidArgument");
      expect(batchView(await registry.batchOf(hospital.address, ethers.ZeroHash))).to.deep.equal(NO_BATCH);
    });

    it("checks the caller before the arguments: a stranger's zero root is an unknown issuer", async () => {
      const { registry, as, stranger } = await loadFixture(registryFixture);
      await expect(as(stranger).anchor(ethers.ZeroHash, 0)).to.be.revertedWithCustomError(registry, "BillRegistryUnknownIssuer").withArgs(stranger.address);
    });

    it("refuses a root the issuer anchored before, naming the issuer and the root, and keeps the first record", async () => {
      const { registry, as, hospital, medical, medicalBlock } = await loadFixture(registryFixture);
      await expect(as(hospital).anchor(medical.root, 3))
        .to.be.revertedWithCustomError(registry, "BillRegistryRootAlreadyAnchored")
        .withArgs(hospital.address, medical.root);
      await expect(as(hospital).anchor(medical.root, 99))
        .to.be.revertedWithCustomError(registry, "BillRegistryRootAlreadyAnchored")
        .withArgs(hospital.address, medical.root);
      const record = batchView(await registry.batchOf(hospital.address, medical.root));
      expect([record.blockNumber, record.billCount]).to.deep.equal([medicalBlock, 3]);
    });

    it("lets another issuer anchor the same root under itself, each record its own", async () => {
      const { registry, as, hospital, rival, medical, medicalBlock } = await loadFixture(registryFixture);
      const tx = await as(rival).anchor(medical.root, 5);
      await expect(tx).to.emit(registry, "BatchAnchored").withArgs(rival.address, medical.root, 5);
      expect(batchView(await registry.batchOf(rival.address, medical.root))).to.deep.equal({
        blockNumber: await blockOf(tx),
        timestamp: await blockTimeOf(tx),
        billCount: 5,
      });
      const a = batchView(await registry.batchOf(hospital.address, medical.root));
      expect([a.blockNumber, a.billCount]).to.deep.equal([medicalBlock, 3]);
    });
  });

  describe("voidBill", () => {
    it("voids the issuer's bill, records reason and block time, emits BillVoided(issuer, leaf, root, reason), and leaves the others", async () => {
      const { registry, as, hospital, medical } = await loadFixture(registryFixture);
      const tx = await as(hospital).voidBill(medical.root, medical.leaves[1], medical.proofs[1], REASON_WRONG_AMOUNT);
      await expect(tx).to.emit(registry, "BillVoided").withArgs(hospital.address, medical.leaves[1], medical.root, REASON_WRONG_AMOUNT);
      expect(statusView(await registry.statusOf(hospital.address, medical.leaves[1]))).to.deep.equal({
        ...NO_MARKS,
        voided: true,
        voidReason: REASON_WRONG_AMOUNT,
        voidedAt: await blockTimeOf(tx),
      });
      for (const i of [0, 2]) expect(statusView(await registry.statusOf(hospital.address, medical.leaves[i]))).to.deep.equal(NO_MARKS);
    });

    it("accepts the largest reason code, 255", async () => {
      const { registry, as, hospital, medical } = await loadFixture(registryFixture);
      await as(hospital).voidBill(medical.root, medical.leaves[0], medical.proofs[0], 255);
      expect(Number((await registry.statusOf(hospital.address, medical.leaves[0])).voidReason)).to.equal(255);
    });

    it("refuses a zero reason with BillRegistryInvalidArgument, before anything else", async () => {
      const { registry, as, hospital, stranger, medical } = await loadFixture(registryFixture);
      for (const caller of [hospital, stranger]) {
        await expect(as(caller).voidBill(medical.root, medical.leaves[0], medical.proofs[0], 0)).to.be.revertedWithCustomError(
          registry,
          "BillRegistryInvalidArgument",
        );
      }
    });

    it("is refused to accounts that are not issuers with BillRegistryUnknownIssuer", async () => {
      const { registry, as, admin, registrar, insurer, stranger, medical } = await loadFixture(registryFixture);
      for (const caller of [admin, registrar, insurer, stranger]) {
        await expect(as(caller).voidBill(medical.root, medical.leaves[0], medical.proofs[0], 1))
          .to.be.revertedWithCustomError(registry, "BillRegistryUnknownIssuer")
          .withArgs(caller.address);
      }
    });

    it("is refused to an issuer under a root it did not anchor, naming that issuer and root", async () => {
      const { registry, as, rival, charity, medical } = await loadFixture(registryFixture);
      for (const caller of [rival, charity]) {
        await expect(as(caller).voidBill(medical.root, medical.leaves[0], medical.proofs[0], 1))
          .to.be.revertedWithCustomError(registry, "BillRegistryUnknownRoot")
          .withArgs(caller.address, medical.root);
      }
    });

    it("refuses a proof that does not place the leaf under the root, naming root and leaf", async () => {
      const { registry, as, hospital, medical, donation } = await loadFixture(registryFixture);
      const h = as(hospital);
      await expect(h.voidBill(medical.root, medical.leaves[0], medical.proofs[1], 1))
        .to.be.revertedWithCustomError(registry, "BillRegistryInvalidProof")
        .withArgs(medical.root, medical.leaves[0]);
      await expect(h.voidBill(medical.root, donation.leaves[0], donation.proofs[0], 1))
        .to.be.revertedWithCustomError(registry, "BillRegistryInvalidProof")
        .withArgs(medical.root, donation.leaves[0]);
      await expect(h.voidBill(medical.root, medical.leaves[0], [], 1))
        .to.be.revertedWithCustomError(registry, "BillRegistryInvalidProof")
        .withArgs(medical.root, medical.leaves[0]);
    });

    it("refuses a second void, saying when the bill was voided, and keeps the first reason", async () => {
      const { registry, as, hospital, medical } = await loadFixture(registryFixture);
      const h = as(hospital);
      const at = await blockTimeOf(h.voidBill(medical.root, medical.leaves[0], medical.proofs[0], REASON_WRONG_AMOUNT));
      await expect(h.voidBill(medical.root, medical.leaves[0], medical.proofs[0], REASON_DUPLICATE))
        .to.be.revertedWithCustomError(registry, "BillRegistryBillVoided")
        .withArgs(hospital.address, medical.leaves[0], at);
      expect(Number((await registry.statusOf(hospital.address, medical.leaves[0])).voidReason)).to.equal(REASON_WRONG_AMOUNT);
    });

    it("refuses a reimbursed bill, saying by whom and when, until that party releases it", async () => {
      const { registry, as, hospital, insurer, medical } = await loadFixture(registryFixture);
      const at = await blockTimeOf(as(insurer).markReimbursed(hospital.address, medical.root, medical.leaves[2], medical.proofs[2], CLAIM));
      await expect(as(hospital).voidBill(medical.root, medical.leaves[2], medical.proofs[2], 1))
        .to.be.revertedWithCustomError(registry, "BillRegistryAlreadyReimbursed")
        .withArgs(hospital.address, medical.leaves[2], insurer.address, at);
      await as(insurer).releaseReimbursement(hospital.address, medical.leaves[2]);
      await expect(as(hospital).voidBill(medical.root, medical.leaves[2], medical.proofs[2], 1)).to.emit(registry, "BillVoided");
    });

    it("shares the void across the issuer's batches: the same bill in a later batch is voided too", async () => {
      const { registry, as, hospital, medical } = await loadFixture(registryFixture);
      const again = buildBatch([...medical.values, ethers.id("another bill")]);
      await as(hospital).anchor(again.root, 4);
      const at = await blockTimeOf(as(hospital).voidBill(again.root, again.leaves[0], again.proofs[0], 1));
      expect(again.leaves[0]).to.equal(medical.leaves[0]);
      await expect(as(hospital).voidBill(medical.root, medical.leaves[0], medical.proofs[0], 1))
        .to.be.revertedWithCustomError(registry, "BillRegistryBillVoided")
        .withArgs(hospital.address, medical.leaves[0], at);
    });
  });

  describe("markReimbursed", () => {
    it("marks the bill with the party and block time and emits BillReimbursed(issuer, leaf, party, root, claimReference)", async () => {
      const { registry, as, insurer, charity, donation } = await loadFixture(registryFixture);
      const tx = await as(insurer).markReimbursed(charity.address, donation.root, donation.leaves[0], donation.proofs[0], CLAIM);
      await expect(tx).to.emit(registry, "BillReimbursed").withArgs(charity.address, donation.leaves[0], insurer.address, donation.root, CLAIM);
      expect(statusView(await registry.statusOf(charity.address, donation.leaves[0]))).to.deep.equal({
        ...NO_MARKS,
        reimbursedBy: insurer.address,
        reimbursedAt: await blockTimeOf(tx),
      });
      expect(statusView(await registry.statusOf(charity.address, donation.leaves[1]))).to.deep.equal(NO_MARKS);
    });

    it("accepts a zero claim reference", async () => {
      const { registry, as, employer, hospital, medical } = await loadFixture(registryFixture);
      await expect(as(employer).markReimbursed(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], ethers.ZeroHash))
        .to.emit(registry, "BillReimbursed")
        .withArgs(hospital.address, medical.leaves[0], employer.address, medical.root, ethers.ZeroHash);
    });

    it("is refused to accounts without the relying-party role: the issuer itself, another issuer, a registrar, the admin, a stranger", async () => {
      const { registry, as, hospital, rival, registrar, admin, stranger, medical } = await loadFixture(registryFixture);
      for (const caller of [hospital, rival, registrar, admin, stranger]) {
        await expect(as(caller).markReimbursed(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], CLAIM))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, RELYING_PARTY_ROLE);
      }
    });

    it("refuses a second mark by anyone, the first party included, saying who marked the bill and when", async () => {
      const { registry, as, hospital, insurer, employer, medical } = await loadFixture(registryFixture);
      const at = await blockTimeOf(as(insurer).markReimbursed(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], CLAIM));
      for (const caller of [employer, insurer]) {
        await expect(as(caller).markReimbursed(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], ethers.id("again")))
          .to.be.revertedWithCustomError(registry, "BillRegistryAlreadyReimbursed")
          .withArgs(hospital.address, medical.leaves[0], insurer.address, at);
      }
    });

    it("refuses a voided bill, saying when it was voided", async () => {
      const { registry, as, hospital, insurer, medical } = await loadFixture(registryFixture);
      const at = await blockTimeOf(as(hospital).voidBill(medical.root, medical.leaves[0], medical.proofs[0], 1));
      await expect(as(insurer).markReimbursed(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], CLAIM))
        .to.be.revertedWithCustomError(registry, "BillRegistryBillVoided")
        .withArgs(hospital.address, medical.leaves[0], at);
    });

    it("refuses a root the named issuer did not anchor, naming that issuer and root", async () => {
      const { registry, as, hospital, charity, stranger, insurer, medical, donation } = await loadFixture(registryFixture);
      const i = as(insurer);
      const unknown = buildBatch(billHashes(3, "never anchored"));
      await expect(i.markReimbursed(hospital.address, unknown.root, unknown.leaves[0], unknown.proofs[0], CLAIM))
        .to.be.revertedWithCustomError(registry, "BillRegistryUnknownRoot")
        .withArgs(hospital.address, unknown.root);
      await expect(i.markReimbursed(hospital.address, donation.root, donation.leaves[0], donation.proofs[0], CLAIM))
        .to.be.revertedWithCustomError(registry, "BillRegistryUnknownRoot")
        .withArgs(hospital.address, donation.root);
      await expect(i.markReimbursed(charity.address, medical.root, medical.leaves[0], medical.proofs[0], CLAIM))
        .to.be.revertedWithCustomError(registry, "BillRegistryUnknownRoot")
        .withArgs(charity.address, medical.root);
      for (const nobody of [stranger.address, ethers.ZeroAddress]) {
        await expect(i.markReimbursed(nobody, medical.root, medical.leaves[0], medical.proofs[0], CLAIM))
          .to.be.revertedWithCustomError(registry, "BillRegistryUnknownRoot")
          .withArgs(nobody, medical.root);
      }
    });

    it("refuses a proof that does not place the leaf under the root", async () => {
      const { registry, as, hospital, insurer, medical, donation } = await loadFixture(registryFixture);
      await expect(as(insurer).markReimbursed(hospital.address, medical.root, donation.leaves[1], donation.proofs[1], CLAIM))
        .to.be.revertedWithCustomError(registry, "BillRegistryInvalidProof")
        .withArgs(medical.root, donation.leaves[1]);
      await expect(as(insurer).markReimbursed(hospital.address, medical.root, medical.leaves[1], medical.proofs[2], CLAIM))
        .to.be.revertedWithCustomError(registry, "BillRegistryInvalidProof")
        .withArgs(medical.root, medical.leaves[1]);
    });

    it("still accepts bills that a since suspended issuer anchored while admitted", async () => {
      const { registry, as, registrar, hospital, insurer, medical } = await loadFixture(registryFixture);
      await as(registrar).suspendIssuer(hospital.address);
      await expect(as(insurer).markReimbursed(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], CLAIM)).to.emit(registry, "BillReimbursed");
    });

    it("shares the mark across the issuer's batches: the same bill in another batch cannot be marked twice", async () => {
      const { registry, as, hospital, insurer, employer, medical } = await loadFixture(registryFixture);
      const again = buildBatch([medical.values[2], ethers.id("another bill")]);
      await as(hospital).anchor(again.root, 2);
      const at = await blockTimeOf(as(insurer).markReimbursed(hospital.address, medical.root, medical.leaves[2], medical.proofs[2], CLAIM));
      await expect(as(employer).markReimbursed(hospital.address, again.root, again.leaves[0], again.proofs[0], CLAIM))
        .to.be.revertedWithCustomError(registry, "BillRegistryAlreadyReimbursed")
        .withArgs(hospital.address, medical.leaves[2], insurer.address, at);
    });
  });

  describe("releaseReimbursement", () => {
    it("clears the mark, emits ReimbursementReleased(issuer, leaf, party), and lets another party mark the bill", async () => {
      const { registry, as, hospital, insurer, employer, medical } = await loadFixture(registryFixture);
      await as(insurer).markReimbursed(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], CLAIM);
      await expect(as(insurer).releaseReimbursement(hospital.address, medical.leaves[0]))
        .to.emit(registry, "ReimbursementReleased")
        .withArgs(hospital.address, medical.leaves[0], insurer.address);
      expect(statusView(await registry.statusOf(hospital.address, medical.leaves[0]))).to.deep.equal(NO_MARKS);
      await expect(as(employer).markReimbursed(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], CLAIM))
        .to.emit(registry, "BillReimbursed")
        .withArgs(hospital.address, medical.leaves[0], employer.address, medical.root, CLAIM);
    });

    it("is refused to anyone but the party that marked: another relying party, the issuer, the admin, a stranger", async () => {
      const { registry, as, admin, insurer, employer, hospital, stranger, medical } = await loadFixture(registryFixture);
      await as(insurer).markReimbursed(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], CLAIM);
      for (const caller of [employer, hospital, admin, stranger]) {
        await expect(as(caller).releaseReimbursement(hospital.address, medical.leaves[0]))
          .to.be.revertedWithCustomError(registry, "BillRegistryNotReimbursingParty")
          .withArgs(hospital.address, medical.leaves[0], insurer.address);
      }
      expect((await registry.statusOf(hospital.address, medical.leaves[0])).reimbursedBy).to.equal(insurer.address);
    });

    it("refuses a bill that is not reimbursed, and one released already, with BillRegistryNotReimbursed", async () => {
      const { registry, as, hospital, insurer, medical } = await loadFixture(registryFixture);
      const i = as(insurer);
      await expect(i.releaseReimbursement(hospital.address, medical.leaves[0]))
        .to.be.revertedWithCustomError(registry, "BillRegistryNotReimbursed")
        .withArgs(hospital.address, medical.leaves[0]);
      await i.markReimbursed(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], CLAIM);
      await i.releaseReimbursement(hospital.address, medical.leaves[0]);
      await expect(i.releaseReimbursement(hospital.address, medical.leaves[0]))
        .to.be.revertedWithCustomError(registry, "BillRegistryNotReimbursed")
        .withArgs(hospital.address, medical.leaves[0]);
    });

    it("lets a party whose role was revoked still release its own mark, but not mark again", async () => {
      const { registry, as, admin, hospital, insurer, medical } = await loadFixture(registryFixture);
      await as(insurer).markReimbursed(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], CLAIM);
      await as(admin).revokeRole(RELYING_PARTY_ROLE, insurer.address);
      await expect(as(insurer).releaseReimbursement(hospital.address, medical.leaves[0])).to.emit(registry, "ReimbursementReleased");
      await expect(as(insurer).markReimbursed(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], CLAIM))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(insurer.address, RELYING_PARTY_ROLE);
    });
  });

  describe("reads", () => {
    it("answers batchOf and statusOf with zeros for what was never recorded", async () => {
      const { registry, hospital, stranger, medical } = await loadFixture(registryFixture);
      expect(batchView(await registry.batchOf(stranger.address, medical.root))).to.deep.equal(NO_BATCH);
      expect(batchView(await registry.batchOf(hospital.address, ethers.id("nothing")))).to.deep.equal(NO_BATCH);
      expect(statusView(await registry.statusOf(hospital.address, ethers.id("no such leaf")))).to.deep.equal(NO_MARKS);
      expect(statusView(await registry.statusOf(stranger.address, medical.leaves[0]))).to.deep.equal(NO_MARKS);
    });

    it("answers isIncluded true only for the issuer that anchored the root with a proof placing the leaf", async () => {
      const { registry, hospital, rival, charity, medical, donation } = await loadFixture(registryFixture);
      const included = (issuer: string, root: string, leaf: string, proof: string[]) => registry.isIncluded(issuer, root, leaf, proof);
      for (let i = 0; i < 3; i++) expect(await included(hospital.address, medical.root, medical.leaves[i], medical.proofs[i])).to.equal(true);
      expect(await included(rival.address, medical.root, medical.leaves[0], medical.proofs[0])).to.equal(false);
      expect(await included(charity.address, medical.root, medical.leaves[0], medical.proofs[0])).to.equal(false);
      expect(await included(hospital.address, medical.root, medical.leaves[0], medical.proofs[1])).to.equal(false);
      expect(await included(hospital.address, medical.root, donation.leaves[0], donation.proofs[0])).to.equal(false);
      expect(await included(hospital.address, donation.root, donation.leaves[0], donation.proofs[0])).to.equal(false);
      expect(await included(charity.address, donation.root, donation.leaves[1], donation.proofs[1])).to.equal(true);
    });
  });
});
