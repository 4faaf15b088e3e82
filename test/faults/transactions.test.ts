// Dropped, underpriced and reorganised anchor transactions on a real `hardhat node` whose blocks the
// test mines by hand: each is detected and the batch ends anchored exactly once.
import { expect } from "chai";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { expectAnchoredExactlyOnce, type Issued } from "../helpers/chain-check";
import { startHardhatNode, startService, waitFor, type ChainNode, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { logLines, rpc, sleep, stopMining, waitLog } from "./fixtures";

describe("dropped, underpriced and reorganised anchor transactions", function () {
  this.timeout(180_000);
  let node: ChainNode;
  let svc: ServiceProcess;
  let creds: DemoCreds;

  async function setUp(env: Record<string, string>): Promise<void> {
    node = await startHardhatNode({ intervalMs: 1000 });
    svc = await startService({ RPC_URL: node.url, BOOTSTRAP: "dev", BATCH_MAX_AGE_MS: "300", ...env });
    creds = svc.credentials();
    await stopMining(node.url);
  }
  afterEach(async () => {
    await svc?.stop();
    await node?.stop();
  });

  async function issueHospitalBills(n: number): Promise<Issued[]> {
    const out: Issued[] = [];
    for (let i = 0; i < n; i++) {
      const r = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
      expect(r.status).to.equal(201);
      out.push({ id: r.body.id, key: creds.hospital.apiKey, account: creds.hospital.account });
    }
    return out;
  }

  async function anchoredOnce(bills: Issued[]): Promise<any[]> {
    const got = [];
    for (const b of bills) got.push(await waitAnchored(svc.url, b.key, b.id, 60_000));
    await expectAnchoredExactlyOnce(svc.url, node.url, creds.registryAddress, bills);
    return got;
  }

  it("re-broadcasts a transaction the node dropped from its pool, and anchors the batch once", async () => {
    await setUp({ TX_BUMP_AFTER_MS: "600000" });
    const bills = await issueHospitalBills(3);
    const sent = await waitLog(svc, "batch sent");
    expect(await rpc(node.url, "eth_getTransactionByHash", [sent.tx])).to.not.equal(null);

    expect(await rpc(node.url, "hardhat_dropTransaction", [sent.tx])).to.equal(true);
    expect(await rpc(node.url, "eth_getTransactionByHash", [sent.tx])).to.equal(null);
    await waitLog(svc, "transaction missing from the node; re-sending", (l) => l.tx === sent.tx);
    await waitFor("the transaction back in the pool", () => rpc(node.url, "eth_getTransactionByHash", [sent.tx]));

    await rpc(node.url, "evm_setIntervalMining", [500]);
    const got = await anchoredOnce(bills);
    // The dropped batch is anchored by the very transaction signed first: a re-broadcast, not a second anchor.
    const inDropped = got.filter((g) => g.anchor.root === sent.root);
    expect(inDropped.length).to.be.at.least(1);
    for (const g of inDropped) expect(g.anchor.txHash).to.equal(sent.tx);
  });

  it("bumps the fee of a transaction priced below the base fee until it is mined, and anchors the batch once", async () => {
    await setUp({ TX_BUMP_AFTER_MS: "2000" });
    const bills = await issueHospitalBills(3);
    const sent = await waitLog(svc, "batch sent");
    const first = await rpc(node.url, "eth_getTransactionByHash", [sent.tx]);
    const tooHigh = BigInt(first.maxFeePerGas) * 3n;

    // Blocks keep coming, each with a base fee above what the transaction offers: it cannot be mined.
    const deadline = Date.now() + 30_000;
    while (!logLines(svc).some((l) => l.msg === "transaction not mined in time; fee bumped") && Date.now() < deadline) {
      await rpc(node.url, "hardhat_setNextBlockBaseFeePerGas", ["0x" + tooHigh.toString(16)]);
      await rpc(node.url, "evm_mine");
      expect(await rpc(node.url, "eth_getTransactionReceipt", [sent.tx])).to.equal(null);
      await sleep(250);
    }
    const bumped = logLines(svc).find((l) => l.msg === "transaction not mined in time; fee bumped");
    expect(bumped, "no fee bump logged").to.not.equal(undefined);
    expect(BigInt(bumped!.maxFeePerGas) >= (BigInt(first.maxFeePerGas) * 1125n) / 1000n).to.equal(true);

    await rpc(node.url, "evm_setIntervalMining", [500]);
    const got = (await anchoredOnce(bills)).filter((g) => g.anchor.root === sent.root);
    expect(got.length).to.be.at.least(1);
    expect(got[0].anchor.txHash).to.not.equal(sent.tx);
    expect(await rpc(node.url, "eth_getTransactionReceipt", [sent.tx])).to.equal(null);
    const metrics = (await call(svc.url, "GET", "/metrics")).body as string;
    expect(metrics).to.match(/^lianpiao_tx_fee_bumps_total [1-9]/m);
  });

  it("re-anchors a batch whose block a reorganisation removed before it was confirmed", async () => {
    await setUp({ CONFIRMATIONS: "3", TX_BUMP_AFTER_MS: "600000" });
    const snapshot = await rpc<string>(node.url, "evm_snapshot");
    const bills = await issueHospitalBills(3);
    const sent = await waitLog(svc, "batch sent");
    await rpc(node.url, "evm_mine");
    const receipt = await waitFor("the anchor receipt", () => rpc<any>(node.url, "eth_getTransactionReceipt", [sent.tx]));
    await sleep(1_500); // the worker sees the receipt: the batch is mined, 1 of 3 confirmations

    expect(await rpc(node.url, "evm_revert", [snapshot])).to.equal(true);
    expect(await rpc(node.url, "eth_getTransactionReceipt", [sent.tx])).to.equal(null);
    await waitLog(svc, "anchoring block reorganised away; back to sent");
    await rpc(node.url, "evm_setIntervalMining", [500]);

    const got = (await anchoredOnce(bills)).filter((g) => g.anchor.root === sent.root);
    expect(got.length).to.be.at.least(1);
    const block = await rpc(node.url, "eth_getBlockByNumber", ["0x" + got[0].anchor.blockNumber.toString(16), false]);
    expect(block.hash).to.not.equal(receipt.blockHash);
    expect(got[0].anchor.confirmations).to.be.at.least(3);
  });
});
