/**
 * Gas per bill: BillRegistry (protocol v2) batch anchoring at batch sizes 1, 10, 100 and 1,000,
 * against the naive baseline (contracts/test/NaiveDocumentStore.sol: one hash, one storage write and
 * one event per transaction), both deployed in the same run on the embedded chain (a fresh one in a
 * temp dir). The registry is set up as production sets it up: a registrar admits the hospital and
 * allots it a range of its bill code before it anchors; a relying party marks a bill. Figures are the
 * transaction's gasUsed (21,000 intrinsic gas included) divided by its bill count; `operations`
 * gives the other v2 transactions' gasUsed, measured on the 1,000-bill batch.
 */
import fs from "node:fs";
import path from "node:path";
import { Contract, ContractFactory, ethers, type InterfaceAbi, type Wallet, type HDNodeWallet } from "ethers";
import { devWallet, openEmbeddedChain, registryInterface } from "../../server/chain";
import { buildBatchTree, type BatchTree } from "../../server/issuance";
import { commitBill } from "../../server/issuance/commitments";
import { claimableOpening } from "../../server/issuance/claimable";
import { deployRegistry } from "../deploy";
import { ROOT, tempDir } from "./procs";

export const BATCH_SIZES = [1, 10, 100, 1000] as const;
const NAIVE_ARTIFACT = path.join(ROOT, "artifacts", "contracts", "test", "NaiveDocumentStore.sol", "NaiveDocumentStore.json");

/** The bill code (票据代码) whose numbers the benchmark hospital is allotted. */
const BILL_CODE = 33010126;

export interface GasResult {
  perBill: Record<`batch${(typeof BATCH_SIZES)[number]}`, number>;
  naivePerBill: number;
  ratioNaiveToBatch1000: number;
  /** how many naive transactions the average is over */
  naiveSamples: number;
  /** gasUsed of the other v2 transactions (a bill of the 1,000-bill batch; proofs of 10 hashes) */
  operations: {
    allotRangeFirst: number;
    allotRangeNext: number;
    markReimbursed: number;
    releaseReimbursement: number;
    voidBill: number;
  };
  /** a relying party's claim of part of a bill of the 1,000-bill batch, its cash paid opened (docs/PROTOCOL.md §7) */
  claim: number;
  /** the release of that claim */
  releaseClaim: number;
}

/** The protocol vectors' medical bill (cash paid 37.00 of 157.00), committed with fresh salts. */
function claimableBill() {
  const bill = (JSON.parse(fs.readFileSync(path.join(ROOT, "docs", "vectors", "medical.json"), "utf8")) as { bill: Record<string, unknown> }).bill;
  const c = commitBill(bill);
  return { billHash: c.billHash, opening: claimableOpening(bill, c.salts, c.commitments) };
}

type Signer = Wallet | HDNodeWallet;

/** `tx`: a contract method's promise (the untyped Contract's methods answer Promise<any>) */
async function gasUsed(tx: Promise<unknown>): Promise<number> {
  const receipt = await ((await tx) as ethers.ContractTransactionResponse).wait();
  if (!receipt || receipt.status !== 1) throw new Error("a benchmark transaction failed");
  return Number(receipt.gasUsed);
}

function hashes(n: number, label: string): string[] {
  return Array.from({ length: n }, (_, i) => ethers.id(`bench-${label}-${i}`));
}

async function deployNaive(signer: Signer): Promise<Contract> {
  const { abi, bytecode } = JSON.parse(fs.readFileSync(NAIVE_ARTIFACT, "utf8")) as { abi: InterfaceAbi; bytecode: string };
  const c = await new ContractFactory(abi, bytecode, signer).deploy();
  await c.waitForDeployment();
  return c as Contract;
}

export async function measureGas(naiveSamples: number): Promise<GasResult> {
  const dir = tempDir("lianpiao-bench-gas-");
  const chain = await openEmbeddedChain({ dataDir: dir, pollingIntervalMs: 20 });
  try {
    const provider = chain.ethersProvider();
    const [bureau, hospital, insurer] = [devWallet(0).connect(provider), devWallet(1).connect(provider), devWallet(2).connect(provider)];
    const { address } = await deployRegistry(bureau, { registrars: [bureau.address], relyingParties: [insurer.address] });
    const registry = new Contract(address, registryInterface(), bureau);
    await gasUsed(registry.admitIssuer(hospital.address, 1, ethers.id("12100000400000624D")));
    const allotRangeFirst = await gasUsed(registry.allotRange(hospital.address, BILL_CODE, 1, 1_000_000));
    const allotRangeNext = await gasUsed(registry.allotRange(hospital.address, BILL_CODE, 1_000_001, 2_000_000));
    const asHospital = registry.connect(hospital) as Contract;
    const perBill = {} as GasResult["perBill"];
    let tree1000: BatchTree | undefined;
    const claimed = claimableBill();
    for (const size of BATCH_SIZES) {
      // bill 0 of the 1,000-bill batch is a real bill, so that its claimable field can be opened
      const tree = buildBatchTree(size === 1000 ? [claimed.billHash, ...hashes(size - 1, `batch${size}`)] : hashes(size, `batch${size}`));
      perBill[`batch${size}`] = (await gasUsed(asHospital.anchor(tree.root, size))) / size;
      if (size === 1000) tree1000 = tree;
    }
    if (tree1000 === undefined) throw new Error("no 1,000-bill batch");
    const [marked, voided] = [tree1000.entries[500], tree1000.entries[999]];
    const asInsurer = registry.connect(insurer) as Contract;
    const markReimbursed = await gasUsed(asInsurer.markReimbursed(hospital.address, tree1000.root, marked.leaf, marked.proof, ethers.id("claim")));
    const releaseReimbursement = await gasUsed(asInsurer.releaseReimbursement(hospital.address, marked.leaf));
    const voidBill = await gasUsed(asHospital.voidBill(tree1000.root, voided.leaf, voided.proof, 1));
    const claimRef = ethers.id("claim-part");
    const claim = await gasUsed(asInsurer.claim(hospital.address, tree1000.root, claimed.billHash, tree1000.entries[0].proof, claimed.opening, 2000, claimRef));
    const releaseClaim = await gasUsed(asInsurer.releaseClaim(hospital.address, tree1000.entries[0].leaf, claimRef));
    const naive = (await deployNaive(hospital)).connect(hospital) as Contract;
    let total = 0;
    for (const h of hashes(naiveSamples, "naive")) total += await gasUsed(naive.issue(h));
    const naivePerBill = total / naiveSamples;
    return {
      perBill,
      naivePerBill,
      ratioNaiveToBatch1000: naivePerBill / perBill.batch1000,
      naiveSamples,
      operations: { allotRangeFirst, allotRangeNext, markReimbursed, releaseReimbursement, voidBill },
      claim,
      releaseClaim,
    };
  } finally {
    await chain.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
