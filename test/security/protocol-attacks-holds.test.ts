// Attack 3 of issue "Protocol v2": the registrar suspends the hospital on chain only (the service's store
// still says active). The service must not send the hospital's anchors into a refusal loop: it checks
// every transaction with an eth_call, holds the account and says why, and anchors the waiting bills
// exactly once after the reinstatement. Bills anchored while the hospital was admitted stay VALID.
// A real Anvil node (a block a second) and the service as its own process.
import { rmSync } from "node:fs";
import { expect } from "chai";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { startAnvil, startService, waitFor, type ChainNode, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { logLines } from "../faults/fixtures";
import { savePdf } from "../pdf/helpers";
import { registryInterface } from "../../server/chain";
import {
  attachmentOf,
  chainAccess,
  check,
  cliVerify,
  metricsText,
  metricValue,
  mine,
  nonceOf,
  outcome,
  pauseMining,
  readyz,
  resumeMining,
  send,
  verifyJson,
  waitIdle,
  waitInPool,
  type Actor,
  type ChainAccess,
} from "./attack-fixtures";

describe("protocol attacks: the hospital suspended on chain only (Anvil, a block a second)", function () {
  this.timeout(240_000);
  let node: ChainNode;
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let chain: ChainAccess;
  let bureau: Actor;
  let hospital: string;

  before(async () => {
    node = await startAnvil({ blockTime: 1 });
    svc = await startService({ RPC_URL: node.url, BOOTSTRAP: "dev", VERIFY_RATE_PER_MIN: "100000", LOG_LEVEL: "info" });
    creds = svc.credentials();
    chain = chainAccess(node.url, creds.registryAddress);
    bureau = chain.as(0);
    hospital = creds.hospital.account;
  });
  after(async () => {
    chain?.close();
    await svc?.stop();
    await node?.stop();
    if (svc) rmSync(svc.dataDir, { recursive: true, force: true });
  });

  const key = () => creds.hospital.apiKey;
  const pdfOf = async (id: string) =>
    Buffer.from(await (await fetch(`${svc.url}/api/v1/invoices/${id}/pdf`, { headers: { authorization: `Bearer ${key()}` } })).arrayBuffer());
  const issue = async () => {
    const r = await call(svc.url, "POST", "/api/v1/invoices", { key: key(), body: MEDICAL_EXAMPLE });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body as { id: string; verifyUrl: string; billNumber: string };
  };
  const cli = (file: string) => cliVerify(file, node.url, creds.registryAddress);

  it("attack 3: holds the anchors of a hospital suspended on chain only — no transaction in 15 s, /readyz, /metrics and the log say why — and after the reinstatement (on chain, then the bureau API) anchors the waiting bills exactly once, VALID; a bill anchored while admitted stays VALID throughout", async () => {
    // anchored while the hospital was admitted
    const before = await issue();
    await waitAnchored(svc.url, key(), before.id, 30_000);
    const beforeFile = savePdf(`attack3-before-${before.id}`, await pdfOf(before.id));
    await waitIdle(svc);
    const refusedBefore = metricValue(await metricsText(svc), "lianpiao_registry_refusals_total", { action: "anchor", error: "BillRegistryIssuerSuspended" });

    const suspension = await send(bureau, "suspendIssuer", [hospital]);
    const nonce0 = await nonceOf(node.url, hospital);
    const stored = await call(svc.url, "GET", `/api/v1/issuers/${creds.hospital.institutionId}`, { key: creds.bureau.apiKey });
    expect(stored.body.status, "the store was not told").to.equal("active");
    const waiting = [await issue(), await issue(), await issue()];

    await new Promise((r) => setTimeout(r, 15_000));
    expect((await nonceOf(node.url, hospital)) - nonce0, "hospital transactions while suspended").to.equal(0);
    const pool = await chain.provider.send("txpool_content", []);
    expect(Object.keys(pool.pending ?? {}).map((a: string) => a.toLowerCase())).to.not.include(hospital.toLowerCase());
    // why, in three places
    const ready = await readyz(svc);
    expect(ready.checks.anchoring.held).to.have.length(1);
    expect(ready.checks.anchoring.held[0]).to.include({ account: hospital, error: "BillRegistryIssuerSuspended" });
    expect(ready.checks.anchoring.held[0].why).to.include("suspended");
    expect(ready.checks.anchoring.pending.count).to.be.at.least(3);
    const m = await metricsText(svc);
    expect(metricValue(m, "lianpiao_anchor_accounts_held")).to.equal(1);
    // re-checked with eth_call at 1, 2, 4, 8 s: a few refusals, not a loop
    const refusals = metricValue(m, "lianpiao_registry_refusals_total", { action: "anchor", error: "BillRegistryIssuerSuspended" }) - refusedBefore;
    expect(refusals).to.be.within(1, 6);
    const warned = logLines(svc).filter((l) => l.error === "BillRegistryIssuerSuspended" && l.account === hospital);
    expect(warned, "one warning, not one per re-check").to.have.length(1);
    expect(warned[0].msg).to.include(`anchoring for ${hospital} waits`).and.include("suspended");

    // verdicts meanwhile: the bill anchored while admitted is VALID; a waiting bill is not VALID
    expect(outcome(await verifyJson(before.verifyUrl))).to.deep.equal(["VALID", {}]);
    const beforeCli = await cli(beforeFile);
    expect(outcome(beforeCli.v)).to.deep.equal(["VALID", {}]);
    const waitingFile = savePdf(`attack3-waiting-${waiting[0].id}`, await pdfOf(waiting[0].id));
    expect(attachmentOf(await pdfOf(waiting[0].id)).anchor).to.equal(null);
    const waitingCli = await cli(waitingFile);
    expect(outcome(waitingCli.v)).to.deep.equal(["INVALID", { inclusion: "NOT_ANCHORED", issuer: "ISSUER_SUSPENDED" }]);
    const waitingScan = await verifyJson(waiting[0].verifyUrl);
    expect(outcome(waitingScan), "the service agrees with the chain about a suspended signer").to.deep.equal([
      "INVALID",
      { inclusion: "NOT_ANCHORED", issuer: "ISSUER_SUSPENDED" },
    ]);

    // Reinstated on chain directly, then through the bureau API, which has the worker re-check at once.
    // The held account is re-checked 1, 3, 7, 15, 31, 63 s after the hold began: the reinstatement is
    // made at least 3 s before the next of these, so that only the API's re-check can be that fast.
    const since = Date.parse((await readyz(svc)).checks.anchoring.held[0].since);
    const nextCheck = () => since + 1_000 * ([1, 3, 7, 15, 31, 63, 127].find((k) => since + k * 1_000 > Date.now()) ?? 255);
    if (nextCheck() - Date.now() < 3_000) await new Promise((r) => setTimeout(r, nextCheck() - Date.now() + 1_500));
    const scheduled = nextCheck();
    await send(bureau, "reinstateIssuer", [hospital]);
    const asked = Date.now();
    const r = await call(svc.url, "POST", `/api/v1/issuers/${creds.hospital.institutionId}/reinstate`, { key: creds.bureau.apiKey, body: {} });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.txHash ?? null, "nothing left to send: the chain already reinstated it").to.equal(null);
    const resumed = await waitFor(
      "anchoring resumes",
      async () => logLines(svc).find((l) => l.msg.startsWith("anchoring resumes") && l.account === hospital),
      10_000,
      50,
    );
    expect(resumed.time - asked, "re-checked at once").to.be.below(2_000);
    expect(resumed.time, "before the next scheduled re-check").to.be.below(scheduled);
    const anchored = [];
    for (const b of waiting) anchored.push(await waitAnchored(svc.url, key(), b.id, 30_000));
    await waitIdle(svc);
    expect((await readyz(svc)).checks.anchoring.held).to.deep.equal([]);
    expect(metricValue(await metricsText(svc), "lianpiao_anchor_accounts_held")).to.equal(0);

    // exactly once: every waiting bill under one root of the hospital's, each root anchored once, no other send
    const roots = new Set<string>();
    for (const a of anchored) {
      const env = (await call(svc.url, "GET", `/api/v1/invoices/${a.id}/envelope`, { key: key() })).body;
      expect(await chain.registry.isIncluded(hospital, env.anchor.root, env.leaf, env.anchor.proof)).to.equal(true);
      roots.add(env.anchor.root);
    }
    const events = await chain.registry.queryFilter(chain.registry.filters.BatchAnchored(hospital), suspension.blockNumber, "latest");
    expect(events.map((e) => (e as unknown as { args: { root: string } }).args.root).sort()).to.deep.equal([...roots].sort());
    expect((await nonceOf(node.url, hospital)) - nonce0, "one transaction per root, none reverted").to.equal(roots.size);
    for (const b of waiting) expect(outcome(await verifyJson(b.verifyUrl))).to.deep.equal(["VALID", {}]);
    const c = await cli(savePdf(`attack3-after-${waiting[0].id}`, await pdfOf(waiting[0].id)));
    expect(outcome(c.v)).to.deep.equal(["VALID", {}]);
    expect(outcome(await verifyJson(before.verifyUrl))).to.deep.equal(["VALID", {}]);
  });

  it("keeps a bill anchored while its issuer was admitted VALID after the bureau suspends the issuer through the API, on the service and in the CLI", async () => {
    // whatever the attack above left behind, the hospital starts admitted on chain and in the store
    if (!(await chain.registry.issuerOf(hospital)).active) await send(bureau, "reinstateIssuer", [hospital]);
    expect((await call(svc.url, "POST", `/api/v1/issuers/${creds.hospital.institutionId}/reinstate`, { key: creds.bureau.apiKey, body: {} })).status).to.equal(
      200,
    );
    const b = await issue();
    await waitAnchored(svc.url, key(), b.id, 30_000);
    const file = savePdf(`attack3-suspended-${b.id}`, await pdfOf(b.id));
    const s = await call(svc.url, "POST", `/api/v1/issuers/${creds.hospital.institutionId}/suspend`, { key: creds.bureau.apiKey, body: { reason: "audit" } });
    expect(s.status, JSON.stringify(s.body)).to.equal(200);
    try {
      expect((await chain.registry.issuerOf(hospital)).active).to.equal(false);
      await waitFor(
        "the suspension seen by the verifier",
        async () => (await call(svc.url, "POST", "/api/v1/invoices", { key: key(), body: MEDICAL_EXAMPLE })).status === 403,
        10_000,
      );
      expect(outcome(await verifyJson(b.verifyUrl))).to.deep.equal(["VALID", {}]);
      expect(check(await verifyJson(b.verifyUrl), "issuer").detail).to.include("when it anchored the batch");
      expect(outcome((await cli(file)).v)).to.deep.equal(["VALID", {}]);
    } finally {
      const back = await call(svc.url, "POST", `/api/v1/issuers/${creds.hospital.institutionId}/reinstate`, { key: creds.bureau.apiKey, body: {} });
      expect(back.status).to.equal(200);
    }
  });
  it("attack 3, reverted: an anchor the registrar's suspension overtakes in its block (a higher tip) reverts once and is not sent again while suspended; after the reinstatement through the bureau API its bill is anchored once, VALID", async () => {
    if (!(await chain.registry.issuerOf(hospital)).active) await send(bureau, "reinstateIssuer", [hospital]);
    await waitIdle(svc);
    const nonce0 = await nonceOf(node.url, hospital);
    const reverted0 = metricValue(await metricsText(svc), "lianpiao_tx_retries_total", { reason: "reverted" });
    const sel = (fn: string) => registryInterface().getFunction(fn)!.selector;
    await pauseMining(node.url);
    let b: Awaited<ReturnType<typeof issue>>;
    let anchorHash: string;
    try {
      b = await issue();
      const anchorTx = await waitInPool(node.url, hospital, sel("anchor"));
      anchorHash = anchorTx.hash;
      const tip = BigInt(anchorTx.maxPriorityFeePerGas ?? "1000000000");
      await bureau.wallet.sendTransaction({
        to: creds.registryAddress,
        data: registryInterface().encodeFunctionData("suspendIssuer", [hospital]),
        gasLimit: 200_000,
        maxPriorityFeePerGas: tip * 10n,
        maxFeePerGas: BigInt(anchorTx.maxFeePerGas ?? "3000000000") + tip * 10n,
      });
      await waitInPool(node.url, bureau.address, sel("suspendIssuer"));
      await mine(node.url);
    } finally {
      await resumeMining(node.url);
    }
    expect((await chain.provider.getTransactionReceipt(anchorHash!))!.status, "the anchor reverted").to.equal(0);
    await waitFor("the account held", async () => (await readyz(svc)).checks.anchoring.held.some((h: { account: string }) => h.account === hospital), 15_000);
    await new Promise((r) => setTimeout(r, 8_000));
    expect((await nonceOf(node.url, hospital)) - nonce0, "only the reverted anchor").to.equal(1);
    expect((await call(svc.url, "GET", `/api/v1/invoices/${b!.id}`, { key: key() })).body.status).to.equal("pending");
    await send(bureau, "reinstateIssuer", [hospital]);
    expect((await call(svc.url, "POST", `/api/v1/issuers/${creds.hospital.institutionId}/reinstate`, { key: creds.bureau.apiKey, body: {} })).status).to.equal(
      200,
    );
    await waitAnchored(svc.url, key(), b!.id, 30_000);
    await waitIdle(svc);
    expect((await nonceOf(node.url, hospital)) - nonce0, "the reverted anchor and one more").to.equal(2);
    expect(metricValue(await metricsText(svc), "lianpiao_tx_retries_total", { reason: "reverted" }) - reverted0).to.equal(1);
    expect(outcome(await verifyJson(b!.verifyUrl))).to.deep.equal(["VALID", {}]);
    expect(outcome((await cli(savePdf(`attack3-reverted-${b!.id}`, await pdfOf(b!.id)))).v)).to.deep.equal(["VALID", {}]);
  });

  // Found by the adversary and closed in the registry: whether the issuer was active is answered for
  // the anchoring transaction itself (anchor() admits only active issuers), not for the end of its
  // block, so a suspension timed into the same block cannot turn accepted bills INVALID.
  it("a suspension the registrar mines in the same block as the hospital's anchor, just after it, does not leave the bills of that anchor INVALID for ever: after the reinstatement they verify VALID (service and CLI)", async () => {
    if (!(await chain.registry.issuerOf(hospital)).active) await send(bureau, "reinstateIssuer", [hospital]);
    await waitIdle(svc);
    await pauseMining(node.url);
    let b: Awaited<ReturnType<typeof issue>>;
    try {
      b = await issue();
      const anchorTx = await waitInPool(node.url, hospital, registryInterface().getFunction("anchor")!.selector);
      const suspend = await bureau.wallet.sendTransaction({
        to: creds.registryAddress,
        data: registryInterface().encodeFunctionData("suspendIssuer", [hospital]),
        gasLimit: 200_000,
        maxPriorityFeePerGas: 1n,
        maxFeePerGas: BigInt(anchorTx.maxFeePerGas ?? "3000000000"),
      });
      await waitInPool(node.url, bureau.address, registryInterface().getFunction("suspendIssuer")!.selector);
      await mine(node.url);
      const [anchored, suspended] = await Promise.all([
        chain.provider.getTransactionReceipt(anchorTx.hash),
        chain.provider.getTransactionReceipt(suspend.hash),
      ]);
      expect(anchored!.blockNumber).to.equal(suspended!.blockNumber);
      expect(anchored!.index).to.be.lessThan(suspended!.index);
      expect([anchored!.status, suspended!.status]).to.deep.equal([1, 1]);
    } finally {
      await resumeMining(node.url);
    }
    await send(bureau, "reinstateIssuer", [hospital]);
    await waitAnchored(svc.url, key(), b!.id, 60_000).catch(() => undefined);
    await waitFor("the bill VALID on the service", async () => (await verifyJson(b!.verifyUrl)).verdict === "VALID", 60_000, 500);
    const c = await cli(savePdf(`attack3-same-block-${b!.id}`, await pdfOf(b!.id)));
    expect(outcome(c.v)).to.deep.equal(["VALID", {}]);
  });
});
