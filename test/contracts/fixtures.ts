// Shared fixtures for the registry v2 tests: named accounts, a deployed registry with roles granted,
// issuers admitted with their number ranges, Merkle batches built exactly as the service builds them,
// and plain-object views of the structs the registry returns.
import { ethers, network } from "hardhat";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Contract, ContractTransactionResponse, Signer } from "ethers";

export const Kind = { None: 0, Medical: 1, Donation: 2 } as const;
export const REGISTRAR_ROLE = ethers.id("REGISTRAR_ROLE");
export const RELYING_PARTY_ROLE = ethers.id("RELYING_PARTY_ROLE");
export const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;
export const HOSPITAL_CREDIT_CODE = ethers.id("12100000400000624D");
export const RIVAL_CREDIT_CODE = ethers.id("12330000470000571X");
export const CHARITY_CREDIT_CODE = ethers.id("53100000500021676K");
export const NEWCOMER_CREDIT_CODE = ethers.id("12440000455858423P");

/** 8-digit bill codes (票据代码) read as numbers: a medical and a donation code of one province. */
export const MEDICAL_CODE = 33010126;
export const DONATION_CODE = 33060226;
export const MAX_BILL_CODE = 99_999_999;
export const MAX_BILL_NUMBER = 9_999_999_999n;

/** The ranges the fixture allots: hospital A and hospital B share the medical code, the charity has its own. */
export const HOSPITAL_RANGE = { first: 1n, last: 1000n } as const;
export const RIVAL_RANGE = { first: 1001n, last: 2000n } as const;
export const CHARITY_RANGE = { first: 1n, last: 500n } as const;

export const CLAIM = ethers.id("PICC-2026-000123");
export const REASON_WRONG_AMOUNT = 1;
export const REASON_DUPLICATE = 2;

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

/** A batch as the anchoring worker builds it: `StandardMerkleTree.of(values.map(v => [v]), ["bytes32"])`. */
export function buildBatch(values: string[]): Batch {
  const tree = StandardMerkleTree.of(
    values.map((v) => [v] as [string]),
    ["bytes32"],
  );
  const leaves = values.map((v) => tree.leafHash([v]));
  const proofs = values.map((_, i) => tree.getProof(i));
  return { tree, root: tree.root, values, leaves, proofs };
}

/** The leaf of a bill hash as the interface documents it: keccak256(bytes.concat(keccak256(abi.encode(billHash)))). */
export function leafOf(billHash: string): string {
  return ethers.keccak256(ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["bytes32"], [billHash])));
}

type Tx = ContractTransactionResponse | Promise<ContractTransactionResponse>;

/** The receipt of a mined transaction (throws if it reverted). */
export async function receiptOf(tx: Tx) {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("transaction not mined");
  return receipt;
}

/** Block number of the block that mined `tx`. */
export async function blockOf(tx: Tx): Promise<number> {
  return (await receiptOf(tx)).blockNumber;
}

/** Block time of the block that mined `tx`. */
export async function blockTimeOf(tx: Tx): Promise<number> {
  const receipt = await receiptOf(tx);
  const block = await ethers.provider.getBlock(receipt.blockNumber);
  if (block === null) throw new Error(`block ${receipt.blockNumber} not found`);
  return block.timestamp;
}

/** Gas used by a mined transaction. */
export async function gasOf(tx: Tx): Promise<bigint> {
  return (await receiptOf(tx)).gasUsed;
}

/**
 * Runs `send` with automine off and mines everything it sent in one block; returns that block number.
 * Transactions sent inside must carry an explicit gasLimit (estimation does not see the pending block
 * the same way everywhere) and, from different senders, distinct priority fees to fix their order.
 */
export async function inOneBlock(send: () => Promise<unknown>): Promise<number> {
  await network.provider.send("evm_setAutomine", [false]);
  try {
    await send();
    await network.provider.send("evm_mine", []);
  } finally {
    await network.provider.send("evm_setAutomine", [true]);
  }
  return ethers.provider.getBlockNumber();
}

/** Fee fields that order transactions of one block: a higher `rank` is mined earlier. */
export function ranked(rank: number) {
  const tip = BigInt(rank) * 1_000_000_000n;
  return { gasLimit: 500_000n, maxPriorityFeePerGas: tip, maxFeePerGas: 100_000_000_000n + tip };
}

// ---- plain views of the structs -------------------------------------------------------------

export interface BatchView {
  blockNumber: number;
  timestamp: number;
  billCount: number;
}
export interface StatusView {
  voided: boolean;
  voidReason: number;
  voidedAt: number;
  reimbursedBy: string;
  reimbursedAt: number;
}
export interface IssuerView {
  kind: number;
  active: boolean;
  admittedAt: number;
  creditCodeHash: string;
}
export interface AllotmentView {
  issuer: string;
  billCode: number;
  first: bigint;
  last: bigint;
  allottedAt: number;
}
export interface EvidenceView {
  batch: BatchView;
  status: StatusView;
  issuer: IssuerView;
  included: boolean;
  activeAtAnchor: boolean;
  allottedAtAnchor: boolean;
}

type Struct = Record<string, unknown> & ArrayLike<unknown>;

export const NO_BATCH: BatchView = { blockNumber: 0, timestamp: 0, billCount: 0 };
export const NO_MARKS: StatusView = { voided: false, voidReason: 0, voidedAt: 0, reimbursedBy: ethers.ZeroAddress, reimbursedAt: 0 };
export const NO_ISSUER: IssuerView = { kind: 0, active: false, admittedAt: 0, creditCodeHash: ethers.ZeroHash };
export const NO_ALLOTMENT: AllotmentView = { issuer: ethers.ZeroAddress, billCode: 0, first: 0n, last: 0n, allottedAt: 0 };

export function batchView(s: Struct): BatchView {
  return { blockNumber: Number(s.blockNumber), timestamp: Number(s.timestamp), billCount: Number(s.billCount) };
}
export function statusView(s: Struct): StatusView {
  return {
    voided: Boolean(s.voided),
    voidReason: Number(s.voidReason),
    voidedAt: Number(s.voidedAt),
    reimbursedBy: String(s.reimbursedBy),
    reimbursedAt: Number(s.reimbursedAt),
  };
}
export function issuerView(s: Struct): IssuerView {
  return { kind: Number(s.kind), active: Boolean(s.active), admittedAt: Number(s.admittedAt), creditCodeHash: String(s.creditCodeHash) };
}
export function allotmentView(s: Struct): AllotmentView {
  return {
    issuer: String(s.issuer),
    billCode: Number(s.billCode),
    first: BigInt(s.first as bigint),
    last: BigInt(s.last as bigint),
    allottedAt: Number(s.allottedAt),
  };
}
export function evidenceView(s: Struct): EvidenceView {
  return {
    batch: batchView(s.batch as Struct),
    status: statusView(s.status as Struct),
    issuer: issuerView(s.issuer as Struct),
    included: Boolean(s.included),
    activeAtAnchor: Boolean(s.activeAtAnchor),
    allottedAtAnchor: Boolean(s.allottedAtAnchor),
  };
}

// ---- the fixture ------------------------------------------------------------------------------

/**
 * The deployed registry: a bureau admin and a registrar; hospital A and hospital B (both medical) and
 * a charity admitted, with ranges of their codes allotted; two relying parties; a stranger and a
 * newcomer with no role. Hospital A anchored a batch of 3 medical bills (numbers 1..3), the charity a
 * batch of 2 donation bills (numbers 1..2).
 */
export async function registryFixture() {
  const [admin, registrar, hospital, rival, charity, insurer, employer, stranger, newcomer] = await ethers.getSigners();
  const registry = (await ethers.deployContract("BillRegistry", [admin.address])) as unknown as Contract;
  const as = (signer: Signer) => registry.connect(signer) as Contract;
  await registry.grantRole(REGISTRAR_ROLE, registrar.address);
  await registry.grantRole(RELYING_PARTY_ROLE, insurer.address);
  await registry.grantRole(RELYING_PARTY_ROLE, employer.address);
  const r = as(registrar);
  await r.admitIssuer(hospital.address, Kind.Medical, HOSPITAL_CREDIT_CODE);
  await r.admitIssuer(rival.address, Kind.Medical, RIVAL_CREDIT_CODE);
  await r.admitIssuer(charity.address, Kind.Donation, CHARITY_CREDIT_CODE);
  await r.allotRange(hospital.address, MEDICAL_CODE, HOSPITAL_RANGE.first, HOSPITAL_RANGE.last);
  await r.allotRange(rival.address, MEDICAL_CODE, RIVAL_RANGE.first, RIVAL_RANGE.last);
  await r.allotRange(charity.address, DONATION_CODE, CHARITY_RANGE.first, CHARITY_RANGE.last);
  const medical = buildBatch(billHashes(3, "medical"));
  const donation = buildBatch(billHashes(2, "donation"));
  const medicalBlock = await blockOf(as(hospital).anchor(medical.root, 3));
  const donationBlock = await blockOf(as(charity).anchor(donation.root, 2));
  return {
    registry,
    as,
    admin,
    registrar,
    hospital,
    rival,
    charity,
    insurer,
    employer,
    stranger,
    newcomer,
    medical,
    donation,
    medicalBlock,
    donationBlock,
  };
}

export type Fixture = Awaited<ReturnType<typeof registryFixture>>;

/** hospital A's full evidence for bill `i` of its medical batch, numbered i + 1 under MEDICAL_CODE. */
export async function medicalEvidence(f: Fixture, i = 0, issuer = f.hospital.address): Promise<EvidenceView> {
  return evidenceView(await f.registry.evidence(issuer, f.medical.root, f.medical.leaves[i], f.medical.proofs[i], MEDICAL_CODE, i + 1));
}
