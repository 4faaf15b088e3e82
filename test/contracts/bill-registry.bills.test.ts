// BillRegistry: anchoring batches, voiding (冲红), reimbursement marks (报销 / 入账) and the verifier's reads.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { RELYING_PARTY_ROLE, billHashes, blockTimeOf, buildBatch, registryFixture } from "./fixtures";

const CLAIM = ethers.id("PICC-2026-000123");
const REASON_WRONG_AMOUNT = 1;

describe("BillRegistry: bills", () => {
  describe("anchor", () => {
    it("records the issuer, block, time and bill count in one slot and emits BatchAnchored", async () => {
      const { as, hospital } = await loadFixture(registryFixture);
      const batch = buildBatch(billHashes(17, "anchor"));
      const tx = await as(hospital).anchor(batch.root, 17);
      await expect(tx).to.emit(as(hospital), "BatchAnchored").withArgs(batch.root, hospital.address, 17);
      const record = await as(hospital).batchOf(batch.root);
      expect(record.issuer).to.equal(hospital.address);
      expect(record.blockNumber).to.equal((await tx.wait()).blockNumber);
      expect(record.timestamp).to.equal(await blockTimeOf(tx));
      expect(record.billCount).to.equal(17);
    });

    it("is refused to accounts that are not issuers: a relying party, a registrar, the admin, a stranger", async () => {
      const { as, insurer, registrar, admin, stranger } = await loadFixture(registryFixture);
      const root = buildBatch(billHashes(2, "outsider")).root;
      for (const caller of [insurer, registrar, admin, stranger]) {
        await expect(as(caller).anchor(root, 2))
          .to.be.revertedWithCustomError(as(caller), "BillRegistryUnknownIssuer")
          .withArgs(caller.address);
      }
    });

    it("is refused to a suspended issuer, whose earlier batches stay anchored", async () => {
      const { as, registrar, hospital, medical } = await loadFixture(registryFixture);
      await as(registrar).suspendIssuer(hospital.address);
      await expect(as(hospital).anchor(buildBatch(billHashes(2, "late")).root, 2))
        .to.be.revertedWithCustomError(as(hospital), "BillRegistryIssuerSuspended")
        .withArgs(hospital.address);
      expect(await as(hospital).isIncluded(medical.root, medical.leaves[0], medical.proofs[0])).to.equal(true);
    });

    it("refuses a zero root and a zero bill count", async () => {
      const { as, hospital } = await loadFixture(registryFixture);
      const h = as(hospital);
      await expect(h.anchor(ethers.ZeroHash, 1)).to.be.revertedWithCustomError(h, "BillRegistryInvalidArgument");
      await expect(h.anchor(ethers.id("root"), 0)).to.be.revertedWithCustomError(h, "BillRegistryInvalidArgument");
    });

    it("refuses a root anchored before, naming the issuer that anchored it", async () => {
      const { as, hospital, charity, medical } = await loadFixture(registryFixture);
      for (const caller of [hospital, charity]) {
        await expect(as(caller).anchor(medical.root, 3))
          .to.be.revertedWithCustomError(as(caller), "BillRegistryRootAlreadyAnchored")
          .withArgs(medical.root, hospital.address);
      }
    });
  });

  describe("voidBill", () => {
    it("voids a bill of the issuer's own batch, records reason and time, and emits BillVoided", async () => {
      const { as, hospital, medical } = await loadFixture(registryFixture);
      const h = as(hospital);
      const tx = await h.voidBill(medical.root, medical.leaves[1], medical.proofs[1], REASON_WRONG_AMOUNT);
      await expect(tx)
        .to.emit(h, "BillVoided")
        .withArgs(medical.leaves[1], medical.root, hospital.address, REASON_WRONG_AMOUNT);
      const status = await h.statusOf(medical.leaves[1]);
      expect([status.voided, status.voidReason, status.voidedAt]).to.deep.equal([true, 1n, BigInt(await blockTimeOf(tx))]);
      expect((await h.statusOf(medical.leaves[0])).voided).to.equal(false);
    });

    it("lets issuer A not void issuer B's bill, nor a stranger or a relying party", async () => {
      const { as, charity, stranger, insurer, medical } = await loadFixture(registryFixture);
      for (const caller of [charity, stranger, insurer]) {
        await expect(as(caller).voidBill(medical.root, medical.leaves[0], medical.proofs[0], 1))
          .to.be.revertedWithCustomError(as(caller), "BillRegistryNotBatchIssuer")
          .withArgs(medical.root, caller.address);
      }
    });

    it("is refused to the anchoring issuer while it is suspended", async () => {
      const { as, registrar, hospital, medical } = await loadFixture(registryFixture);
      await as(registrar).suspendIssuer(hospital.address);
      await expect(as(hospital).voidBill(medical.root, medical.leaves[0], medical.proofs[0], 1))
        .to.be.revertedWithCustomError(as(hospital), "BillRegistryIssuerSuspended")
        .withArgs(hospital.address);
    });

    it("refuses an unknown root, a wrong proof and a zero reason", async () => {
      const { as, hospital, medical } = await loadFixture(registryFixture);
      const h = as(hospital);
      const unknown = ethers.id("unknown root");
      await expect(h.voidBill(unknown, medical.leaves[0], medical.proofs[0], 1))
        .to.be.revertedWithCustomError(h, "BillRegistryUnknownRoot")
        .withArgs(unknown);
      await expect(h.voidBill(medical.root, medical.leaves[0], medical.proofs[1], 1))
        .to.be.revertedWithCustomError(h, "BillRegistryInvalidProof")
        .withArgs(medical.root, medical.leaves[0]);
      await expect(h.voidBill(medical.root, medical.leaves[0], medical.proofs[0], 0)).to.be.revertedWithCustomError(
        h,
        "BillRegistryInvalidArgument",
      );
    });

    it("refuses a second void, saying when the bill was voided", async () => {
      const { as, hospital, medical } = await loadFixture(registryFixture);
      const h = as(hospital);
      const at = await blockTimeOf(await h.voidBill(medical.root, medical.leaves[0], medical.proofs[0], 1));
      await expect(h.voidBill(medical.root, medical.leaves[0], medical.proofs[0], 2))
        .to.be.revertedWithCustomError(h, "BillRegistryBillVoided")
        .withArgs(medical.leaves[0], at);
    });

    it("refuses a reimbursed bill, saying by whom and when, until the party releases it", async () => {
      const { as, hospital, insurer, medical } = await loadFixture(registryFixture);
      const at = await blockTimeOf(await as(insurer).markReimbursed(medical.root, medical.leaves[2], medical.proofs[2], CLAIM));
      await expect(as(hospital).voidBill(medical.root, medical.leaves[2], medical.proofs[2], 1))
        .to.be.revertedWithCustomError(as(hospital), "BillRegistryAlreadyReimbursed")
        .withArgs(medical.leaves[2], insurer.address, at);
      await as(insurer).releaseReimbursement(medical.leaves[2]);
      await expect(as(hospital).voidBill(medical.root, medical.leaves[2], medical.proofs[2], 1)).to.emit(
        as(hospital),
        "BillVoided",
      );
    });
  });

  describe("markReimbursed", () => {
    it("marks a bill with the party and time, and emits BillReimbursed with the claim reference", async () => {
      const { as, insurer, charity, donation } = await loadFixture(registryFixture);
      const tx = await as(insurer).markReimbursed(donation.root, donation.leaves[0], donation.proofs[0], CLAIM);
      await expect(tx)
        .to.emit(as(insurer), "BillReimbursed")
        .withArgs(donation.leaves[0], donation.root, insurer.address, CLAIM);
      const status = await as(charity).statusOf(donation.leaves[0]);
      expect([status.reimbursedBy, status.reimbursedAt]).to.deep.equal([insurer.address, BigInt(await blockTimeOf(tx))]);
    });

    it("is refused to accounts without the relying-party role, issuers included", async () => {
      const { as, hospital, registrar, stranger, medical } = await loadFixture(registryFixture);
      for (const caller of [hospital, registrar, stranger]) {
        await expect(as(caller).markReimbursed(medical.root, medical.leaves[0], medical.proofs[0], CLAIM))
          .to.be.revertedWithCustomError(as(caller), "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, RELYING_PARTY_ROLE);
      }
    });

    it("refuses a second mark by anyone, saying who marked the bill and when", async () => {
      const { as, insurer, employer, medical } = await loadFixture(registryFixture);
      const at = await blockTimeOf(await as(insurer).markReimbursed(medical.root, medical.leaves[0], medical.proofs[0], CLAIM));
      for (const caller of [employer, insurer]) {
        await expect(as(caller).markReimbursed(medical.root, medical.leaves[0], medical.proofs[0], ethers.id("again")))
          .to.be.revertedWithCustomError(as(caller), "BillRegistryAlreadyReimbursed")
          .withArgs(medical.leaves[0], insurer.address, at);
      }
    });

    it("refuses a voided bill, an unknown root and a wrong proof", async () => {
      const { as, hospital, insurer, medical, donation } = await loadFixture(registryFixture);
      const at = await blockTimeOf(await as(hospital).voidBill(medical.root, medical.leaves[0], medical.proofs[0], 1));
      const i = as(insurer);
      await expect(i.markReimbursed(medical.root, medical.leaves[0], medical.proofs[0], CLAIM))
        .to.be.revertedWithCustomError(i, "BillRegistryBillVoided")
        .withArgs(medical.leaves[0], at);
      const unknown = buildBatch(billHashes(3, "never anchored"));
      await expect(i.markReimbursed(unknown.root, unknown.leaves[0], unknown.proofs[0], CLAIM))
        .to.be.revertedWithCustomError(i, "BillRegistryUnknownRoot")
        .withArgs(unknown.root);
      await expect(i.markReimbursed(donation.root, medical.leaves[1], medical.proofs[1], CLAIM))
        .to.be.revertedWithCustomError(i, "BillRegistryInvalidProof")
        .withArgs(donation.root, medical.leaves[1]);
    });

    it("still accepts bills that a since suspended issuer anchored while admitted", async () => {
      const { as, registrar, hospital, insurer, medical } = await loadFixture(registryFixture);
      await as(registrar).suspendIssuer(hospital.address);
      await expect(as(insurer).markReimbursed(medical.root, medical.leaves[0], medical.proofs[0], CLAIM)).to.emit(
        as(insurer),
        "BillReimbursed",
      );
    });
  });

  describe("releaseReimbursement", () => {
    it("clears the mark, emits ReimbursementReleased, and lets another party mark the bill", async () => {
      const { as, insurer, employer, medical } = await loadFixture(registryFixture);
      await as(insurer).markReimbursed(medical.root, medical.leaves[0], medical.proofs[0], CLAIM);
      await expect(as(insurer).releaseReimbursement(medical.leaves[0]))
        .to.emit(as(insurer), "ReimbursementReleased")
        .withArgs(medical.leaves[0], insurer.address);
      const status = await as(insurer).statusOf(medical.leaves[0]);
      expect([status.reimbursedBy, status.reimbursedAt]).to.deep.equal([ethers.ZeroAddress, 0n]);
      await expect(as(employer).markReimbursed(medical.root, medical.leaves[0], medical.proofs[0], CLAIM)).to.emit(
        as(employer),
        "BillReimbursed",
      );
    });

    it("is refused to any party but the one that marked the bill", async () => {
      const { as, insurer, employer, hospital, medical } = await loadFixture(registryFixture);
      await as(insurer).markReimbursed(medical.root, medical.leaves[0], medical.proofs[0], CLAIM);
      for (const caller of [employer, hospital]) {
        await expect(as(caller).releaseReimbursement(medical.leaves[0]))
          .to.be.revertedWithCustomError(as(caller), "BillRegistryNotReimbursingParty")
          .withArgs(medical.leaves[0], insurer.address);
      }
    });

    it("refuses a bill that is not reimbursed", async () => {
      const { as, insurer, medical } = await loadFixture(registryFixture);
      await expect(as(insurer).releaseReimbursement(medical.leaves[0]))
        .to.be.revertedWithCustomError(as(insurer), "BillRegistryNotReimbursed")
        .withArgs(medical.leaves[0]);
    });
  });

  describe("evidence", () => {
    it("gives a verifier the batch, the marks, the issuer record and inclusion in one call", async () => {
      const { registry, as, insurer, hospital, medical } = await loadFixture(registryFixture);
      await as(insurer).markReimbursed(medical.root, medical.leaves[1], medical.proofs[1], CLAIM);
      const [batch, status, issuer, included] = await registry.evidence(medical.root, medical.leaves[1], medical.proofs[1]);
      expect([batch.issuer, batch.billCount]).to.deep.equal([hospital.address, 3n]);
      expect([status.voided, status.reimbursedBy]).to.deep.equal([false, insurer.address]);
      expect([issuer.kind, issuer.active]).to.deep.equal([1n, true]);
      expect(included).to.equal(true);
    });

    it("answers an unknown root with a zero batch and zero issuer, not included", async () => {
      const { registry } = await loadFixture(registryFixture);
      const unknown = buildBatch(billHashes(2, "unknown"));
      const [batch, , issuer, included] = await registry.evidence(unknown.root, unknown.leaves[0], unknown.proofs[0]);
      expect([batch.issuer, issuer.kind, included]).to.deep.equal([ethers.ZeroAddress, 0n, false]);
    });
  });
});
