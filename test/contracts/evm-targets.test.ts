// The registry on another EVM node, at the forks permissioned chains run: Anvil (Foundry) at London, at
// Paris, at its latest fork, and as a free-gas chain (base fee 0, gas price 0, as Besu networks with
// `zeroBaseFee` and `--min-gas-price=0` are). Deployed with scripts/deploy.ts `deployRegistry` over
// plain ethers and HTTP; a bill's whole life is run on each. On the free-gas chain every account holds
// no ether at all and every transaction pays maxFeePerGas = maxPriorityFeePerGas = 0.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { Contract, Wallet, ethers, type JsonRpcProvider, type TransactionReceipt, type TransactionRequest, type TransactionResponse } from "ethers";
import { connectRpc, deployRegistry, loadRegistryArtifact, TEST_MNEMONIC } from "../../scripts/deploy";
import { ROOT, startAnvil, type AnvilOptions, type ChainNode } from "../helpers/processes";

const MEDICAL = 1;
const BILL_CODE = 33010126;
const CREDIT_CODE_HASH = ethers.id("12100000400000624D");

/** A wallet that pays nothing for gas: every transaction it sends is type 2 with both fees zero. */
class ZeroFeeWallet extends Wallet {
  override async populateTransaction(tx: TransactionRequest) {
    return super.populateTransaction({ ...tx, type: 2, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n });
  }
}

interface Target {
  name: string;
  anvil: AnvilOptions;
  /** what anvil_nodeInfo reports as its hardfork */
  hardfork: (reported: string) => boolean;
  /** whether code holding PUSH0 (Shanghai) deploys */
  push0: boolean;
  free?: boolean;
}

const TARGETS: Target[] = [
  { name: "London", anvil: { hardfork: "london" }, hardfork: (h) => h === "London", push0: false },
  { name: "Paris (the Merge)", anvil: { hardfork: "paris" }, hardfork: (h) => h === "Paris", push0: false },
  { name: "its latest fork", anvil: { hardfork: "latest" }, hardfork: (h) => !["London", "Paris", "Shanghai", "Cancun"].includes(h), push0: true },
  {
    name: "London with zero gas price, from accounts holding no ether",
    anvil: { hardfork: "london", gasPrice0: true },
    hardfork: (h) => h === "London",
    push0: false,
    free: true,
  },
];

/** Creation code PUSH0 PUSH0 RETURN: deploys empty code where PUSH0 exists, fails where it does not. */
const PUSH0_CREATION = "0x5f5ff3";

async function mined(tx: Promise<TransactionResponse>): Promise<TransactionReceipt> {
  const receipt = await (await tx).wait();
  if (receipt === null || receipt.status !== 1) throw new Error("transaction failed");
  return receipt;
}

for (const target of TARGETS) {
  describe(`BillRegistry on Anvil: ${target.name}`, function () {
    this.timeout(120_000);
    let node: ChainNode;
    let provider: JsonRpcProvider;
    let deployer: Wallet;
    let registrar: Wallet;
    let hospital: Wallet;
    let insurer: Wallet;
    let registry: Contract;
    const receipts: TransactionReceipt[] = [];
    const values = Array.from({ length: 5 }, (_, i) => ethers.id(`anvil-${target.name}-${i}`));
    const tree = StandardMerkleTree.of(
      values.map((v) => [v]),
      ["bytes32"],
    );
    const leaf = (i: number) => tree.leafHash([values[i]]);

    before(async () => {
      node = await startAnvil(target.anvil);
      provider = await connectRpc(node.url, { pollingIntervalMs: 50 });
      const make = (i: number): Wallet => {
        if (target.free) return new ZeroFeeWallet(Wallet.createRandom().privateKey, provider);
        const hd = ethers.HDNodeWallet.fromPhrase(TEST_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
        return new Wallet(hd.privateKey, provider);
      };
      [deployer, registrar, hospital, insurer] = [0, 1, 2, 3].map(make);
    });

    after(async () => {
      provider?.destroy();
      await node?.stop();
    });

    it(`runs at the fork asked for, on chain 31337, ${target.free ? "with base fee and gas price 0" : "with the test mnemonic's accounts funded"}`, async () => {
      const info = (await provider.send("anvil_nodeInfo", [])) as { hardFork: string };
      expect(target.hardfork(info.hardFork), `anvil reports ${info.hardFork}`).to.equal(true);
      expect((await provider.getNetwork()).chainId).to.equal(31337n);
      const balance = await provider.getBalance(deployer.address);
      if (target.free) {
        expect(balance).to.equal(0n);
        expect(BigInt(await provider.send("eth_gasPrice", []))).to.equal(0n);
        expect((await provider.getBlock("latest"))!.baseFeePerGas).to.equal(0n);
      } else {
        expect(deployer.address).to.equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        expect(balance).to.equal(10_000n * 10n ** 18n);
      }
    });

    it(`${target.push0 ? "accepts" : "refuses"} code holding PUSH0, as a chain at that fork must`, async () => {
      const tx = await deployer.sendTransaction({ data: PUSH0_CREATION, gasLimit: 100_000n });
      const receipt = await provider.waitForTransaction(tx.hash);
      expect(receipt?.status).to.equal(target.push0 ? 1 : 0);
    });

    it("deploys the registry with deployRegistry, granting the registrar and relying-party roles", async () => {
      const deployed = await deployRegistry(deployer, { registrars: [registrar.address], relyingParties: [insurer.address] });
      registry = new Contract(deployed.address, loadRegistryArtifact().abi, provider);
      const artifact = JSON.parse(readFileSync(join(ROOT, "artifacts", "contracts", "BillRegistry.sol", "BillRegistry.json"), "utf8")) as {
        deployedBytecode: string;
      };
      expect(await provider.getCode(deployed.address)).to.equal(artifact.deployedBytecode);
      expect(await registry.hasRole(ethers.id("REGISTRAR_ROLE"), registrar.address)).to.equal(true);
      expect(await registry.hasRole(ethers.id("RELYING_PARTY_ROLE"), insurer.address)).to.equal(true);
      const [fields, name, version, chainId, verifyingContract] = await registry.eip712Domain();
      expect([fields, name, version, chainId, verifyingContract]).to.deep.equal(["0x0f", "lianpiao", "2", 31337n, deployed.address]);
      receipts.push((await provider.getTransactionReceipt(deployed.deployTxHash))!);
    });

    it("admits a hospital and allots it a range of numbers", async () => {
      const r = registry.connect(registrar) as Contract;
      receipts.push(await mined(r.admitIssuer(hospital.address, MEDICAL, CREDIT_CODE_HASH)));
      receipts.push(await mined(r.allotRange(hospital.address, BILL_CODE, 1, 1000)));
      expect((await registry.allotmentOf(BILL_CODE, 500)).issuer).to.equal(hospital.address);
    });

    it("anchors a batch root, voids one bill and marks another reimbursed", async () => {
      const h = registry.connect(hospital) as Contract;
      receipts.push(await mined(h.anchor(tree.root, values.length)));
      receipts.push(await mined(h.voidBill(tree.root, leaf(1), tree.getProof(1), 1)));
      const i = registry.connect(insurer) as Contract;
      receipts.push(await mined(i.markReimbursed(hospital.address, tree.root, leaf(4), tree.getProof(4), ethers.id("claim"))));
    });

    it("reads the evidence of both bills in one call each", async () => {
      const read = async (index: number) => {
        const ev = await registry.evidence(hospital.address, tree.root, leaf(index), tree.getProof(index), BILL_CODE, index + 1);
        return {
          count: Number(ev.batch.billCount),
          voided: ev.status.voided as boolean,
          reimbursedBy: ev.status.reimbursedBy as string,
          facts: [ev.included, ev.activeAtAnchor, ev.allottedAtAnchor] as boolean[],
        };
      };
      expect(await read(1)).to.deep.equal({ count: 5, voided: true, reimbursedBy: ethers.ZeroAddress, facts: [true, true, true] });
      expect(await read(4)).to.deep.equal({ count: 5, voided: false, reimbursedBy: insurer.address, facts: [true, true, true] });
    });

    if (target.free) {
      it("did all of it with type-2 transactions paying zero fees, every account still holding no ether", async () => {
        expect(receipts).to.have.length(6);
        for (const receipt of receipts) {
          const tx = (await provider.getTransaction(receipt.hash))!;
          expect([tx.type, tx.maxFeePerGas, tx.maxPriorityFeePerGas, receipt.gasPrice]).to.deep.equal([2, 0n, 0n, 0n]);
          expect(receipt.gasUsed > 21_000n, `gas used ${receipt.gasUsed}`).to.equal(true);
        }
        for (const w of [deployer, registrar, hospital, insurer]) expect(await provider.getBalance(w.address)).to.equal(0n);
      });

      it("refuses, from an account without ether, a transaction paying ethers' default 1 gwei tip: a free-gas sender must pay 0", async () => {
        // ethers reads a zero base fee as "no EIP-1559 data" and leaves both fee fields empty ...
        const feeData = await provider.getFeeData();
        expect([feeData.gasPrice, feeData.maxFeePerGas, feeData.maxPriorityFeePerGas]).to.deep.equal([0n, null, null]);
        // ... while the node still suggests a 1 gwei tip
        expect(BigInt(await provider.send("eth_maxPriorityFeePerGas", []))).to.equal(1_000_000_000n);
        const poor = Wallet.createRandom().connect(provider);
        const h = registry.connect(poor) as Contract;
        const data = h.interface.encodeFunctionData("anchor", [ethers.id("root"), 1]);
        const refused = await poor
          .sendTransaction({
            to: await registry.getAddress(),
            data,
            type: 2,
            gasLimit: 100_000n,
            maxFeePerGas: 1_000_000_002n,
            maxPriorityFeePerGas: 1_000_000_000n,
          })
          .then(
            () => null,
            (err: unknown) => err as Error,
          );
        expect(refused?.message).to.match(/insufficient funds/i);
      });
    }
  });
}

describe("startAnvil with a block time", function () {
  this.timeout(60_000);

  it("mines blocks on the interval without transactions", async () => {
    const node = await startAnvil({ blockTime: 1 });
    try {
      const provider = await connectRpc(node.url);
      const start = Date.now();
      let block = await provider.getBlockNumber();
      while (block < 2 && Date.now() - start < 10_000) {
        await new Promise((r) => setTimeout(r, 200));
        block = await provider.getBlockNumber();
      }
      provider.destroy();
      expect(block).to.be.at.least(2);
      expect(Date.now() - start).to.be.at.least(1000);
    } finally {
      await node.stop();
    }
  });
});
