// BillRegistry v2: the bureau's roles and the issuer roll (admit, suspend, reinstate, history).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import {
  CHARITY_CREDIT_CODE,
  DEFAULT_ADMIN_ROLE,
  HOSPITAL_CREDIT_CODE,
  Kind,
  NEWCOMER_CREDIT_CODE,
  NO_ISSUER,
  REGISTRAR_ROLE,
  RELYING_PARTY_ROLE,
  billHashes,
  blockOf,
  buildBatch,
  inOneBlock,
  issuerView,
  ranked,
  registryFixture,
} from "./fixtures";

describe("BillRegistry v2: roles and issuers", () => {
  describe("deployment", () => {
    it("gives the bureau admin DEFAULT_ADMIN_ROLE and no other role", async () => {
      const { registry, admin } = await loadFixture(registryFixture);
      expect(await registry.hasRole(DEFAULT_ADMIN_ROLE, admin.address)).to.equal(true);
      expect(await registry.hasRole(REGISTRAR_ROLE, admin.address)).to.equal(false);
      expect(await registry.hasRole(RELYING_PARTY_ROLE, admin.address)).to.equal(false);
    });

    it("gives a fresh deployment's admin role to the named admin, not to the deploying account", async () => {
      const [deployer, , , , , , , , , bureau] = await ethers.getSigners();
      const registry = await ethers.deployContract("BillRegistry", [bureau.address], deployer);
      const tx = registry.deploymentTransaction();
      if (tx === null) throw new Error("no deployment transaction");
      await expect(tx).to.emit(registry, "RoleGranted").withArgs(DEFAULT_ADMIN_ROLE, bureau.address, deployer.address);
      expect(await registry.hasRole(DEFAULT_ADMIN_ROLE, bureau.address)).to.equal(true);
      expect(await registry.hasRole(DEFAULT_ADMIN_ROLE, deployer.address)).to.equal(false);
    });

    it("publishes the role ids as keccak256 of their names, each administered by DEFAULT_ADMIN_ROLE", async () => {
      const { registry } = await loadFixture(registryFixture);
      expect(await registry.REGISTRAR_ROLE()).to.equal(REGISTRAR_ROLE);
      expect(await registry.RELYING_PARTY_ROLE()).to.equal(RELYING_PARTY_ROLE);
      expect(await registry.DEFAULT_ADMIN_ROLE()).to.equal(DEFAULT_ADMIN_ROLE);
      for (const role of [REGISTRAR_ROLE, RELYING_PARTY_ROLE, DEFAULT_ADMIN_ROLE]) {
        expect(await registry.getRoleAdmin(role)).to.equal(DEFAULT_ADMIN_ROLE);
      }
    });

    it("refuses a zero admin with BillRegistryInvalidArgument", async () => {
      const factory = await ethers.getContractFactory("BillRegistry");
      await expect(factory.deploy(ethers.ZeroAddress)).to.be.revertedWithCustomError(factory, "BillRegistryInvalidArgument");
    });
  });

  describe("roles", () => {
    it("lets the admin grant and revoke the registrar and relying-party roles, with events", async () => {
      const { as, admin, newcomer } = await loadFixture(registryFixture);
      const a = as(admin);
      for (const role of [REGISTRAR_ROLE, RELYING_PARTY_ROLE]) {
        await expect(a.grantRole(role, newcomer.address)).to.emit(a, "RoleGranted").withArgs(role, newcomer.address, admin.address);
        expect(await a.hasRole(role, newcomer.address)).to.equal(true);
        await expect(a.revokeRole(role, newcomer.address)).to.emit(a, "RoleRevoked").withArgs(role, newcomer.address, admin.address);
        expect(await a.hasRole(role, newcomer.address)).to.equal(false);
      }
    });

    it("refuses to grant any role to a registrar, a relying party, an issuer or a stranger", async () => {
      const { as, registrar, insurer, hospital, stranger, newcomer } = await loadFixture(registryFixture);
      for (const caller of [registrar, insurer, hospital, stranger]) {
        for (const role of [REGISTRAR_ROLE, RELYING_PARTY_ROLE, DEFAULT_ADMIN_ROLE]) {
          await expect(as(caller).grantRole(role, newcomer.address))
            .to.be.revertedWithCustomError(as(caller), "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, DEFAULT_ADMIN_ROLE);
        }
      }
    });

    it("takes a revoked registrar's powers away at once", async () => {
      const { as, admin, registrar, newcomer } = await loadFixture(registryFixture);
      await as(admin).revokeRole(REGISTRAR_ROLE, registrar.address);
      await expect(as(registrar).admitIssuer(newcomer.address, Kind.Medical, NEWCOMER_CREDIT_CODE))
        .to.be.revertedWithCustomError(as(registrar), "AccessControlUnauthorizedAccount")
        .withArgs(registrar.address, REGISTRAR_ROLE);
    });

    it("lets a role holder renounce its own role but not another account's", async () => {
      const { as, registrar, insurer } = await loadFixture(registryFixture);
      await expect(as(registrar).renounceRole(RELYING_PARTY_ROLE, insurer.address)).to.be.revertedWithCustomError(
        as(registrar),
        "AccessControlBadConfirmation",
      );
      await expect(as(insurer).renounceRole(RELYING_PARTY_ROLE, insurer.address))
        .to.emit(as(insurer), "RoleRevoked")
        .withArgs(RELYING_PARTY_ROLE, insurer.address, insurer.address);
      expect(await as(insurer).hasRole(RELYING_PARTY_ROLE, insurer.address)).to.equal(false);
    });

    it("gives the admin no registrar power until it grants itself the role", async () => {
      const { as, admin, newcomer } = await loadFixture(registryFixture);
      const a = as(admin);
      await expect(a.admitIssuer(newcomer.address, Kind.Medical, NEWCOMER_CREDIT_CODE))
        .to.be.revertedWithCustomError(a, "AccessControlUnauthorizedAccount")
        .withArgs(admin.address, REGISTRAR_ROLE);
      await a.grantRole(REGISTRAR_ROLE, admin.address);
      await expect(a.admitIssuer(newcomer.address, Kind.Medical, NEWCOMER_CREDIT_CODE)).to.emit(a, "IssuerAdmitted");
    });
  });

  describe("admitIssuer", () => {
    it("records the kind, the credit-code hash and the admission block, and emits IssuerAdmitted naming the registrar", async () => {
      const { as, registrar, newcomer } = await loadFixture(registryFixture);
      const r = as(registrar);
      expect(issuerView(await r.issuerOf(newcomer.address))).to.deep.equal(NO_ISSUER);
      const tx = await r.admitIssuer(newcomer.address, Kind.Donation, CHARITY_CREDIT_CODE);
      await expect(tx).to.emit(r, "IssuerAdmitted").withArgs(newcomer.address, Kind.Donation, CHARITY_CREDIT_CODE, registrar.address);
      expect(issuerView(await r.issuerOf(newcomer.address))).to.deep.equal({
        kind: Kind.Donation,
        active: true,
        admittedAt: await blockOf(tx),
        creditCodeHash: CHARITY_CREDIT_CODE,
      });
    });

    it("lets the new issuer anchor at once", async () => {
      const { as, registrar, newcomer } = await loadFixture(registryFixture);
      await as(registrar).admitIssuer(newcomer.address, Kind.Medical, NEWCOMER_CREDIT_CODE);
      const root = buildBatch(billHashes(2, "newcomer")).root;
      await expect(as(newcomer).anchor(root, 2)).to.emit(as(newcomer), "BatchAnchored").withArgs(newcomer.address, root, 2);
    });

    it("is refused to anyone without the registrar role: the admin, an issuer, a relying party, a stranger", async () => {
      const { as, admin, hospital, insurer, stranger, newcomer } = await loadFixture(registryFixture);
      for (const caller of [admin, hospital, insurer, stranger, newcomer]) {
        await expect(as(caller).admitIssuer(newcomer.address, Kind.Medical, NEWCOMER_CREDIT_CODE))
          .to.be.revertedWithCustomError(as(caller), "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, REGISTRAR_ROLE);
      }
    });

    it("refuses a zero account and a zero credit-code hash with BillRegistryInvalidArgument", async () => {
      const { as, registrar, newcomer } = await loadFixture(registryFixture);
      const r = as(registrar);
      await expect(r.admitIssuer(ethers.ZeroAddress, Kind.Medical, NEWCOMER_CREDIT_CODE)).to.be.revertedWithCustomError(r, "BillRegistryInvalidArgument");
      await expect(r.admitIssuer(newcomer.address, Kind.Medical, ethers.ZeroHash)).to.be.revertedWithCustomError(r, "BillRegistryInvalidArgument");
    });

    it("refuses kind None with BillRegistryInvalidKind(0), and a kind beyond the enum at ABI decoding", async () => {
      const { as, registrar, newcomer } = await loadFixture(registryFixture);
      const r = as(registrar);
      await expect(r.admitIssuer(newcomer.address, Kind.None, NEWCOMER_CREDIT_CODE))
        .to.be.revertedWithCustomError(r, "BillRegistryInvalidKind")
        .withArgs(0);
      // The ABI type of an enum is uint8, so 3 encodes; the contract's decoder refuses it without data.
      await expect(r.admitIssuer(newcomer.address, 3, NEWCOMER_CREDIT_CODE)).to.be.revertedWithoutReason();
      expect(issuerView(await r.issuerOf(newcomer.address))).to.deep.equal(NO_ISSUER);
    });

    it("admits an account once, whatever the kind and even after it was suspended", async () => {
      const { as, registrar, hospital } = await loadFixture(registryFixture);
      const r = as(registrar);
      await expect(r.admitIssuer(hospital.address, Kind.Donation, CHARITY_CREDIT_CODE))
        .to.be.revertedWithCustomError(r, "BillRegistryIssuerAlreadyAdmitted")
        .withArgs(hospital.address);
      await r.suspendIssuer(hospital.address);
      await expect(r.admitIssuer(hospital.address, Kind.Medical, HOSPITAL_CREDIT_CODE))
        .to.be.revertedWithCustomError(r, "BillRegistryIssuerAlreadyAdmitted")
        .withArgs(hospital.address);
      const record = issuerView(await r.issuerOf(hospital.address));
      expect([record.kind, record.creditCodeHash, record.active]).to.deep.equal([Kind.Medical, HOSPITAL_CREDIT_CODE, false]);
    });
  });

  describe("suspendIssuer and reinstateIssuer", () => {
    it("suspend an active issuer and reinstate it, emitting both events with the registrar, the record following", async () => {
      const { as, registrar, hospital } = await loadFixture(registryFixture);
      const r = as(registrar);
      const before = issuerView(await r.issuerOf(hospital.address));
      await expect(r.suspendIssuer(hospital.address)).to.emit(r, "IssuerSuspended").withArgs(hospital.address, registrar.address);
      expect(issuerView(await r.issuerOf(hospital.address))).to.deep.equal({ ...before, active: false });
      await expect(r.reinstateIssuer(hospital.address)).to.emit(r, "IssuerReinstated").withArgs(hospital.address, registrar.address);
      expect(issuerView(await r.issuerOf(hospital.address))).to.deep.equal(before);
    });

    it("stop a suspended issuer from anchoring and voiding, and let it do both again once reinstated", async () => {
      const { as, registrar, hospital, medical } = await loadFixture(registryFixture);
      const [h, r] = [as(hospital), as(registrar)];
      const root = buildBatch(billHashes(2, "while-suspended")).root;
      await r.suspendIssuer(hospital.address);
      await expect(h.anchor(root, 2)).to.be.revertedWithCustomError(h, "BillRegistryIssuerSuspended").withArgs(hospital.address);
      await expect(h.voidBill(medical.root, medical.leaves[0], medical.proofs[0], 1))
        .to.be.revertedWithCustomError(h, "BillRegistryIssuerSuspended")
        .withArgs(hospital.address);
      await r.reinstateIssuer(hospital.address);
      await expect(h.anchor(root, 2)).to.emit(h, "BatchAnchored");
      await expect(h.voidBill(medical.root, medical.leaves[0], medical.proofs[0], 1)).to.emit(h, "BillVoided");
    });

    it("keep a suspended issuer's earlier batches anchored and included", async () => {
      const { registry, as, registrar, hospital, medical, medicalBlock } = await loadFixture(registryFixture);
      await as(registrar).suspendIssuer(hospital.address);
      expect(Number((await registry.batchOf(hospital.address, medical.root)).blockNumber)).to.equal(medicalBlock);
      expect(await registry.isIncluded(hospital.address, medical.root, medical.leaves[2], medical.proofs[2])).to.equal(true);
    });

    it("are refused to anyone without the registrar role", async () => {
      const { as, admin, hospital, charity, insurer, stranger } = await loadFixture(registryFixture);
      for (const caller of [admin, charity, insurer, stranger]) {
        for (const method of ["suspendIssuer", "reinstateIssuer"]) {
          await expect(as(caller)[method](hospital.address))
            .to.be.revertedWithCustomError(as(caller), "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, REGISTRAR_ROLE);
        }
      }
    });

    it("refuse an account that was never admitted, and the zero account, with BillRegistryUnknownIssuer", async () => {
      const { as, registrar, stranger } = await loadFixture(registryFixture);
      const r = as(registrar);
      for (const account of [stranger.address, ethers.ZeroAddress]) {
        for (const method of ["suspendIssuer", "reinstateIssuer"]) {
          await expect(r[method](account)).to.be.revertedWithCustomError(r, "BillRegistryUnknownIssuer").withArgs(account);
        }
      }
    });

    it("refuse suspending a suspended issuer and reinstating an active one", async () => {
      const { as, registrar, hospital } = await loadFixture(registryFixture);
      const r = as(registrar);
      await expect(r.reinstateIssuer(hospital.address)).to.be.revertedWithCustomError(r, "BillRegistryIssuerNotSuspended").withArgs(hospital.address);
      await r.suspendIssuer(hospital.address);
      await expect(r.suspendIssuer(hospital.address)).to.be.revertedWithCustomError(r, "BillRegistryIssuerSuspended").withArgs(hospital.address);
    });
  });

  describe("wasIssuerAt", () => {
    it("answers for past blocks before and after admission, suspension and reinstatement", async () => {
      const { as, registrar, newcomer } = await loadFixture(registryFixture);
      const r = as(registrar);
      const admitted = await blockOf(r.admitIssuer(newcomer.address, Kind.Medical, NEWCOMER_CREDIT_CODE));
      await mine(5);
      const suspended = await blockOf(r.suspendIssuer(newcomer.address));
      await mine(5);
      const reinstated = await blockOf(r.reinstateIssuer(newcomer.address));
      await mine(2);
      const at = async (block: number) => (await r.wasIssuerAt(newcomer.address, Kind.Medical, block)) as boolean;
      const expected: [number, boolean][] = [
        [0, false],
        [admitted - 1, false],
        [admitted, true],
        [admitted + 1, true],
        [suspended - 1, true],
        [suspended, false],
        [suspended + 1, false],
        [reinstated - 1, false],
        [reinstated, true],
        [reinstated + 1, true],
      ];
      for (const [block, answer] of expected) expect(await at(block), `block ${block}`).to.equal(answer);
    });

    it("keeps answering true for blocks before a suspension after the suspension (history is not rewritten)", async () => {
      const { registry, as, registrar, hospital, medicalBlock } = await loadFixture(registryFixture);
      expect(await registry.wasIssuerAt(hospital.address, Kind.Medical, medicalBlock)).to.equal(true);
      await as(registrar).suspendIssuer(hospital.address);
      expect(await registry.wasIssuerAt(hospital.address, Kind.Medical, medicalBlock)).to.equal(true);
    });

    it("answers with the state at the end of the block when admission and suspension share a block", async () => {
      const { registry, as, registrar, newcomer } = await loadFixture(registryFixture);
      const r = as(registrar);
      const block = await inOneBlock(async () => {
        await r.admitIssuer(newcomer.address, Kind.Medical, NEWCOMER_CREDIT_CODE, ranked(1));
        await r.suspendIssuer(newcomer.address, ranked(1));
      });
      expect(Number((await registry.issuerOf(newcomer.address)).admittedAt)).to.equal(block);
      expect(await registry.wasIssuerAt(newcomer.address, Kind.Medical, block - 1)).to.equal(false);
      expect(await registry.wasIssuerAt(newcomer.address, Kind.Medical, block)).to.equal(false);
      expect(await registry.wasIssuerAt(newcomer.address, Kind.Medical, ethers.MaxUint256)).to.equal(false);
    });

    it("answers true for a block in which the issuer was suspended and reinstated again", async () => {
      const { registry, as, registrar, hospital } = await loadFixture(registryFixture);
      const r = as(registrar);
      const block = await inOneBlock(async () => {
        await r.suspendIssuer(hospital.address, ranked(1));
        await r.reinstateIssuer(hospital.address, ranked(1));
      });
      expect(await registry.wasIssuerAt(hospital.address, Kind.Medical, block - 1)).to.equal(true);
      expect(await registry.wasIssuerAt(hospital.address, Kind.Medical, block)).to.equal(true);
    });

    it("answers false for a block in which the issuer anchored and was then suspended", async () => {
      const { registry, as, registrar, hospital } = await loadFixture(registryFixture);
      const root = buildBatch(billHashes(2, "same-block")).root;
      const block = await inOneBlock(async () => {
        await as(hospital).anchor(root, 2, ranked(2));
        await as(registrar).suspendIssuer(hospital.address, ranked(1));
      });
      expect(Number((await registry.batchOf(hospital.address, root)).blockNumber)).to.equal(block);
      expect(await registry.wasIssuerAt(hospital.address, Kind.Medical, block)).to.equal(false);
    });

    it("answers false for the wrong kind, for kind None and for an account never admitted", async () => {
      const { registry, hospital, charity, stranger } = await loadFixture(registryFixture);
      const now = await ethers.provider.getBlockNumber();
      expect(await registry.wasIssuerAt(hospital.address, Kind.Medical, now)).to.equal(true);
      expect(await registry.wasIssuerAt(hospital.address, Kind.Donation, now)).to.equal(false);
      expect(await registry.wasIssuerAt(hospital.address, Kind.None, now)).to.equal(false);
      expect(await registry.wasIssuerAt(charity.address, Kind.Donation, now)).to.equal(true);
      expect(await registry.wasIssuerAt(charity.address, Kind.Medical, now)).to.equal(false);
      expect(await registry.wasIssuerAt(stranger.address, Kind.Medical, now)).to.equal(false);
      expect(await registry.wasIssuerAt(stranger.address, Kind.None, now)).to.equal(false);
      expect(await registry.wasIssuerAt(ethers.ZeroAddress, Kind.None, now)).to.equal(false);
    });

    it("answers with the current state for blocks not yet mined, up to the largest uint256", async () => {
      const { registry, as, registrar, hospital } = await loadFixture(registryFixture);
      const future = (await ethers.provider.getBlockNumber()) + 1000;
      for (const block of [future, 2n ** 48n - 1n, 2n ** 48n, ethers.MaxUint256]) {
        expect(await registry.wasIssuerAt(hospital.address, Kind.Medical, block)).to.equal(true);
      }
      await as(registrar).suspendIssuer(hospital.address);
      for (const block of [future, 2n ** 48n, ethers.MaxUint256]) {
        expect(await registry.wasIssuerAt(hospital.address, Kind.Medical, block)).to.equal(false);
      }
    });
  });
});
