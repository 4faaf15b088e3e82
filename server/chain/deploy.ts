/**
 * Deploys the BillRegistry with plain ethers v6, so that the service (the development bootstrap), the
 * CLI (scripts/deploy.ts) and the tests can deploy to any JSON-RPC chain without Hardhat's runtime.
 */
import { ContractFactory, Contract, ethers } from "ethers";
import type { TransactionResponse } from "ethers";
import { loadRegistryArtifact } from "./registry";

export const REGISTRAR_ROLE = ethers.id("REGISTRAR_ROLE");
export const RELYING_PARTY_ROLE = ethers.id("RELYING_PARTY_ROLE");
export const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;

export interface DeployOptions {
  /** Bureau admin; defaults to the deployer. When another account, the deployer hands over and renounces. */
  admin?: string;
  registrars?: string[];
  relyingParties?: string[];
  /** Confirmations to wait for on every transaction; default 1. */
  confirmations?: number;
  /** How long to wait for each transaction's confirmations before failing; default 300 s. */
  timeoutMs?: number;
}

export interface DeployedRegistry {
  address: string;
  deployTxHash: string;
  blockNumber: number;
}

/**
 * Deploys the registry from `signer`, grants the registrar and relying-party roles, and hands the admin
 * role to `opts.admin` if that is another account. Nonces are assigned here, one after the other, so the
 * role grants are sent without waiting for each other; every transaction is awaited to `confirmations`.
 */
export async function deployRegistry(signer: ethers.Signer, opts: DeployOptions = {}): Promise<DeployedRegistry> {
  const deployer = await signer.getAddress();
  const admin = ethers.getAddress(opts.admin ?? deployer);
  const wait = (tx: TransactionResponse) => waitFor(tx, opts.confirmations ?? 1, opts.timeoutMs ?? 300_000);
  let nonce = await signer.getNonce("pending");
  const { abi, bytecode } = loadRegistryArtifact();
  const deployment = await new ContractFactory(abi, bytecode, signer).getDeployTransaction(deployer);
  const deployTx = await signer.sendTransaction({ ...deployment, nonce: nonce++ });
  const receipt = await wait(deployTx);
  const address = receipt.contractAddress;
  if (address == null) throw new Error(`deployment ${deployTx.hash} created no contract`);
  const registry = new Contract(address, abi, signer);
  const sent: TransactionResponse[] = [];
  const send = async (method: string, ...args: unknown[]) => sent.push(await registry.getFunction(method).send(...args, { nonce: nonce++ }));
  for (const account of opts.registrars ?? []) await send("grantRole", REGISTRAR_ROLE, ethers.getAddress(account));
  for (const account of opts.relyingParties ?? []) await send("grantRole", RELYING_PARTY_ROLE, ethers.getAddress(account));
  if (admin !== deployer) {
    await send("grantRole", DEFAULT_ADMIN_ROLE, admin);
    await send("renounceRole", DEFAULT_ADMIN_ROLE, deployer);
  }
  await Promise.all(sent.map(wait));
  return { address, deployTxHash: deployTx.hash, blockNumber: receipt.blockNumber };
}

async function waitFor(tx: TransactionResponse, confirmations: number, timeoutMs: number) {
  const receipt = await tx.wait(confirmations, timeoutMs);
  if (receipt === null || receipt.status !== 1) throw new Error(`transaction ${tx.hash} failed`);
  return receipt;
}
