// Attacks on a bill's marks (void, reimbursement, release) from accounts other than the issuer, with
// the order of transactions chosen by the attacker: Anvil mines a block a second, and mining is paused
// (evm_setIntervalMining 0) whenever the attack needs its transaction mined before the service's.
// The service runs as its own process; the other accounts act with their real keys.
import { rmSync } from "node:fs";
import { expect } from "chai";
import { concat, id as keccakUtf8, keccak256, ZeroAddress } from "ethers";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { startAnvil, startService, waitFor, type ChainNode, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { registryInterface } from "../../server/chain";
import { verifyProof } from "../../server/issuance/canonical";
import { makeCreditCode } from "../../server/issuance/check-digits";
import { RED_BILL_WITHDRAWN } from "../../server/lifecycle/undo";
import { savePdf } from "../pdf/helpers";
import {
  attachmentOf,
  chainAccess,
  cliVerify,
  metricsText,
  metricValue,
  mine,
  nonceOf,
  outcome,
  pauseMining,
  pendingPool,
  refusalOf,
  resumeMining,
  send,
  verifyJson,
  waitIdle,
  waitInPool,
  type Actor,
  type ChainAccess,
} from "./attack-fixtures";

const iface = registryInterface();
const SELECTOR = {
  anchor: iface.getFunction("anchor")!.selector,
  voidBill: iface.getFunction("voidBill")!.selector,
  markReimbursed: iface.getFunction("markReimbursed")!.selector,
};

describe("protocol attacks on marks: relying parties against the hospital's voids (Anvil, mining paused at will)", function () {
  this.timeout(240_000);
  let node: ChainNode;
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let chain: ChainAccess;
  let bureau: Actor;
  let hospital: Actor;
  let insurer: Actor;
  let rogue: Actor;

  before(async () => {
    node = await startAnvil({ blockTime: 1 });
    svc = await startService({ RPC_URL: node.url, BOOTSTRAP: "dev", VERIFY_RATE_PER_MIN: "100000", LOG_LEVEL: "info" });
    creds = svc.credentials();
    chain = chainAccess(node.url, creds.registryAddress);
    bureau = chain.as(0);
    hospital = chain.as(1);
    insurer = chain.as(3);
    // a second relying party, granted on chain by the bureau (dev account 4)
    rogue = chain.as(4);
    await send(bureau, "grantRole", [await chain.registry.RELYING_PARTY_ROLE(), rogue.address]);
  });
  after(async () => {
    await resumeMining(node.url).catch(() => undefined);
    chain?.close();
    await svc?.stop();
    await node?.stop();
    if (svc) rmSync(svc.dataDir, { recursive: true, force: true });
  });

  const key = () => creds.hospital.apiKey;
  const pdfOf = async (id: string) =>
    Buffer.from(await (await fetch(`${svc.url}/api/v1/invoices/${id}/pdf`, { headers: { authorization: `Bearer ${key()}` } })).arrayBuffer());
  const detail = async (id: string) => (await call(svc.url, "GET", `/api/v1/invoices/${id}`, { key: key() })).body;
  const cli = (file: string) => cliVerify(file, node.url, creds.registryAddress);
  const marks = (leaf: string, issuer = hospital.address) => chain.registry.statusOf(issuer, leaf);
  const refusedVoids = async () =>
    metricValue(await metricsText(svc), "lianpiao_registry_refusals_total", { action: "void", error: "BillRegistryAlreadyReimbursed" });
  const issue = async () => {
    const r = await call(svc.url, "POST", "/api/v1/invoices", { key: key(), body: MEDICAL_EXAMPLE });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body as { id: string; billCode: string; billNumber: string; checkCode: string; total: string; verifyUrl: string };
  };
  const auditOf = async (subject: string, action: string) =>
    (await call(svc.url, "GET", `/api/v1/audit?subject=${subject}&action=${action}`, { key: creds.bureau.apiKey })).body.items as any[];

  /** The service undid the void of `billId` (§8): the bill is valid again, its red bill withdrawn and voided on chain too. */
  async function expectVoidUndone(billId: string, redId: string, leaf: string): Promise<void> {
    await waitFor("the void undone in the store", async () => (await detail(billId)).status === "anchored", 30_000);
    const red = await waitFor(
      "the red bill withdrawn and anchored",
      async () => {
        const d = await detail(redId);
        return d.status === "voided" && d.anchor ? d : undefined;
      },
      30_000,
    );
    expect(red.void.reason).to.equal(RED_BILL_WITHDRAWN);
    await waitFor("the red bill voided on chain", async () => (await marks(red.leaf)).voided, 30_000);
    expect((await marks(leaf)).voided, "the original is not voided on chain").to.equal(false);
    const [refused] = await auditOf(billId, "bill.void.refused");
    expect(refused.detail).to.include({ action: "void", error: "BillRegistryAlreadyReimbursed", redBillWithdrawn: redId });
    // the chain's mark now refuses a new void at once
    const again = await call(svc.url, "POST", `/api/v1/invoices/${billId}/void`, { key: key(), body: { reason: "再次冲红" } });
    expect([again.status, again.body.code]).to.deep.equal([409, "BILL_REIMBURSED"]);
  }

  async function expectVerdicts(bill: { id: string; verifyUrl: string }, redId: string): Promise<void> {
    const scanned = await verifyJson(bill.verifyUrl);
    expect(outcome(scanned)).to.deep.equal(["VALID", {}]);
    expect(scanned.reimbursement.by).to.match(/医疗保障局/);
    const c = await cli(savePdf(`marks-${bill.id}`, await pdfOf(bill.id)));
    expect(outcome(c.v)).to.deep.equal(["VALID", {}]);
    expect(c.v.reimbursement.by).to.equal(insurer.address);
    const red = await detail(redId);
    expect(outcome(await verifyJson(red.verifyUrl))).to.deep.equal(["VOIDED", { status: "VOIDED" }]);
    const redCli = await cli(savePdf(`marks-red-${redId}`, await pdfOf(redId)));
    expect(outcome(redCli.v)).to.deep.equal(["VOIDED", { status: "VOIDED" }]);
  }

  it("a reimbursement mark the insurer sends on chain between the API's chain read and the service's void transaction, with a higher tip in the same block, makes the void revert once: the service undoes the void, withdraws the red bill (anchored, then voided on chain) and says VALID, reimbursed, as the CLI does", async () => {
    const bill = await issue();
    await waitAnchored(svc.url, key(), bill.id, 30_000);
    const env = attachmentOf(await pdfOf(bill.id));
    await waitIdle(svc);
    const nonce0 = await nonceOf(node.url, hospital.address);
    const refused0 = await refusedVoids();
    await pauseMining(node.url);
    let redId: string;
    try {
      const v = await call(svc.url, "POST", `/api/v1/invoices/${bill.id}/void`, { key: key(), body: { reason: "退费" } });
      expect(v.status, JSON.stringify(v.body)).to.equal(200);
      redId = v.body.redBill.id;
      // the void checked by eth_call and sent; the red bill's anchor may go first: mine it
      const voidTx = await waitFor(
        "the hospital's void in the pool",
        async () => {
          const pool = (await pendingPool(node.url)).filter((t) => t.from.toLowerCase() === hospital.address.toLowerCase());
          const found = pool.find((t) => t.input.startsWith(SELECTOR.voidBill));
          if (!found && pool.some((t) => t.input.startsWith(SELECTOR.anchor))) await mine(node.url);
          return found;
        },
        30_000,
        50,
      );
      const tip = BigInt(voidTx.maxPriorityFeePerGas ?? "1000000000");
      const mark = await insurer.wallet.sendTransaction({
        to: creds.registryAddress,
        data: iface.encodeFunctionData("markReimbursed", [hospital.address, env.anchor!.root, env.leaf, env.anchor!.proof, keccakUtf8("CLAIM-RACE-1")]),
        gasLimit: 300_000,
        maxPriorityFeePerGas: tip * 10n,
        maxFeePerGas: BigInt(voidTx.maxFeePerGas ?? "3000000000") + tip * 10n,
      });
      await waitInPool(node.url, insurer.address, SELECTOR.markReimbursed);
      await mine(node.url);
      const [m, vd] = await Promise.all([chain.provider.getTransactionReceipt(mark.hash), chain.provider.getTransactionReceipt(voidTx.hash)]);
      expect(m!.blockNumber).to.equal(vd!.blockNumber);
      expect(m!.index).to.be.lessThan(vd!.index);
      expect([m!.status, vd!.status], "the mark lands, the void reverts").to.deep.equal([1, 0]);
    } finally {
      await resumeMining(node.url);
    }
    expect((await marks(env.leaf)).reimbursedBy).to.equal(insurer.address);
    await expectVoidUndone(bill.id, redId!, env.leaf);
    await waitIdle(svc);
    // the reverted void, the red bill's anchor and its void: no re-send of the refused void
    expect((await nonceOf(node.url, hospital.address)) - nonce0).to.equal(3);
    expect((await refusedVoids()) - refused0).to.equal(1);
    await expectVerdicts(bill, redId!);
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await nonceOf(node.url, hospital.address)) - nonce0, "still 3 a moment later").to.equal(3);
  });

  it("a reimbursement mark the insurer sends on chain after the service accepted the void of a still-pending bill, mined with its anchor's confirmation, is caught by the void's eth_call: no void is sent, the void is undone and the red bill withdrawn", async () => {
    await waitIdle(svc);
    const nonce0 = await nonceOf(node.url, hospital.address);
    const refused0 = await refusedVoids();
    await pauseMining(node.url);
    let bill: Awaited<ReturnType<typeof issue>>;
    let redId: string;
    let leaf: string;
    try {
      bill = await issue();
      const v = await call(svc.url, "POST", `/api/v1/invoices/${bill.id}/void`, { key: key(), body: { reason: "重复开票" } });
      expect(v.status, JSON.stringify(v.body)).to.equal(200);
      redId = v.body.redBill.id;
      leaf = attachmentOf(await pdfOf(bill.id)).leaf;
      const redLeaf = attachmentOf(await pdfOf(redId)).leaf;
      // the batch anchoring the bill (with its red bill, or alone)
      const anchorTx = await waitInPool(node.url, hospital.address, SELECTOR.anchor);
      const root = iface.decodeFunctionData("anchor", anchorTx.input)[0] as string;
      const proof = [[], [redLeaf]].find((p) => verifyProof(root, leaf, p));
      expect(proof, "the bill is in the first batch").to.not.equal(undefined);
      await mine(node.url);
      // the mark goes into the next block, the one that gives the anchor its second confirmation:
      // the worker cannot build the void before it sees that block
      await insurer.wallet.sendTransaction({
        to: creds.registryAddress,
        data: iface.encodeFunctionData("markReimbursed", [hospital.address, root, leaf, proof, keccakUtf8("CLAIM-RACE-2")]),
        gasLimit: 300_000,
      });
      await waitInPool(node.url, insurer.address, SELECTOR.markReimbursed);
      await mine(node.url);
    } finally {
      await resumeMining(node.url);
    }
    await waitFor("the mark on chain", async () => (await marks(leaf!)).reimbursedBy === insurer.address, 30_000);
    await expectVoidUndone(bill!.id, redId!, leaf!);
    await waitIdle(svc);
    // one anchor and the red bill's void; the refused void was never sent
    expect((await nonceOf(node.url, hospital.address)) - nonce0).to.equal(2);
    expect((await refusedVoids()) - refused0).to.equal(1);
    await expectVerdicts(bill!, redId!);
  });

  it("a second relying party cannot release the insurer's mark, on chain (NotReimbursingParty) nor through the API (403); the bill stays reimbursed by the insurer for the service and the CLI, and the hospital's void stays refused", async () => {
    const bill = await issue();
    await waitAnchored(svc.url, key(), bill.id, 30_000);
    const env = attachmentOf(await pdfOf(bill.id));
    const body = { billCode: bill.billCode, billNumber: bill.billNumber, checkCode: bill.checkCode, total: bill.total, reference: "CLAIM-RELEASE" };
    expect((await call(svc.url, "POST", "/api/v1/reimbursements", { key: creds.insurer.apiKey, body })).status).to.equal(201);
    await waitFor("the mark on chain", async () => (await marks(env.leaf)).reimbursedBy === insurer.address, 30_000);
    // on chain, with its own key
    expect(await refusalOf(rogue, "releaseReimbursement", [hospital.address, env.leaf])).to.equal("BillRegistryNotReimbursingParty");
    // nor can the hospital or the charity
    expect(await refusalOf(hospital, "releaseReimbursement", [hospital.address, env.leaf])).to.equal("BillRegistryNotReimbursingParty");
    // nor mark it again for itself
    expect(await refusalOf(rogue, "markReimbursed", [hospital.address, env.anchor!.root, env.leaf, env.anchor!.proof, keccakUtf8("MINE")])).to.equal(
      "BillRegistryAlreadyReimbursed",
    );
    // through the API: a relying party the bureau admits
    const admitted = await call(svc.url, "POST", "/api/v1/relying-parties", {
      key: creds.bureau.apiKey,
      body: { name: "示范商业保险公司 Demo Commercial Insurer", creditCode: makeCreditCode("91110000MA0000017") },
    });
    expect(admitted.status, JSON.stringify(admitted.body)).to.equal(201);
    const otherKey: string = admitted.body.apiKey;
    const release = await call(svc.url, "DELETE", `/api/v1/reimbursements/${bill.billCode}/${bill.billNumber}`, { key: otherKey });
    expect([release.status, release.body.code]).to.deep.equal([403, "NOT_REIMBURSING_PARTY"]);
    const mark = await call(svc.url, "POST", "/api/v1/reimbursements", { key: otherKey, body: { ...body, reference: "CLAIM-OTHER" } });
    expect([mark.status, mark.body.code]).to.deep.equal([409, "ALREADY_REIMBURSED"]);
    expect((await marks(env.leaf)).reimbursedBy).to.equal(insurer.address);
    const scanned = await verifyJson(bill.verifyUrl);
    expect(outcome(scanned)).to.deep.equal(["VALID", {}]);
    expect(scanned.reimbursement.by).to.match(/医疗保障局/);
    const c = await cli(savePdf(`marks-release-${bill.id}`, await pdfOf(bill.id)));
    expect(c.v.reimbursement.by).to.equal(insurer.address);
    const v = await call(svc.url, "POST", `/api/v1/invoices/${bill.id}/void`, { key: key(), body: { reason: "退费" } });
    expect([v.status, v.body.code]).to.deep.equal([409, "BILL_REIMBURSED"]);
  });

  it("a relying party marking an inner node of the hospital's batch tree (the registry takes the leaf as given) marks no bill: every bill of the batch stays VALID and unmarked, one is still reimbursed through the API, and reconciliation reports the unknown leaf", async () => {
    await waitIdle(svc);
    const bills = await Promise.all([issue(), issue(), issue(), issue()]);
    for (const b of bills) await waitAnchored(svc.url, key(), b.id, 30_000);
    const envs = await Promise.all(bills.map(async (b) => attachmentOf(await pdfOf(b.id))));
    expect(new Set(envs.map((e) => e.anchor!.root)).size, "one batch of four").to.equal(1);
    const { root, proof } = envs[0].anchor!;
    expect(proof).to.have.length(2);
    // the parent of bill 0's leaf, proven by the rest of bill 0's proof
    const [a, b] = [envs[0].leaf, proof[0]].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
    const inner = keccak256(concat([a, b]));
    expect(verifyProof(root, inner, proof.slice(1))).to.equal(true);
    await send(rogue, "markReimbursed", [hospital.address, root, inner, proof.slice(1), keccakUtf8("INNER")]);
    expect((await marks(inner)).reimbursedBy).to.equal(rogue.address);
    for (const [i, e] of envs.entries()) {
      expect((await marks(e.leaf)).reimbursedBy, `bill ${i}`).to.equal(ZeroAddress);
      const v = await verifyJson(bills[i].verifyUrl);
      expect(outcome(v)).to.deep.equal(["VALID", {}]);
      expect(v.reimbursement).to.equal(null);
    }
    const c = await cli(savePdf(`marks-inner-${bills[0].id}`, await pdfOf(bills[0].id)));
    expect(outcome(c.v)).to.deep.equal(["VALID", {}]);
    expect(c.v.reimbursement).to.equal(null);
    const body = {
      billCode: bills[0].billCode,
      billNumber: bills[0].billNumber,
      checkCode: bills[0].checkCode,
      total: bills[0].total,
      reference: "CLAIM-INNER",
    };
    expect((await call(svc.url, "POST", "/api/v1/reimbursements", { key: creds.insurer.apiKey, body })).status).to.equal(201);
    await waitFor("bill 0 reimbursed on chain by the insurer", async () => (await marks(envs[0].leaf)).reimbursedBy === insurer.address, 30_000);
    const rec = await call(svc.url, "GET", "/api/v1/registry/reconciliation?rescan=true", { key: creds.bureau.apiKey });
    expect(rec.body.discrepancies.filter((d: any) => d.type === "UNKNOWN_LEAF_ON_CHAIN").map((d: any) => d.leaf)).to.include(inner);
  });
});
