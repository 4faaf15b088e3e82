// BillRegistry: the issuers' SM2 seal keys (docs/PROTOCOL.md §6.2) — recorded by the registrar only,
// rotated with their history, so a bill anchored before a rotation still finds its key.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { REGISTRAR_ROLE, blockOf, registryFixture } from "./fixtures";

const KEY_A = ethers.keccak256(ethers.toUtf8Bytes("seal key A"));
const KEY_B = ethers.keccak256(ethers.toUtf8Bytes("seal key B"));

describe("BillRegistry: SM2 seal keys", () => {
  it("records a key for an admitted issuer, with an event naming the registrar", async () => {
    const { registry, as, registrar, hospital } = await loadFixture(registryFixture);
    const tx = as(registrar).setSealKey(hospital.address, KEY_A);
    await expect(tx).to.emit(registry, "SealKeySet").withArgs(hospital.address, KEY_A, registrar.address);
    const block = await blockOf(tx);
    const keys = await registry.sealKeysOf(hospital.address);
    expect(keys.map((k: { keyHash: string; fromBlock: bigint }) => [k.keyHash, Number(k.fromBlock)])).to.deep.equal([[KEY_A, block]]);
    expect(await registry.sealKeyAt(hospital.address, block)).to.equal(KEY_A);
    expect(await registry.sealKeyAt(hospital.address, block - 1)).to.equal(ethers.ZeroHash);
  });

  it("keeps the history across a rotation: the old key answers for the blocks before it", async () => {
    const { registry, as, registrar, hospital } = await loadFixture(registryFixture);
    const first = await blockOf(as(registrar).setSealKey(hospital.address, KEY_A));
    await mine(3);
    const second = await blockOf(as(registrar).setSealKey(hospital.address, KEY_B));
    expect(await registry.sealKeyAt(hospital.address, first)).to.equal(KEY_A);
    expect(await registry.sealKeyAt(hospital.address, second - 1)).to.equal(KEY_A);
    expect(await registry.sealKeyAt(hospital.address, second)).to.equal(KEY_B);
    expect(await registry.sealKeyAt(hospital.address, second + 100)).to.equal(KEY_B);
    expect((await registry.sealKeysOf(hospital.address)).length).to.equal(2);
  });

  it("refuses every account without the registrar role, the issuer itself and the bureau admin included", async () => {
    const { registry, as, admin, hospital, stranger } = await loadFixture(registryFixture);
    for (const who of [hospital, stranger, admin]) {
      await expect(as(who).setSealKey(hospital.address, KEY_A))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(who.address, REGISTRAR_ROLE);
    }
    expect((await registry.sealKeysOf(hospital.address)).length).to.equal(0);
  });

  it("refuses a key for an account never admitted, and a zero key", async () => {
    const { registry, as, registrar, hospital, newcomer } = await loadFixture(registryFixture);
    await expect(as(registrar).setSealKey(newcomer.address, KEY_A))
      .to.be.revertedWithCustomError(registry, "BillRegistryUnknownIssuer")
      .withArgs(newcomer.address);
    await expect(as(registrar).setSealKey(hospital.address, ethers.ZeroHash)).to.be.revertedWithCustomError(registry, "BillRegistryInvalidArgument");
  });
});
