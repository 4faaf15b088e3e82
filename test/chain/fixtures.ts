import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, ContractFactory, id, keccak256, toUtf8Bytes, type HDNodeWallet, type Provider } from "ethers";
import { devWallet } from "../../server/chain/accounts";
import { KIND_CODE, loadRegistryArtifact, registryAt } from "../../server/chain/registry";

/** A fresh directory under the OS temp dir, removed by `cleanup()`. */
export function tempDir(prefix = "lianpiao-chain-"): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RegistryFixture {
  registry: Contract;
  address: string;
  admin: HDNodeWallet;
  issuer: HDNodeWallet;
  insurer: HDNodeWallet;
}

/**
 * Deploys the registry through ordinary ethers calls (estimate, fee data, nonce from the provider):
 * account 0 is bureau admin and registrar, account 1 a medical issuer, account 2 a relying party.
 */
export async function deployRegistry(provider: Provider): Promise<RegistryFixture> {
  const admin = devWallet(0).connect(provider);
  const issuer = devWallet(1).connect(provider);
  const insurer = devWallet(2).connect(provider);
  const { abi, bytecode } = loadRegistryArtifact();
  const deployed = await new ContractFactory(abi, bytecode, admin).deploy(admin.address);
  await deployed.waitForDeployment();
  const address = await deployed.getAddress();
  const registry = registryAt(address, admin);
  await (await registry.getFunction("grantRole")(id("REGISTRAR_ROLE"), admin.address)).wait();
  await (await registry.getFunction("grantRole")(id("RELYING_PARTY_ROLE"), insurer.address)).wait();
  const creditCodeHash = keccak256(toUtf8Bytes("12100000400000624D"));
  await (await registry.getFunction("admitIssuer")(issuer.address, KIND_CODE.medical, creditCodeHash)).wait();
  await (await registry.getFunction("allotRange")(issuer.address, 11060126, 1, 1000)).wait();
  return { registry, address, admin, issuer, insurer };
}

/** Fixed fee fields, so transactions can be signed offline without asking the chain. */
export const OFFLINE_FEES = { maxFeePerGas: 20_000_000_000n, maxPriorityFeePerGas: 1n, type: 2, chainId: 31337 } as const;
