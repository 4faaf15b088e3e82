// BillRegistry: the bureau's roles and the issuer roll (admit, suspend, reinstate, history).
import { expect } from "chai";
import { artifacts, ethers } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import {
  CHARITY_CREDIT_CODE,
  DEFAULT_ADMIN_ROLE,
  HOSPITAL_CREDIT_CODE,
  Kind,
  REGISTRAR_ROLE,
  RELYING_PARTY_ROLE,
  registryFixture,
} from "./fixtures";

describe("BillRegistry: roles and issuers", () => {
  describe("deployment", () => {
    it("gives the bureau admin DEFAULT_ADMIN_ROLE and nobody else any role", async () => {
      const { registry, admin, stranger } = await loadFixture(registryFixture);
      expect(await registry.hasRole(DEFAULT_ADMIN_ROLE, admin.address)).to.equal(true);
      expect(await registry.hasRole(DEFAULT_ADMIN_ROLE, stranger.address)).to.equal(false);
      expect(await registry.hasRole(REGISTRAR_ROLE, admin.address)).to.equal(false);
    });

    it("publishes the role ids as keccak256 of their names", async () => {
      const { registry } = await loadFixture(registryFixture);
      expect(await registry.REGISTRAR_ROLE()).to.equal(REGISTRAR_ROLE);
      expect(await registry.RELYING_PARTY_ROLE()).to.equal(RELYING_PARTY_ROLE);
    });

    it("refuses a zero admin", async () => {
      const factory = await ethers.getContractFactory("BillRegistry");
      await expect(factory.deploy(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        factory,
        "BillRegistryInvalidArgument",
      );
    });

    it("reports IBillRegistry, IAccessControl and ERC-165 through supportsInterface", async () => {
      const { registry } = await loadFixture(registryFixture);
      const { abi } = await artifacts.readArtifact("IBillRegistry");
      let id = 0n;
      new ethers.Interface(abi).forEachFunction((fn) => (id ^= BigInt(fn.selector)));
      expect(await registry.supportsInterface(ethers.toBeHex(id, 4))).to.equal(true);
      expect(await registry.supportsInterface("0x7965db0b")).to.equal(true);
      expect(await registry.supportsInterface("0x01ffc9a7")).to.equal(true);
      expect(await registry.supportsInterface("0xffffffff")).to.equal(false);
    });

    it("lets only the admin grant the registrar role", async () => {
      const { as, registrar, newcomer } = await loadFixture(registryFixture);
      await expect(as(registrar).grantRole(REGISTRAR_ROLE, newcomer.address))
        .to.be.revertedWithCustomError(as(registrar), "AccessControlUnauthorizedAccount")
        .withArgs(registrar.address, DEFAULT_ADMIN_ROLE);
    });
  });

  describe("admitIssuer", () => {
    it("records the kind, the credit-code hash and the admission block, and emits IssuerAdmitted", async () => {
      const { as, registrar, newcomer } = await loadFixture(registryFixture);
      const tx = await as(registrar).admitIssuer(newcomer.address, Kind.Donation, CHARITY_CREDIT_CODE);
      await expect(tx)
        .to.emit(as(registrar), "IssuerAdmitted")
        .withArgs(newcomer.address, Kind.Donation, CHARITY_CREDIT_CODE, registrar.address);
      const issuer = await as(registrar).issuerOf(newcomer.address);
      expect(issuer.kind).to.equal(Kind.Donation);
      expect(issuer.active).to.equal(true);
      expect(issuer.admittedAt).to.equal((await tx.wait()).blockNumber);
      expect(issuer.creditCodeHash).to.equal(CHARITY_CREDIT_CODE);
    });

    it("is refused to anyone without the registrar role, the bureau admin included", async () => {
      const { as, admin, hospital, newcomer } = await loadFixture(registryFixture);
      for (const caller of [admin, hospital]) {
        await expect(as(caller).admitIssuer(newcomer.address, Kind.Medical, HOSPITAL_CREDIT_CODE))
          .to.be.revertedWithCustomError(as(caller), "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, REGISTRAR_ROLE);
      }
    });

    it("refuses a zero account and a zero credit-code hash", async () => {
      const { as, registrar, newcomer } = await loadFixture(registryFixture);
      const r = as(registrar);
      await expect(r.admitIssuer(ethers.ZeroAddress, Kind.Medical, HOSPITAL_CREDIT_CODE)).to.be.revertedWithCustomError(
        r,
        "BillRegistryInvalidArgument",
      );
      await expect(r.admitIssuer(newcomer.address, Kind.Medical, ethers.ZeroHash)).to.be.revertedWithCustomError(
        r,
        "BillRegistryInvalidArgument",
      );
    });

    it("refuses kind None with BillRegistryInvalidKind and an out-of-range kind at decoding", async () => {
      const { as, registrar, newcomer } = await loadFixture(registryFixture);
      const r = as(registrar);
      await expect(r.admitIssuer(newcomer.address, Kind.None, HOSPITAL_CREDIT_CODE))
        .to.be.revertedWithCustomError(r, "BillRegistryInvalidKind")
        .withArgs(0);
      await expect(r.admitIssuer(newcomer.address, 3, HOSPITAL_CREDIT_CODE)).to.be.revertedWithoutReason();
    });

    it("admits an account once, even after it was suspended", async () => {
      const { as, registrar, hospital } = await loadFixture(registryFixture);
      const r = as(registrar);
      await expect(r.admitIssuer(hospital.address, Kind.Donation, CHARITY_CREDIT_CODE))
        .to.be.revertedWithCustomError(r, "BillRegistryIssuerAlreadyAdmitted")
        .withArgs(hospital.address);
      await r.suspendIssuer(hospital.address);
      await expect(r.admitIssuer(hospital.address, Kind.Medical, HOSPITAL_CREDIT_CODE))
        .to.be.revertedWithCustomError(r, "BillRegistryIssuerAlreadyAdmitted")
        .withArgs(hospital.address);
    });
  });

  describe("suspendIssuer and reinstateIssuer", () => {
    it("suspends an active issuer and reinstates it, emitting both events with the registrar", async () => {
      const { as, registrar, hospital } = await loadFixture(registryFixture);
      const r = as(registrar);
      await expect(r.suspendIssuer(hospital.address))
        .to.emit(r, "IssuerSuspended")
        .withArgs(hospital.address, registrar.address);
      expect((await r.issuerOf(hospital.address)).active).to.equal(false);
      await expect(r.reinstateIssuer(hospital.address))
        .to.emit(r, "IssuerReinstated")
        .withArgs(hospital.address, registrar.address);
      expect((await r.issuerOf(hospital.address)).active).to.equal(true);
    });

    it("are refused to anyone without the registrar role", async () => {
      const { as, admin, hospital, charity } = await loadFixture(registryFixture);
      await expect(as(admin).suspendIssuer(hospital.address))
        .to.be.revertedWithCustomError(as(admin), "AccessControlUnauthorizedAccount")
        .withArgs(admin.address, REGISTRAR_ROLE);
      await expect(as(charity).reinstateIssuer(hospital.address))
        .to.be.revertedWithCustomError(as(charity), "AccessControlUnauthorizedAccount")
        .withArgs(charity.address, REGISTRAR_ROLE);
    });

    it("refuse an account that was never admitted", async () => {
      const { as, registrar, stranger } = await loadFixture(registryFixture);
      const r = as(registrar);
      await expect(r.suspendIssuer(stranger.address))
        .to.be.revertedWithCustomError(r, "BillRegistryUnknownIssuer")
        .withArgs(stranger.address);
      await expect(r.reinstateIssuer(stranger.address))
        .to.be.revertedWithCustomError(r, "BillRegistryUnknownIssuer")
        .withArgs(stranger.address);
    });

    it("refuse suspending a suspended issuer and reinstating an active one", async () => {
      const { as, registrar, hospital } = await loadFixture(registryFixture);
      const r = as(registrar);
      await expect(r.reinstateIssuer(hospital.address))
        .to.be.revertedWithCustomError(r, "BillRegistryIssuerNotSuspended")
        .withArgs(hospital.address);
      await r.suspendIssuer(hospital.address);
      await expect(r.suspendIssuer(hospital.address))
        .to.be.revertedWithCustomError(r, "BillRegistryIssuerSuspended")
        .withArgs(hospital.address);
    });
  });

  describe("wasIssuerAt", () => {
    it("answers for past blocks before and after a suspension and a reinstatement", async () => {
      const { as, registrar, newcomer } = await loadFixture(registryFixture);
      const r = as(registrar);
      const admitted = (await (await r.admitIssuer(newcomer.address, Kind.Medical, HOSPITAL_CREDIT_CODE)).wait())
        .blockNumber;
      await mine(5);
      const suspended = (await (await r.suspendIssuer(newcomer.address)).wait()).blockNumber;
      await mine(5);
      const reinstated = (await (await r.reinstateIssuer(newcomer.address)).wait()).blockNumber;
      const at = (block: number) => r.wasIssuerAt(newcomer.address, Kind.Medical, block);
      expect(await at(admitted - 1)).to.equal(false);
      expect(await at(admitted)).to.equal(true);
      expect(await at(suspended - 1)).to.equal(true);
      expect(await at(suspended)).to.equal(false);
      expect(await at(reinstated - 1)).to.equal(false);
      expect(await at(reinstated)).to.equal(true);
    });

    it("answers false for the wrong kind, for kind None and for an account never admitted", async () => {
      const { registry, hospital, stranger } = await loadFixture(registryFixture);
      const now = await ethers.provider.getBlockNumber();
      expect(await registry.wasIssuerAt(hospital.address, Kind.Medical, now)).to.equal(true);
      expect(await registry.wasIssuerAt(hospital.address, Kind.Donation, now)).to.equal(false);
      expect(await registry.wasIssuerAt(hospital.address, Kind.None, now)).to.equal(false);
      expect(await registry.wasIssuerAt(stranger.address, Kind.Medical, now)).to.equal(false);
    });

    it("answers with the current state for blocks not yet mined, up to the largest uint256", async () => {
      const { as, registrar, hospital } = await loadFixture(registryFixture);
      expect(await as(registrar).wasIssuerAt(hospital.address, Kind.Medical, ethers.MaxUint256)).to.equal(true);
      await as(registrar).suspendIssuer(hospital.address);
      expect(await as(registrar).wasIssuerAt(hospital.address, Kind.Medical, ethers.MaxUint256)).to.equal(false);
    });
  });
});
