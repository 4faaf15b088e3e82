// Shared fixtures for the registry tests: named accounts, a deployed registry with roles granted,
// and Merkle batches built exactly as the service builds them.
import { ethers } from "hardhat";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Contract } from "ethers";

export const Kind = { None: 0, Medical: 1, Donation: 2 } as const;
export const REGISTRAR_ROLE = ethers.id("REGISTRAR_ROLE");
export const RELYING_PARTY_ROLE = ethers.id("RELYING_PARTY_ROLE");
export const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;
export const HOSPITAL_CREDIT_CODE = ethers.id("12100000400000624D");
export const CHARITY_CREDIT_CODE = ethers.id("53100000500021676K");

export interface Batch {
  tree: StandardMerkleTree<[string]>;
  root: string;
  values: string[];
  leaves: string[];
  proofs: string[][];
}

/** `count` distinct bill hashes; `label` keeps batches of the same size apart. */
export function billHashes(count: number, label = "bill"): string[] {
  return Array.from({ length: count }, (_, i) => ethers.id(`${label}-${i}`));
}

/** A batch as the anchoring worker builds it: one `bytes32` value per leaf. */
export function buildBatch(values: string[]): Batch {
  const tree = StandardMerkleTree.of(
    values.map((v) => [v] as [string]),
    ["bytes32"],
  );
  const leaves = values.map((v) => tree.leafHash([v]));
  const proofs = values.map((_, i) => tree.getProof(i));
  return { tree, root: tree.root, values, leaves, proofs };
}

/** The deployed registry with a bureau, two issuers, two relying parties, and one batch each. */
export async function registryFixture() {
  const [admin, registrar, hospital, charity, insurer, employer, stranger, newcomer] = await ethers.getSigners();
  const registry = (await ethers.deployContract("BillRegistry", [admin.address])) as unknown as Contract;
  await registry.grantRole(REGISTRAR_ROLE, registrar.address);
  await registry.grantRole(RELYING_PARTY_ROLE, insurer.address);
  await registry.grantRole(RELYING_PARTY_ROLE, employer.address);
  const asRegistrar = registry.connect(registrar) as Contract;
  await asRegistrar.admitIssuer(hospital.address, Kind.Medical, HOSPITAL_CREDIT_CODE);
  await asRegistrar.admitIssuer(charity.address, Kind.Donation, CHARITY_CREDIT_CODE);
  const medical = buildBatch(billHashes(3, "medical"));
  const donation = buildBatch(billHashes(2, "donation"));
  await (registry.connect(hospital) as Contract).anchor(medical.root, 3);
  await (registry.connect(charity) as Contract).anchor(donation.root, 2);
  const as = (signer: { address: string }) => registry.connect(signer as never) as Contract;
  return { registry, as, admin, registrar, hospital, charity, insurer, employer, stranger, newcomer, medical, donation };
}

/** Block time of the block that mined `tx`. */
export async function blockTimeOf(tx: { wait(): Promise<unknown> }): Promise<number> {
  const receipt = (await tx.wait()) as { blockNumber: number };
  const block = await ethers.provider.getBlock(receipt.blockNumber);
  if (block === null) throw new Error(`block ${receipt.blockNumber} not found`);
  return block.timestamp;
}
