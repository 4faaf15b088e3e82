// BillRegistry v2: claims in parts (分次报销). Several relying parties claim parts of a bill until the
// claimable amount — proven to the contract from the bill's own field commitment — is used up; each
// releases only its own claims; voids and whole-bill marks wait for the claims to be released.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { claimArgs, claimsFixture, commit, opening } from "./claims-fixture";
import { buildBatch } from "./fixtures";

const REF_A = ethers.id("PICC-2026-000123");
const REF_B = ethers.id("EMPLOYER-HR-77");

function claimView(c: Record<string, unknown>) {
  return { party: String(c.party), amountFen: Number(c.amountFen), claimReference: String(c.claimReference) };
}

describe("BillRegistry v2: claims in parts", () => {
  it("lets two parties claim parts of the cash paid up to the cap, and records who claimed what", async () => {
    const { registry, as, hospital, insurer, employer, hospitalBatch, bills } = await loadFixture(claimsFixture);
    const args = claimArgs(hospitalBatch, 0, bills.cash, "/insurance/cashPaid");
    const leaf = hospitalBatch.leaves[0];
    await expect(as(insurer).claim(hospital.address, ...args, 2000, REF_A))
      .to.emit(registry, "BillClaimed")
      .withArgs(hospital.address, leaf, insurer.address, hospitalBatch.root, REF_A, 2000);
    await as(employer).claim(hospital.address, ...args, 1700, REF_B);
    const status = await registry.statusOf(hospital.address, leaf);
    expect([Number(status.claimedFen), Number(status.capFen), Number(status.claimable), Number(status.claimCount)]).to.deep.equal([3700, 3700, 2, 2]);
    const claims = (await registry.claimsOf(hospital.address, leaf)).map(claimView);
    expect(claims).to.deep.equal([
      { party: insurer.address, amountFen: 2000, claimReference: REF_A },
      { party: employer.address, amountFen: 1700, claimReference: REF_B },
    ]);
    // the cap is used up: one fen more is refused, naming what remains
    await expect(as(insurer).claim(hospital.address, ...args, 1, ethers.id("one more")))
      .to.be.revertedWithCustomError(registry, "BillRegistryClaimExceedsRemaining")
      .withArgs(0);
  });

  it("refuses a claim over the remaining amount with BillRegistryClaimExceedsRemaining(remaining)", async () => {
    const { registry, as, hospital, insurer, employer, hospitalBatch, bills } = await loadFixture(claimsFixture);
    const args = claimArgs(hospitalBatch, 0, bills.cash, "/insurance/cashPaid");
    await as(insurer).claim(hospital.address, ...args, 3000, REF_A);
    await expect(as(employer).claim(hospital.address, ...args, 701, REF_B))
      .to.be.revertedWithCustomError(registry, "BillRegistryClaimExceedsRemaining")
      .withArgs(700);
    expect(Number((await registry.statusOf(hospital.address, hospitalBatch.leaves[0])).claimedFen)).to.equal(3000);
  });

  it("refuses a forged amount: the cash-paid field opened with the total's value, or another bill's opening", async () => {
    const { registry, as, hospital, employer, hospitalBatch, bills } = await loadFixture(claimsFixture);
    const [root, billHash, proof, real] = claimArgs(hospitalBatch, 0, bills.cash, "/insurance/cashPaid");
    const inflated = { ...real, value: ethers.toUtf8Bytes('"157.00"') };
    await expect(as(employer).claim(hospital.address, root, billHash, proof, inflated, 5000, REF_B))
      .to.be.revertedWithCustomError(registry, "BillRegistryInvalidFieldProof")
      .withArgs(billHash);
    // a genuine opening of another bill's total (157.00) does not prove anything about this bill
    const foreign = opening(bills.plain, "/total");
    await expect(as(employer).claim(hospital.address, root, billHash, proof, foreign, 5000, REF_B)).to.be.revertedWithCustomError(
      registry,
      "BillRegistryInvalidFieldProof",
    );
    const status = await registry.statusOf(hospital.address, hospitalBatch.leaves[0]);
    expect([Number(status.claimedFen), Number(status.claimCount)]).to.deep.equal([0, 0]);
  });

  it("takes only the claimable field of the bill's kind, and the same field for every claim", async () => {
    const { registry, as, hospital, charity, insurer, employer, hospitalBatch, charityBatch, bills } = await loadFixture(claimsFixture);
    // a proven field that is not a claimable amount
    await expect(
      as(insurer).claim(hospital.address, ...claimArgs(hospitalBatch, 0, bills.cash, "/insurance/fundPaid"), 100, REF_A),
    ).to.be.revertedWithCustomError(registry, "BillRegistryInvalidClaimable");
    await as(insurer).claim(hospital.address, ...claimArgs(hospitalBatch, 0, bills.cash, "/insurance/cashPaid"), 100, REF_A);
    // the first claim fixed the field: the total (larger) cannot be used to raise the cap
    await expect(as(employer).claim(hospital.address, ...claimArgs(hospitalBatch, 0, bills.cash, "/total"), 5000, REF_B)).to.be.revertedWithCustomError(
      registry,
      "BillRegistryInvalidClaimable",
    );
    // the older settlement name, a medical bill without settlement (its total), a donation receipt (its total)
    await as(insurer).claim(hospital.address, ...claimArgs(hospitalBatch, 1, bills.legacy, "/insurance/selfPaid"), 3700, REF_A);
    await as(insurer).claim(hospital.address, ...claimArgs(hospitalBatch, 2, bills.plain, "/total"), 15700, REF_A);
    await as(insurer).claim(charity.address, ...claimArgs(charityBatch, 0, bills.donation, "/total"), 50000, REF_A);
    expect(Number((await registry.statusOf(hospital.address, hospitalBatch.leaves[1])).capFen)).to.equal(3700);
    expect(Number((await registry.statusOf(hospital.address, hospitalBatch.leaves[2])).capFen)).to.equal(15700);
    expect(Number((await registry.statusOf(charity.address, charityBatch.leaves[0])).capFen)).to.equal(50000);
  });

  it("reads the amount by the API's grammar and refuses any other value as BillRegistryInvalidClaimable", async () => {
    const { registry, as, hospital, insurer, bills } = await loadFixture(claimsFixture);
    const ok: Array<[string, number]> = [
      ["0.5", 50],
      ["12", 1200],
      ["999999999999.99", 99_999_999_999_999],
    ];
    const bad = ["05.00", "-1.00", "1e3", "1.005", "1.", ".50", "1000000000000.00", " 1.00"];
    const made = [...ok.map(([t]) => t), ...bad].map((total) => commit({ ...bills.plain.bill, total }));
    const batch = buildBatch(made.map((b) => b.billHash));
    await as(hospital).anchor(batch.root, made.length);
    for (let i = 0; i < ok.length; i++) {
      await as(insurer).claim(hospital.address, ...claimArgs(batch, i, made[i], "/total"), ok[i][1], REF_A);
      expect(Number((await registry.statusOf(hospital.address, batch.leaves[i])).capFen), ok[i][0]).to.equal(ok[i][1]);
    }
    for (let i = ok.length; i < made.length; i++) {
      await expect(as(insurer).claim(hospital.address, ...claimArgs(batch, i, made[i], "/total"), 1, REF_A), bad[i - ok.length]).to.be.revertedWithCustomError(
        registry,
        "BillRegistryInvalidClaimable",
      );
    }
  });

  it("is for relying parties only, refuses a zero amount and a second claim with the same reference", async () => {
    const { registry, as, hospital, insurer, stranger, hospitalBatch, bills } = await loadFixture(claimsFixture);
    const args = claimArgs(hospitalBatch, 0, bills.cash, "/insurance/cashPaid");
    await expect(as(stranger).claim(hospital.address, ...args, 100, REF_A)).to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount");
    await expect(as(hospital).claim(hospital.address, ...args, 100, REF_A)).to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount");
    await expect(as(insurer).claim(hospital.address, ...args, 0, REF_A)).to.be.revertedWithCustomError(registry, "BillRegistryInvalidArgument");
    await as(insurer).claim(hospital.address, ...args, 100, REF_A);
    await expect(as(insurer).claim(hospital.address, ...args, 100, REF_A))
      .to.be.revertedWithCustomError(registry, "BillRegistryClaimExists")
      .withArgs(hospital.address, hospitalBatch.leaves[0], insurer.address, REF_A);
  });

  it("refuses a bill under a root its issuer did not anchor, and a batch proof that does not hold", async () => {
    const { registry, as, hospital, rival, insurer, hospitalBatch, bills } = await loadFixture(claimsFixture);
    const [root, billHash, proof, field] = claimArgs(hospitalBatch, 0, bills.cash, "/insurance/cashPaid");
    await expect(as(insurer).claim(rival.address, root, billHash, proof, field, 100, REF_A)).to.be.revertedWithCustomError(registry, "BillRegistryUnknownRoot");
    await expect(as(insurer).claim(hospital.address, root, billHash, hospitalBatch.proofs[1], field, 100, REF_A)).to.be.revertedWithCustomError(
      registry,
      "BillRegistryInvalidProof",
    );
  });

  it("lets a party release only its own claim, and gives the amount back", async () => {
    const { registry, as, hospital, insurer, employer, hospitalBatch, bills } = await loadFixture(claimsFixture);
    const args = claimArgs(hospitalBatch, 0, bills.cash, "/insurance/cashPaid");
    const leaf = hospitalBatch.leaves[0];
    await as(insurer).claim(hospital.address, ...args, 2000, REF_A);
    await as(employer).claim(hospital.address, ...args, 1000, REF_B);
    await expect(as(employer).releaseClaim(hospital.address, leaf, REF_A))
      .to.be.revertedWithCustomError(registry, "BillRegistryNoClaim")
      .withArgs(hospital.address, leaf, employer.address, REF_A);
    await expect(as(insurer).releaseClaim(hospital.address, leaf, REF_A))
      .to.emit(registry, "ClaimReleased")
      .withArgs(hospital.address, leaf, insurer.address, REF_A, 2000);
    expect((await registry.claimsOf(hospital.address, leaf)).map(claimView)).to.deep.equal([
      { party: employer.address, amountFen: 1000, claimReference: REF_B },
    ]);
    await expect(as(insurer).releaseClaim(hospital.address, leaf, REF_A)).to.be.revertedWithCustomError(registry, "BillRegistryNoClaim");
    // what was released can be claimed again: 3,700 − 1,000 remain
    await as(insurer).claim(hospital.address, ...args, 2700, ethers.id("PICC-2026-000124"));
    expect(Number((await registry.statusOf(hospital.address, leaf)).claimedFen)).to.equal(3700);
  });

  it("refuses to void a claimed bill until its claims are released, and refuses claims on a voided bill", async () => {
    const { registry, as, hospital, insurer, hospitalBatch, bills } = await loadFixture(claimsFixture);
    const args = claimArgs(hospitalBatch, 0, bills.cash, "/insurance/cashPaid");
    const [root, leaf, proof] = [hospitalBatch.root, hospitalBatch.leaves[0], hospitalBatch.proofs[0]];
    await as(insurer).claim(hospital.address, ...args, 1200, REF_A);
    await expect(as(hospital).voidBill(root, leaf, proof, 1))
      .to.be.revertedWithCustomError(registry, "BillRegistryBillClaimed")
      .withArgs(hospital.address, leaf, 1200);
    await as(insurer).releaseClaim(hospital.address, leaf, REF_A);
    await as(hospital).voidBill(root, leaf, proof, 1);
    await expect(as(insurer).claim(hospital.address, ...args, 100, REF_A)).to.be.revertedWithCustomError(registry, "BillRegistryBillVoided");
  });

  it("keeps whole-bill marks and claims apart: no mark on a claimed bill, no claim on a marked one", async () => {
    const { registry, as, hospital, insurer, employer, hospitalBatch, bills } = await loadFixture(claimsFixture);
    const [root, proof] = [hospitalBatch.root, hospitalBatch.proofs[0]];
    const leaf = hospitalBatch.leaves[0];
    await as(insurer).claim(hospital.address, ...claimArgs(hospitalBatch, 0, bills.cash, "/insurance/cashPaid"), 100, REF_A);
    await expect(as(employer).markReimbursed(hospital.address, root, leaf, proof, REF_B)).to.be.revertedWithCustomError(registry, "BillRegistryBillClaimed");
    await as(employer).markReimbursed(hospital.address, root, hospitalBatch.leaves[1], hospitalBatch.proofs[1], REF_B);
    await expect(
      as(insurer).claim(hospital.address, ...claimArgs(hospitalBatch, 1, bills.legacy, "/insurance/selfPaid"), 100, REF_A),
    ).to.be.revertedWithCustomError(registry, "BillRegistryAlreadyReimbursed");
  });
});
