// Adversarial review of claims (分次报销) on the registry itself, with the parties' own keys: a claim
// through another issuer's root or one never anchored, an opening of a field that is not the claimable
// amount (or of the right field with a forged salt, a look-alike pointer, a non-canonical amount), an
// amount beyond any cap, a void and a claim in the same block (either order), and a rival issuer that
// anchors the hospital's root under its own account to claim there. Every case must leave the hospital's
// bill status untouched; the first failing assert names the hole.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { valueBytes } from "../../server/issuance/commitments";
import { claimArgs, claimsFixture, commit, opening } from "../contracts/claims-fixture";
import { buildBatch, inOneBlock, ranked } from "../contracts/fixtures";

const REF_A = ethers.id("attack-A");
const REF_B = ethers.id("attack-B");

describe("attacks on claims, on chain", () => {
  const untouched = async (f: Awaited<ReturnType<typeof claimsFixture>>, i = 0) => {
    const s = await f.registry.statusOf(f.hospital.address, f.hospitalBatch.leaves[i]);
    expect([Number(s.claimedFen), Number(s.claimCount), Number(s.capFen)], "the hospital's bill status").to.deep.equal([0, 0, 0]);
  };

  it("refuses a claim under another issuer's account, through a root that issuer never anchored, or a root nobody anchored", async () => {
    const f = await loadFixture(claimsFixture);
    const { registry, as, hospital, charity, insurer, hospitalBatch, charityBatch, bills } = f;
    const [root, billHash, proof, open] = claimArgs(hospitalBatch, 0, bills.cash, "/insurance/cashPaid");
    // the hospital's bill named as the charity's
    await expect(as(insurer).claim(charity.address, root, billHash, proof, open, 100, REF_A))
      .to.be.revertedWithCustomError(registry, "BillRegistryUnknownRoot")
      .withArgs(charity.address, root);
    // the hospital's bill through the charity's root (anchored, but not by the hospital, and not holding it)
    await expect(as(insurer).claim(hospital.address, charityBatch.root, billHash, proof, open, 100, REF_A)).to.be.revertedWithCustomError(
      registry,
      "BillRegistryUnknownRoot",
    );
    // the charity's receipt through the charity's root but with the hospital's proof
    await expect(
      as(insurer).claim(charity.address, charityBatch.root, bills.donation.billHash, proof, opening(bills.donation, "/total"), 100, REF_A),
    ).to.be.revertedWithCustomError(registry, "BillRegistryInvalidProof");
    // a bill committed like a genuine one, in a batch nobody anchored
    const forged = commit({ ...bills.cash.bill, billNumber: "0000000099" });
    const batch = buildBatch([forged.billHash]);
    await expect(as(insurer).claim(hospital.address, ...claimArgs(batch, 0, forged, "/total"), 100, REF_A))
      .to.be.revertedWithCustomError(registry, "BillRegistryUnknownRoot")
      .withArgs(hospital.address, batch.root);
    await untouched(f);
  });

  it("refuses openings of fields that are not the claimable amount, look-alike pointers, and a forged salt", async () => {
    const f = await loadFixture(claimsFixture);
    const { registry, as, hospital, insurer, hospitalBatch, bills } = f;
    const [root, billHash, proof, real] = claimArgs(hospitalBatch, 0, bills.cash, "/insurance/cashPaid");
    for (const pointer of ["/insurance/accountPaid", "/insurance/fundPaid", "/items", "/totalInWords", "/billNumber"]) {
      await expect(as(insurer).claim(hospital.address, root, billHash, proof, opening(bills.cash, pointer), 1, REF_A), pointer).to.be.revertedWithCustomError(
        registry,
        "BillRegistryInvalidClaimable",
      );
    }
    // the genuine salt and value under a look-alike pointer: the field leaf changes, the proof fails
    for (const pointer of ["/total/", "//total", "/Total", "/insurance/cashPaid ", "/insurance/../total"]) {
      await expect(as(insurer).claim(hospital.address, root, billHash, proof, { ...real, pointer }, 1, REF_A), pointer).to.be.revertedWithCustomError(
        registry,
        "BillRegistryInvalidFieldProof",
      );
    }
    // a forged salt with a larger value, and the right value with a forged salt
    const salt = ethers.hexlify(ethers.randomBytes(32));
    for (const forged of [
      { ...real, salt, value: valueBytes("157.00") },
      { ...real, salt },
      { ...real, proof: [] as string[] },
    ]) {
      await expect(as(insurer).claim(hospital.address, root, billHash, proof, forged, 1, REF_A)).to.be.revertedWithCustomError(
        registry,
        "BillRegistryInvalidFieldProof",
      );
    }
    await untouched(f);
  });

  it("reads no amount from a non-canonical value even when the issuer committed it (sign, exponent, spaces, other digits)", async () => {
    const { registry, as, hospital, insurer, bills } = await loadFixture(claimsFixture);
    const bad = ["+1.00", "1.0 ", "0x10", "１２", "1,000.00", "00", "0.", "1.-1", "1e+2", "NaN", "Infinity", ""];
    const made = bad.map((total) => commit({ ...bills.plain.bill, total }));
    const batch = buildBatch(made.map((b) => b.billHash));
    await as(hospital).anchor(batch.root, made.length);
    for (let i = 0; i < made.length; i++) {
      await expect(
        as(insurer).claim(hospital.address, ...claimArgs(batch, i, made[i], "/total"), 1, REF_A),
        JSON.stringify(bad[i]),
      ).to.be.revertedWithCustomError(registry, "BillRegistryInvalidClaimable");
    }
    // a JSON number (not a string) is not an amount either
    const numeric = commit({ ...bills.plain.bill, total: 157 });
    const one = buildBatch([numeric.billHash, made[0].billHash]);
    await as(hospital).anchor(one.root, 2);
    await expect(as(insurer).claim(hospital.address, ...claimArgs(one, 0, numeric, "/total"), 1, REF_A)).to.be.revertedWithCustomError(
      registry,
      "BillRegistryInvalidClaimable",
    );
  });

  it("refuses an amount beyond the cap however large (no wrap-around), and keeps one cap across parties", async () => {
    const f = await loadFixture(claimsFixture);
    const { registry, as, hospital, insurer, employer, hospitalBatch, bills } = f;
    const args = claimArgs(hospitalBatch, 0, bills.cash, "/insurance/cashPaid");
    for (const amount of [3701n, 2n ** 64n + 1n, 2n ** 255n, ethers.MaxUint256]) {
      await expect(as(insurer).claim(hospital.address, ...args, amount, REF_A), String(amount))
        .to.be.revertedWithCustomError(registry, "BillRegistryClaimExceedsRemaining")
        .withArgs(3700);
    }
    await as(insurer).claim(hospital.address, ...args, 3700, REF_A);
    await expect(as(employer).claim(hospital.address, ...args, 1, REF_B)).to.be.revertedWithCustomError(registry, "BillRegistryClaimExceedsRemaining");
    // the claimed bill's issuer cannot void it, nor can the other party release the claim
    await expect(as(hospital).voidBill(args[0], hospitalBatch.leaves[0], args[2], 1)).to.be.revertedWithCustomError(registry, "BillRegistryBillClaimed");
    await expect(as(employer).releaseClaim(hospital.address, hospitalBatch.leaves[0], REF_A)).to.be.revertedWithCustomError(registry, "BillRegistryNoClaim");
    await expect(as(hospital).releaseClaim(hospital.address, hospitalBatch.leaves[0], REF_A)).to.be.revertedWithCustomError(registry, "BillRegistryNoClaim");
    expect(Number((await registry.statusOf(hospital.address, hospitalBatch.leaves[0])).claimedFen)).to.equal(3700);
  });

  it("a void and a claim in the same block: whichever comes second is refused, never both", async () => {
    for (const voidFirst of [true, false]) {
      const { registry, as, hospital, insurer, hospitalBatch, bills } = await loadFixture(claimsFixture);
      const args = claimArgs(hospitalBatch, 0, bills.cash, "/insurance/cashPaid");
      const leaf = hospitalBatch.leaves[0];
      const sent: Array<Promise<unknown>> = [];
      await inOneBlock(async () => {
        const v = await as(hospital).voidBill(args[0], leaf, args[2], 1, ranked(voidFirst ? 2 : 1));
        const c = await as(insurer).claim(hospital.address, ...args, 1000, REF_A, ranked(voidFirst ? 1 : 2));
        sent.push(
          v.wait().then(
            () => "ok",
            () => "reverted",
          ),
          c.wait().then(
            () => "ok",
            () => "reverted",
          ),
        );
      });
      const [voided, claimed] = await Promise.all(sent);
      expect([voided, claimed], voidFirst ? "void first" : "claim first").to.deep.equal(voidFirst ? ["ok", "reverted"] : ["reverted", "ok"]);
      const s = await registry.statusOf(hospital.address, leaf);
      expect([s.voided, Number(s.claimedFen)]).to.deep.equal(voidFirst ? [true, 0] : [false, 1000]);
    }
    await network.provider.send("evm_setAutomine", [true]);
  });

  it("a rival issuer that anchors the hospital's root under its own account claims nothing of the hospital's bill", async () => {
    const f = await loadFixture(claimsFixture);
    const { registry, as, hospital, rival, insurer, hospitalBatch, bills } = f;
    await as(rival).anchor(hospitalBatch.root, 3);
    const args = claimArgs(hospitalBatch, 0, bills.cash, "/total");
    // the rival's record is its own (issuer-keyed): the hospital's bill is not charged, its cap not pinned to /total
    await as(insurer).claim(rival.address, ...args, 15700, REF_A);
    await untouched(f);
    await as(insurer).claim(hospital.address, ...claimArgs(hospitalBatch, 0, bills.cash, "/insurance/cashPaid"), 3700, REF_B);
    expect(Number((await registry.statusOf(hospital.address, hospitalBatch.leaves[0])).capFen)).to.equal(3700);
  });

  // Was a hole: the first claim pinned the claimable field (status.claimable) and cap (status.capFen)
  // for good, even once released. A relying party opening /total of a medical bill with a settlement
  // (docs/PROTOCOL.md §7: the chain cannot tell) claimed 1 fen and released it at once, which lifted
  // the cap to the total and left every claim on the cash paid refused for the bill's life. The last
  // release now resets both.
  it("a pin to /total released at once leaves nothing pinned: the cash paid is claimable again, capped at itself", async () => {
    const { registry, as, hospital, insurer, employer, hospitalBatch, bills } = await loadFixture(claimsFixture);
    const leaf = hospitalBatch.leaves[0];
    await as(insurer).claim(hospital.address, ...claimArgs(hospitalBatch, 0, bills.cash, "/total"), 1, REF_A);
    await as(insurer).releaseClaim(hospital.address, leaf, REF_A);
    const s = await registry.statusOf(hospital.address, leaf);
    expect([Number(s.claimCount), Number(s.claimedFen)]).to.deep.equal([0, 0]);
    // the safe behaviour: with no claim open, the bill's claimable field can be opened again
    await as(employer).claim(hospital.address, ...claimArgs(hospitalBatch, 0, bills.cash, "/insurance/cashPaid"), 100, REF_B);
    expect(Number((await registry.statusOf(hospital.address, leaf)).capFen)).to.equal(3700);
  });
});
