// BillRegistry v2 under attack: what another issuer, a relying party, a stranger or anyone copying a
// pending transaction can and cannot do to hospital A's bills. Hospital B ("rival") is an admitted
// medical issuer with its own range; it knows every public fact about A's bills (roots, leaves, proofs).
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  CLAIM,
  HOSPITAL_RANGE,
  Kind,
  MEDICAL_CODE,
  NO_MARKS,
  REGISTRAR_ROLE,
  RELYING_PARTY_ROLE,
  DEFAULT_ADMIN_ROLE,
  RIVAL_CREDIT_CODE,
  type Fixture,
  batchView,
  billHashes,
  blockOf,
  blockTimeOf,
  buildBatch,
  evidenceView,
  inOneBlock,
  medicalEvidence,
  ranked,
  registryFixture,
  statusView,
} from "./fixtures";

/** B's own 2-leaf batch holding A's medical bill 0 next to a bill of B's. */
async function rivalBatchWithHospitalLeaf(f: Fixture) {
  const batch = buildBatch([f.medical.values[0], ethers.id("rival's own bill")]);
  expect(batch.leaves[0]).to.equal(f.medical.leaves[0]);
  await f.as(f.rival).anchor(batch.root, 2);
  return batch;
}

/** Mines nothing: sends `data` to the registry from `from` while automine is off; returns the hash. */
async function sendRaw(f: Fixture, from: Fixture["hospital"], data: string, rank: number): Promise<string> {
  const tx = await from.sendTransaction({ to: await f.registry.getAddress(), data, ...ranked(rank) });
  return tx.hash;
}

async function statusOfTx(hash: string): Promise<number | null> {
  const receipt = await ethers.provider.getTransactionReceipt(hash);
  return receipt?.status ?? null;
}

describe("BillRegistry v2: the adversary", () => {
  describe("another issuer", () => {
    it("(a) B anchoring its own root holding A's leaf and voiding it leaves A's bill untouched: A's status, A's void, a relying party's mark under A", async () => {
      const f = await loadFixture(registryFixture);
      const { registry, as, hospital, rival, insurer, medical } = f;
      const before = await medicalEvidence(f, 0);
      const mine = await rivalBatchWithHospitalLeaf(f);
      await expect(as(rival).voidBill(mine.root, mine.leaves[0], mine.proofs[0], 1))
        .to.emit(registry, "BillVoided")
        .withArgs(rival.address, medical.leaves[0], mine.root, 1);
      expect((await registry.statusOf(rival.address, medical.leaves[0])).voided).to.equal(true);
      expect(statusView(await registry.statusOf(hospital.address, medical.leaves[0]))).to.deep.equal(NO_MARKS);
      expect(await medicalEvidence(f, 0)).to.deep.equal(before);
      // a relying party can still mark it under A ...
      await expect(as(insurer).markReimbursed(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], CLAIM))
        .to.emit(registry, "BillReimbursed")
        .withArgs(hospital.address, medical.leaves[0], insurer.address, medical.root, CLAIM);
      await as(insurer).releaseReimbursement(hospital.address, medical.leaves[0]);
      // ... and A can still void it itself
      await expect(as(hospital).voidBill(medical.root, medical.leaves[0], medical.proofs[0], 2))
        .to.emit(registry, "BillVoided")
        .withArgs(hospital.address, medical.leaves[0], medical.root, 2);
      expect(Number((await registry.statusOf(hospital.address, medical.leaves[0])).voidReason)).to.equal(2);
    });

    it("(e) B cannot void a bill under A's root even with a valid proof", async () => {
      const { registry, as, hospital, rival, medical } = await loadFixture(registryFixture);
      expect(await registry.isIncluded(hospital.address, medical.root, medical.leaves[0], medical.proofs[0])).to.equal(true);
      await expect(as(rival).voidBill(medical.root, medical.leaves[0], medical.proofs[0], 1))
        .to.be.revertedWithCustomError(registry, "BillRegistryUnknownRoot")
        .withArgs(rival.address, medical.root);
      expect(statusView(await registry.statusOf(hospital.address, medical.leaves[0]))).to.deep.equal(NO_MARKS);
    });

    it("(e) B cannot void A's bill even after anchoring a copy of A's root: only (B, leaf) is voided", async () => {
      const f = await loadFixture(registryFixture);
      const { registry, as, hospital, rival, medical } = f;
      await as(rival).anchor(medical.root, 3);
      await as(rival).voidBill(medical.root, medical.leaves[1], medical.proofs[1], 1);
      expect((await registry.statusOf(rival.address, medical.leaves[1])).voided).to.equal(true);
      expect(statusView(await registry.statusOf(hospital.address, medical.leaves[1]))).to.deep.equal(NO_MARKS);
      expect((await medicalEvidence(f, 1)).status).to.deep.equal(NO_MARKS);
    });

    it("(d) an issuer can neither admit, suspend, reinstate, allot ranges (even to itself) nor grant roles", async () => {
      const { registry, as, hospital, rival, newcomer } = await loadFixture(registryFixture);
      const h = as(hospital);
      const calls: [string, () => Promise<unknown>, string][] = [
        ["admitIssuer", () => h.admitIssuer(newcomer.address, Kind.Medical, RIVAL_CREDIT_CODE), REGISTRAR_ROLE],
        ["suspendIssuer", () => h.suspendIssuer(rival.address), REGISTRAR_ROLE],
        ["reinstateIssuer", () => h.reinstateIssuer(rival.address), REGISTRAR_ROLE],
        ["allotRange to itself", () => h.allotRange(hospital.address, MEDICAL_CODE, 5000, 6000), REGISTRAR_ROLE],
        ["allotRange to B", () => h.allotRange(rival.address, MEDICAL_CODE, 5000, 6000), REGISTRAR_ROLE],
        ["grant itself the registrar role", () => h.grantRole(REGISTRAR_ROLE, hospital.address), DEFAULT_ADMIN_ROLE],
        ["grant itself the relying-party role", () => h.grantRole(RELYING_PARTY_ROLE, hospital.address), DEFAULT_ADMIN_ROLE],
      ];
      for (const [what, call, role] of calls) {
        await expect(call(), what).to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount").withArgs(hospital.address, role);
      }
      expect(await registry.hasRole(REGISTRAR_ROLE, hospital.address)).to.equal(false);
      expect(await registry.allotmentCount(MEDICAL_CODE)).to.equal(2);
    });

    it("(h) B's root holding A's leaf shows in B's evidence as included and active but not allotted: A's number is not B's", async () => {
      const f = await loadFixture(registryFixture);
      const { registry, rival } = f;
      const mine = await rivalBatchWithHospitalLeaf(f);
      const ev = evidenceView(await registry.evidence(rival.address, mine.root, mine.leaves[0], mine.proofs[0], MEDICAL_CODE, 1));
      expect([ev.included, ev.activeAtAnchor, ev.allottedAtAnchor]).to.deep.equal([true, true, false]);
      expect(ev.issuer.creditCodeHash).to.equal(RIVAL_CREDIT_CODE);
    });

    it("(h) a bill number outside any range, or in another issuer's range, is not allotted at anchor; nor is one allotted after the anchoring block", async () => {
      const f = await loadFixture(registryFixture);
      const { registry, as, registrar, hospital, medical } = f;
      const evidenceFor = async (number: bigint, code = MEDICAL_CODE) =>
        evidenceView(await registry.evidence(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], code, number));
      expect((await evidenceFor(HOSPITAL_RANGE.last)).allottedAtAnchor).to.equal(true);
      expect((await evidenceFor(5000n)).allottedAtAnchor).to.equal(false); // outside any range
      expect((await evidenceFor(1500n)).allottedAtAnchor).to.equal(false); // B's range
      await as(registrar).allotRange(hospital.address, MEDICAL_CODE, 5000, 5999);
      expect(await registry.isAllottedAt(hospital.address, MEDICAL_CODE, 5000, await ethers.provider.getBlockNumber())).to.equal(true);
      expect((await evidenceFor(5000n)).allottedAtAnchor).to.equal(false); // allotted after the anchoring block
    });

    it("(h) not even a registrar can hand A's numbers to B: the overlap names A's range", async () => {
      const { registry, as, registrar, hospital, rival } = await loadFixture(registryFixture);
      await expect(as(registrar).allotRange(rival.address, MEDICAL_CODE, 1, 1))
        .to.be.revertedWithCustomError(registry, "BillRegistryRangeOverlap")
        .withArgs(MEDICAL_CODE, HOSPITAL_RANGE.first, HOSPITAL_RANGE.last, hospital.address);
      expect((await registry.allotmentOf(MEDICAL_CODE, 1)).issuer).to.equal(hospital.address);
    });

    it("(g) a proof under a root A never anchored fails, whoever anchored that root", async () => {
      const f = await loadFixture(registryFixture);
      const { registry, as, hospital, insurer, medical } = f;
      const mine = await rivalBatchWithHospitalLeaf(f);
      await expect(as(hospital).voidBill(mine.root, medical.leaves[0], mine.proofs[0], 1))
        .to.be.revertedWithCustomError(registry, "BillRegistryUnknownRoot")
        .withArgs(hospital.address, mine.root);
      await expect(as(insurer).markReimbursed(hospital.address, mine.root, medical.leaves[0], mine.proofs[0], CLAIM))
        .to.be.revertedWithCustomError(registry, "BillRegistryUnknownRoot")
        .withArgs(hospital.address, mine.root);
      const never = buildBatch(billHashes(4, "never anchored by anyone"));
      await expect(as(insurer).markReimbursed(hospital.address, never.root, never.leaves[0], never.proofs[0], CLAIM))
        .to.be.revertedWithCustomError(registry, "BillRegistryUnknownRoot")
        .withArgs(hospital.address, never.root);
      expect(await registry.isIncluded(hospital.address, mine.root, medical.leaves[0], mine.proofs[0])).to.equal(false);
    });
  });

  describe("a relying party", () => {
    it("(c) marking A's leaf through B's root (naming B) marks only (B, leaf): A's void still succeeds and A's status shows voided, not reimbursed", async () => {
      const f = await loadFixture(registryFixture);
      const { registry, as, hospital, rival, insurer, medical } = f;
      const mine = await rivalBatchWithHospitalLeaf(f);
      await expect(as(insurer).markReimbursed(rival.address, mine.root, mine.leaves[0], mine.proofs[0], CLAIM))
        .to.emit(registry, "BillReimbursed")
        .withArgs(rival.address, medical.leaves[0], insurer.address, mine.root, CLAIM);
      expect((await registry.statusOf(rival.address, medical.leaves[0])).reimbursedBy).to.equal(insurer.address);
      expect(statusView(await registry.statusOf(hospital.address, medical.leaves[0]))).to.deep.equal(NO_MARKS);
      const at = await blockTimeOf(as(hospital).voidBill(medical.root, medical.leaves[0], medical.proofs[0], 1));
      expect(statusView(await registry.statusOf(hospital.address, medical.leaves[0]))).to.deep.equal({
        ...NO_MARKS,
        voided: true,
        voidReason: 1,
        voidedAt: at,
      });
      expect((await medicalEvidence(f, 0)).status.reimbursedBy).to.equal(ethers.ZeroAddress);
    });

    it("(f) releasing another party's mark fails, and naming another issuer finds no mark to release", async () => {
      const { registry, as, hospital, rival, insurer, employer, medical } = await loadFixture(registryFixture);
      await as(insurer).markReimbursed(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], CLAIM);
      await expect(as(employer).releaseReimbursement(hospital.address, medical.leaves[0]))
        .to.be.revertedWithCustomError(registry, "BillRegistryNotReimbursingParty")
        .withArgs(hospital.address, medical.leaves[0], insurer.address);
      await expect(as(insurer).releaseReimbursement(rival.address, medical.leaves[0]))
        .to.be.revertedWithCustomError(registry, "BillRegistryNotReimbursed")
        .withArgs(rival.address, medical.leaves[0]);
      expect((await registry.statusOf(hospital.address, medical.leaves[0])).reimbursedBy).to.equal(insurer.address);
    });

    it("cannot void, anchor or allot: those are an issuer's and a registrar's", async () => {
      const { registry, as, insurer, hospital, medical } = await loadFixture(registryFixture);
      const i = as(insurer);
      await expect(i.voidBill(medical.root, medical.leaves[0], medical.proofs[0], 1))
        .to.be.revertedWithCustomError(registry, "BillRegistryUnknownIssuer")
        .withArgs(insurer.address);
      await expect(i.anchor(ethers.id("root"), 1))
        .to.be.revertedWithCustomError(registry, "BillRegistryUnknownIssuer")
        .withArgs(insurer.address);
      await expect(i.allotRange(hospital.address, MEDICAL_CODE, 5000, 5001))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(insurer.address, REGISTRAR_ROLE);
    });

    it("that marks a bill blocks the issuer's void until it releases the mark (a relying party is trusted not to squat)", async () => {
      const { registry, as, hospital, employer, medical } = await loadFixture(registryFixture);
      const at = await blockTimeOf(as(employer).markReimbursed(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], CLAIM));
      await expect(as(hospital).voidBill(medical.root, medical.leaves[0], medical.proofs[0], 1))
        .to.be.revertedWithCustomError(registry, "BillRegistryAlreadyReimbursed")
        .withArgs(hospital.address, medical.leaves[0], employer.address, at);
    });
  });

  describe("copied and front-run transactions", () => {
    afterEach(async () => network.provider.send("evm_setAutomine", [true]));

    it("(b) B front-running A's pending anchor with the same calldata gets a record of its own; A's anchor succeeds and A's record, block and evidence are A's own", async () => {
      const f = await loadFixture(registryFixture);
      const { registry, hospital, rival } = f;
      const batch = buildBatch(billHashes(5, "front-run"));
      const data = registry.interface.encodeFunctionData("anchor", [batch.root, 5]);
      let [aHash, bHash] = ["", ""];
      const block = await inOneBlock(async () => {
        aHash = await sendRaw(f, hospital, data, 1);
        const pending = await ethers.provider.getTransaction(aHash); // B reads A's transaction from the mempool
        bHash = await sendRaw(f, rival, pending!.data, 9); // and outbids it
      });
      const [aReceipt, bReceipt] = await Promise.all([ethers.provider.getTransactionReceipt(aHash), ethers.provider.getTransactionReceipt(bHash)]);
      expect([bReceipt!.index, aReceipt!.index]).to.deep.equal([0, 1]);
      expect([aReceipt!.status, bReceipt!.status]).to.deep.equal([1, 1]);
      const time = (await ethers.provider.getBlock(block))!.timestamp;
      expect(batchView(await registry.batchOf(hospital.address, batch.root))).to.deep.equal({ blockNumber: block, timestamp: time, billCount: 5 });
      expect(batchView(await registry.batchOf(rival.address, batch.root))).to.deep.equal({ blockNumber: block, timestamp: time, billCount: 5 });
      const ev = evidenceView(await registry.evidence(hospital.address, batch.root, batch.leaves[4], batch.proofs[4], MEDICAL_CODE, 5));
      expect([ev.included, ev.activeAtAnchor, ev.allottedAtAnchor, ev.issuer.creditCodeHash]).to.deep.equal([
        true,
        true,
        true,
        (await registry.issuerOf(hospital.address)).creditCodeHash,
      ]);
      const logs = await registry.queryFilter(registry.filters.BatchAnchored(undefined, batch.root), block, block);
      expect(logs.map((l) => (l as unknown as { args: [string] }).args[0])).to.deep.equal([rival.address, hospital.address]);
    });

    it("(b) B anchoring A's root blocks earlier than A does not stop A's anchor, and A's record carries A's later block", async () => {
      const f = await loadFixture(registryFixture);
      const { registry, as, hospital, rival } = f;
      const batch = buildBatch(billHashes(4, "copied early"));
      const bBlock = await blockOf(as(rival).anchor(batch.root, 4));
      const aTx = await as(hospital).anchor(batch.root, 4);
      const aBlock = await blockOf(aTx);
      expect(aBlock).to.be.greaterThan(bBlock);
      expect(batchView(await registry.batchOf(hospital.address, batch.root))).to.deep.equal({
        blockNumber: aBlock,
        timestamp: await blockTimeOf(aTx),
        billCount: 4,
      });
      expect(Number((await registry.batchOf(rival.address, batch.root)).blockNumber)).to.equal(bBlock);
    });

    it("(b) a copy of A's anchor sent by a stranger or a relying party fails and A's anchor succeeds", async () => {
      const f = await loadFixture(registryFixture);
      const { registry, as, hospital, stranger, insurer } = f;
      const batch = buildBatch(billHashes(2, "copied by outsiders"));
      for (const outsider of [stranger, insurer]) {
        await expect(as(outsider).anchor(batch.root, 2)).to.be.revertedWithCustomError(registry, "BillRegistryUnknownIssuer").withArgs(outsider.address);
      }
      await expect(as(hospital).anchor(batch.root, 2)).to.emit(registry, "BatchAnchored").withArgs(hospital.address, batch.root, 2);
    });

    it("a copy of A's pending voidBill sent by B fails unless B anchored the root, and then voids only (B, leaf); A's void succeeds", async () => {
      const f = await loadFixture(registryFixture);
      const { registry, as, hospital, rival, medical } = f;
      const data = registry.interface.encodeFunctionData("voidBill", [medical.root, medical.leaves[2], medical.proofs[2], 4]);
      await expect(rival.sendTransaction({ to: await registry.getAddress(), data }))
        .to.be.revertedWithCustomError(registry, "BillRegistryUnknownRoot")
        .withArgs(rival.address, medical.root);
      await as(rival).anchor(medical.root, 3);
      let [aHash, bHash] = ["", ""];
      await inOneBlock(async () => {
        aHash = await sendRaw(f, hospital, data, 1);
        bHash = await sendRaw(f, rival, data, 9);
      });
      expect([await statusOfTx(bHash), await statusOfTx(aHash)]).to.deep.equal([1, 1]);
      const a = statusView(await registry.statusOf(hospital.address, medical.leaves[2]));
      const b = statusView(await registry.statusOf(rival.address, medical.leaves[2]));
      expect([a.voided, a.voidReason, b.voided, b.voidReason]).to.deep.equal([true, 4, true, 4]);
    });

    it("a copy of a registrar's pending admission or allotment sent by an issuer fails; replayed by the registrar it is refused as done", async () => {
      const { registry, as, registrar, hospital, newcomer } = await loadFixture(registryFixture);
      const admit = registry.interface.encodeFunctionData("admitIssuer", [newcomer.address, Kind.Medical, RIVAL_CREDIT_CODE]);
      const allot = registry.interface.encodeFunctionData("allotRange", [newcomer.address, MEDICAL_CODE, 7000, 7999]);
      const to = await registry.getAddress();
      for (const data of [admit, allot]) {
        await expect(hospital.sendTransaction({ to, data }))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(hospital.address, REGISTRAR_ROLE);
      }
      await registrar.sendTransaction({ to, data: admit });
      await registrar.sendTransaction({ to, data: allot });
      await expect(registrar.sendTransaction({ to, data: admit }))
        .to.be.revertedWithCustomError(registry, "BillRegistryIssuerAlreadyAdmitted")
        .withArgs(newcomer.address);
      await expect(registrar.sendTransaction({ to, data: allot }))
        .to.be.revertedWithCustomError(registry, "BillRegistryRangeOverlap")
        .withArgs(MEDICAL_CODE, 7000, 7999, newcomer.address);
      expect(await as(registrar).allotmentCount(MEDICAL_CODE)).to.equal(3);
    });

    it("a relying party copying another's pending mark takes the mark, and the first party's transaction fails naming the copier", async () => {
      const f = await loadFixture(registryFixture);
      const { registry, hospital, insurer, employer, medical } = f;
      const data = registry.interface.encodeFunctionData("markReimbursed", [hospital.address, medical.root, medical.leaves[0], medical.proofs[0], CLAIM]);
      let [insurerHash, employerHash] = ["", ""];
      await inOneBlock(async () => {
        insurerHash = await sendRaw(f, insurer, data, 1);
        employerHash = await sendRaw(f, employer, data, 9);
      });
      expect([await statusOfTx(employerHash), await statusOfTx(insurerHash)]).to.deep.equal([1, 0]);
      const status = statusView(await registry.statusOf(hospital.address, medical.leaves[0]));
      expect(status.reimbursedBy).to.equal(employer.address);
      // the insurer's transaction, replayed as a call on the resulting state, fails naming the copier
      await expect(f.as(insurer).markReimbursed.staticCall(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], CLAIM))
        .to.be.revertedWithCustomError(registry, "BillRegistryAlreadyReimbursed")
        .withArgs(hospital.address, medical.leaves[0], employer.address, status.reimbursedAt);
      // a stranger's copy never gets that far
      await expect(f.stranger.sendTransaction({ to: await registry.getAddress(), data }))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.stranger.address, RELYING_PARTY_ROLE);
    });

    it("a copy of a party's release sent by another party fails", async () => {
      const { registry, as, hospital, insurer, employer, medical } = await loadFixture(registryFixture);
      await as(insurer).markReimbursed(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], CLAIM);
      const data = registry.interface.encodeFunctionData("releaseReimbursement", [hospital.address, medical.leaves[0]]);
      await expect(employer.sendTransaction({ to: await registry.getAddress(), data }))
        .to.be.revertedWithCustomError(registry, "BillRegistryNotReimbursingParty")
        .withArgs(hospital.address, medical.leaves[0], insurer.address);
    });

    for (const first of ["void", "mark"] as const) {
      it(`settles a void and a mark racing in one block by order: the ${first} mined first wins and the other fails naming it`, async () => {
        const f = await loadFixture(registryFixture);
        const { registry, hospital, insurer, medical } = f;
        const voidData = registry.interface.encodeFunctionData("voidBill", [medical.root, medical.leaves[1], medical.proofs[1], 1]);
        const markData = registry.interface.encodeFunctionData("markReimbursed", [hospital.address, medical.root, medical.leaves[1], medical.proofs[1], CLAIM]);
        let [voidHash, markHash] = ["", ""];
        await inOneBlock(async () => {
          voidHash = await sendRaw(f, hospital, voidData, first === "void" ? 9 : 1);
          markHash = await sendRaw(f, insurer, markData, first === "mark" ? 9 : 1);
        });
        const status = statusView(await registry.statusOf(hospital.address, medical.leaves[1]));
        const voidCall = () => f.as(hospital).voidBill.staticCall(medical.root, medical.leaves[1], medical.proofs[1], 1);
        const markCall = () => f.as(insurer).markReimbursed.staticCall(hospital.address, medical.root, medical.leaves[1], medical.proofs[1], CLAIM);
        if (first === "void") {
          expect([await statusOfTx(voidHash), await statusOfTx(markHash)]).to.deep.equal([1, 0]);
          expect([status.voided, status.reimbursedBy]).to.deep.equal([true, ethers.ZeroAddress]);
          await expect(markCall())
            .to.be.revertedWithCustomError(registry, "BillRegistryBillVoided")
            .withArgs(hospital.address, medical.leaves[1], status.voidedAt);
          await expect(voidCall()).to.be.revertedWithCustomError(registry, "BillRegistryBillVoided");
        } else {
          expect([await statusOfTx(markHash), await statusOfTx(voidHash)]).to.deep.equal([1, 0]);
          expect([status.voided, status.reimbursedBy]).to.deep.equal([false, insurer.address]);
          await expect(voidCall())
            .to.be.revertedWithCustomError(registry, "BillRegistryAlreadyReimbursed")
            .withArgs(hospital.address, medical.leaves[1], insurer.address, status.reimbursedAt);
          await expect(markCall()).to.be.revertedWithCustomError(registry, "BillRegistryAlreadyReimbursed");
        }
      });
    }

    it("a signed transaction broadcast again is refused by the node and changes nothing", async () => {
      const f = await loadFixture(registryFixture);
      const { registry, as, registrar, admin } = f;
      const wallet = ethers.Wallet.createRandom().connect(ethers.provider);
      await admin.sendTransaction({ to: wallet.address, value: ethers.parseEther("1") });
      await as(registrar).admitIssuer(wallet.address, Kind.Medical, RIVAL_CREDIT_CODE);
      const batch = buildBatch(billHashes(2, "signed once"));
      const raw = await wallet.signTransaction(
        await wallet.populateTransaction({ to: await registry.getAddress(), data: registry.interface.encodeFunctionData("anchor", [batch.root, 2]) }),
      );
      const first = await ethers.provider.broadcastTransaction(raw);
      await first.wait();
      const again = await ethers.provider.broadcastTransaction(raw).then(
        () => null,
        (err: unknown) => err as Error,
      );
      expect(again?.message).to.match(/nonce/i);
      expect(Number((await registry.batchOf(wallet.address, batch.root)).billCount)).to.equal(2);
    });
  });

  describe("what the contract cannot tell, and verifiers must check off chain", () => {
    it("accepts an inner node of a batch tree as a 'leaf' with a shorter proof; marks on it touch no bill, so verifiers derive the leaf from the bill hash", async () => {
      const { registry, as, hospital, insurer } = await loadFixture(registryFixture);
      const batch = buildBatch(billHashes(4, "inner node"));
      await as(hospital).anchor(batch.root, 4);
      const nodes = batch.tree.dump().tree; // [root, inner left, inner right, leaves...]
      const [inner, sibling] = [nodes[1], nodes[2]];
      expect(await registry.isIncluded(hospital.address, batch.root, inner, [sibling])).to.equal(true);
      await as(insurer).markReimbursed(hospital.address, batch.root, inner, [sibling], CLAIM);
      for (const leaf of batch.leaves) expect(statusView(await registry.statusOf(hospital.address, leaf))).to.deep.equal(NO_MARKS);
    });

    it("lets an account that is both an admitted issuer and a relying party mark its own bills: the bureau must keep the roles apart", async () => {
      const { registry, as, admin, hospital, medical } = await loadFixture(registryFixture);
      await as(admin).grantRole(RELYING_PARTY_ROLE, hospital.address);
      await expect(as(hospital).markReimbursed(hospital.address, medical.root, medical.leaves[0], medical.proofs[0], CLAIM))
        .to.emit(registry, "BillReimbursed")
        .withArgs(hospital.address, medical.leaves[0], hospital.address, medical.root, CLAIM);
    });

    it("keeps a batch anchored by an issuer before its suspension valid and active at anchor (a stolen issuer key's batches stay until verifiers look at the suspension)", async () => {
      const f = await loadFixture(registryFixture);
      const { as, registrar, hospital } = f;
      await as(registrar).suspendIssuer(hospital.address);
      const ev = await medicalEvidence(f, 0);
      expect([ev.included, ev.activeAtAnchor, ev.issuer.active]).to.deep.equal([true, true, false]);
    });
  });
});
