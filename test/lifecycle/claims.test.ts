// Claims in parts (分次报销) over HTTP, on the embedded chain, checked on chain too: two relying parties
// claim parts of a bill up to its claimable amount (the cash paid, 37.00 of the example's 157.00); a
// claim over what remains is 409 with what remains; a party releases only its own claim; a claimed
// bill cannot be voided, a voided bill cannot be claimed; and an amount proof forged by a party that
// sends straight to the registry with its own key is refused by the contract (InvalidFieldProof).
import path from "node:path";
import Database from "better-sqlite3";
import { expect } from "chai";
import { Contract, JsonRpcProvider, getBytes, toUtf8Bytes } from "ethers";
import { devWallet, loadRegistryAbi } from "../../server/chain";
import { makeCreditCode } from "../../server/issuance/check-digits";
import { claimableOpening } from "../../server/issuance/claimable";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { startService, waitFor, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { Receiver } from "../webhooks/receiver";

describe("claims in parts over HTTP", function () {
  this.timeout(240_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let provider: JsonRpcProvider;
  let registry: Contract;
  let employer: { apiKey: string; account: string; name: string };
  let insurerName: string;

  before(async () => {
    svc = await startService({ WEBHOOK_POLL_MS: "50" });
    creds = svc.credentials();
    provider = new JsonRpcProvider(creds.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
    registry = new Contract(creds.registryAddress, loadRegistryAbi(), provider);
    const name = "示范市某科技有限公司 (employer)";
    const admitted = await call(svc.url, "POST", "/api/v1/relying-parties", {
      key: creds.bureau.apiKey,
      body: { name, creditCode: makeCreditCode("91110000MA0000456") },
    });
    expect(admitted.status, JSON.stringify(admitted.body)).to.equal(201);
    employer = { apiKey: admitted.body.apiKey, account: admitted.body.account, name };
    const parties = await call(svc.url, "GET", "/api/v1/relying-parties", { key: creds.bureau.apiKey });
    insurerName = parties.body.items.find((p: { id: string }) => p.id === creds.insurer.institutionId).name;
  });
  after(async () => {
    provider?.destroy();
    await svc?.stop();
  });

  async function anchoredBill() {
    const r = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    await waitAnchored(svc.url, creds.hospital.apiKey, r.body.id, 30_000);
    const detail = await call(svc.url, "GET", `/api/v1/invoices/${r.body.id}`, { key: creds.hospital.apiKey });
    return { ...r.body, leaf: detail.body.leaf as string };
  }
  const claim = (key: string, b: any, reference: string, amountFen?: number) =>
    call(svc.url, "POST", "/api/v1/reimbursements", {
      key,
      body: {
        billCode: b.billCode,
        billNumber: b.billNumber,
        checkCode: b.checkCode,
        total: "157.00",
        reference,
        ...(amountFen === undefined ? {} : { amountFen }),
      },
    });
  const release = (key: string, b: any, reference: string) =>
    call(svc.url, "POST", `/api/v1/reimbursements/${b.billCode}/${b.billNumber}/release-claim`, { key, body: { reference } });
  const onChain = async (leaf: string) => {
    const s = await registry.statusOf(creds.hospital.account, leaf);
    return { claimedFen: Number(s.claimedFen), capFen: Number(s.capFen), claimCount: Number(s.claimCount) };
  };
  const chainClaimed = (leaf: string, fen: number, count: number) =>
    waitFor(
      `${fen} fen in ${count} claims on chain`,
      async () => {
        const s = await onChain(leaf);
        return s.claimedFen === fen && s.claimCount === count;
      },
      30_000,
    );
  const verifyJson = async (verifyUrl: string) => {
    const u = new URL(verifyUrl);
    const r = await fetch(`${svc.url}${u.pathname}${u.search}`, { headers: { accept: "application/json" } });
    return (await r.json()) as any;
  };

  it("lets two parties claim parts up to the cash paid, answers a claim over what remains 409 with what remains, and shows who claimed", async () => {
    const bill = await anchoredBill();
    const a = await claim(creds.insurer.apiKey, bill, "PICC-2026-0001", 2000);
    expect(a.status, JSON.stringify(a.body)).to.equal(201);
    expect([a.body.amountFen, a.body.claimableFen, a.body.claimedFen, a.body.remainingFen]).to.deep.equal([2000, 3700, 2000, 1700]);
    const b = await claim(employer.apiKey, bill, "HR-77", 1200);
    expect(b.status, JSON.stringify(b.body)).to.equal(201);
    expect(b.body.remainingFen).to.equal(500);
    const over = await claim(employer.apiKey, bill, "HR-78", 600);
    expect([over.status, over.body.code, over.body.remainingFen, over.body.claimedFen]).to.deep.equal([409, "CLAIM_EXCEEDS_REMAINING", 500, 3200]);
    expect(over.headers.get("content-type")).to.match(/application\/problem\+json/);
    // no amount: what remains
    const rest = await claim(employer.apiKey, bill, "HR-79");
    expect([rest.status, rest.body.amountFen, rest.body.remainingFen]).to.deep.equal([201, 500, 0]);
    const none = await claim(creds.insurer.apiKey, bill, "PICC-2026-0002", 1);
    expect([none.status, none.body.code, none.body.remainingFen]).to.deep.equal([409, "CLAIM_EXCEEDS_REMAINING", 0]);
    // the registry holds the same: three claims, 37.00 in all, the cap proven from the bill's cash paid
    await chainClaimed(bill.leaf, 3700, 3);
    expect((await onChain(bill.leaf)).capFen).to.equal(3700);
    const v = await verifyJson(bill.verifyUrl);
    expect(v.verdict).to.equal("VALID");
    expect([v.claims.claimableFen, v.claims.claimedFen, v.claims.remainingFen]).to.deep.equal([3700, 3700, 0]);
    expect(v.claims.parties.map((p: any) => [p.by, p.amountFen])).to.deep.equal([
      [insurerName, 2000],
      [employer.name, 1200],
      [employer.name, 500],
    ]);
    const page = await (await fetch(`${svc.url}${new URL(bill.verifyUrl).pathname}${new URL(bill.verifyUrl).search}`)).text();
    expect(page).to.contain("剩余可报销").and.to.contain("employer").and.to.contain("¥37.00");
    // used up in parts: the headline says so, never a plain green 有效
    expect(page)
      .to.match(/data-verdict="VALID" data-state="claimed"/)
      .and.to.contain("已报销");
  });

  it("lets a party release only its own claim; the amount can then be claimed again", async () => {
    const bill = await anchoredBill();
    expect((await claim(creds.insurer.apiKey, bill, "PICC-2026-0003", 3000)).status).to.equal(201);
    const theirs = await release(employer.apiKey, bill, "PICC-2026-0003");
    expect([theirs.status, theirs.body.code]).to.deep.equal([404, "NO_CLAIM"]);
    await chainClaimed(bill.leaf, 3000, 1);
    const own = await release(creds.insurer.apiKey, bill, "PICC-2026-0003");
    expect([own.status, own.body.released, own.body.claimedFen, own.body.remainingFen]).to.deep.equal([200, true, 0, 3700]);
    await chainClaimed(bill.leaf, 0, 0);
    expect((await claim(employer.apiKey, bill, "HR-80", 3700)).status).to.equal(201);
    await chainClaimed(bill.leaf, 3700, 1);
  });

  it("refuses to void a bill with open claims (409 BILL_CLAIMED), voids it once they are released, then refuses claims on it", async () => {
    const bill = await anchoredBill();
    expect((await claim(creds.insurer.apiKey, bill, "PICC-2026-0004", 1000)).status).to.equal(201);
    const refused = await call(svc.url, "POST", `/api/v1/invoices/${bill.id}/void`, { key: creds.hospital.apiKey, body: { reason: "患者退费" } });
    expect([refused.status, refused.body.code, refused.body.claimedFen]).to.deep.equal([409, "BILL_CLAIMED", 1000]);
    expect((await call(svc.url, "GET", `/api/v1/invoices/${bill.id}`, { key: creds.hospital.apiKey })).body.status).to.equal("anchored");
    await chainClaimed(bill.leaf, 1000, 1);
    expect((await release(creds.insurer.apiKey, bill, "PICC-2026-0004")).status).to.equal(200);
    await chainClaimed(bill.leaf, 0, 0);
    // the release is confirmed on chain a moment after it is mined: until then the void is asked to retry
    let voided: { status: number; body: any } | undefined;
    await waitFor(
      "the void accepted",
      async () => {
        voided = await call(svc.url, "POST", `/api/v1/invoices/${bill.id}/void`, { key: creds.hospital.apiKey, body: { reason: "患者退费" } });
        if (voided.status === 409 && voided.body.retryAfter) return false;
        return true;
      },
      30_000,
    );
    expect(voided!.status, JSON.stringify(voided!.body)).to.equal(200);
    const late = await claim(employer.apiKey, bill, "HR-81", 100);
    expect([late.status, late.body.code, late.body.billStatus]).to.deep.equal([409, "BILL_NOT_VALID", "voided"]);
    await waitFor("the void on chain", async () => (await registry.statusOf(creds.hospital.account, bill.leaf)).voided, 30_000);
    expect((await onChain(bill.leaf)).claimCount).to.equal(0);
  });

  it("refuses, on the registry, a claim sent straight to it with a forged amount proof (BillRegistryInvalidFieldProof)", async () => {
    const bill = await anchoredBill();
    const env = (await call(svc.url, "GET", `/api/v1/invoices/${bill.id}/envelope`, { key: creds.hospital.apiKey })).body;
    const real = claimableOpening(env.bill, env.salts);
    // the demo insurer's own key (a relying party on chain), not the service's
    const party = devWallet(3).connect(provider);
    const asParty = registry.connect(party) as Contract;
    const args = (opening: typeof real, amount: number) =>
      [creds.hospital.account, env.anchor.root, env.billHash, env.anchor.proof, opening, amount, `0x${"11".repeat(32)}`] as const;
    // the cash-paid field opened with the total's value: 157.00 would lift the cap above 37.00
    const forged = { ...real, value: getBytes(toUtf8Bytes('"157.00"')) };
    let reverted: any = null;
    try {
      await asParty.claim.staticCall(...args(forged, 10_000));
    } catch (err) {
      reverted = err;
    }
    expect(reverted, "the forged claim is refused").to.not.equal(null);
    expect(registry.interface.parseError(reverted.data)?.name).to.equal("BillRegistryInvalidFieldProof");
    // mined, it reverts and changes nothing
    const tx = await asParty.claim(...args(forged, 10_000), { gasLimit: 400_000 });
    const receipt = await provider.waitForTransaction(tx.hash);
    expect(receipt?.status).to.equal(0);
    expect(await onChain(bill.leaf)).to.deep.equal({ claimedFen: 0, capFen: 0, claimCount: 0 });
    // the genuine opening with the same key goes through, capped at 37.00
    await (await asParty.claim(...args(real, 3700))).wait();
    expect(await onChain(bill.leaf)).to.deep.equal({ claimedFen: 3700, capFen: 3700, claimCount: 1 });
    // the service sees the registry's claim: nothing remains for anyone
    const after = await claim(employer.apiKey, bill, "HR-82", 1);
    expect([after.status, after.body.code, after.body.remainingFen]).to.deep.equal([409, "CLAIM_EXCEEDS_REMAINING", 0]);
  });

  it("refuses an amount that is not a positive integer of fen with 422, changing nothing", async () => {
    const bill = await anchoredBill();
    for (const amountFen of [0, -5, 12.5, "2000"]) {
      const r = await claim(creds.insurer.apiKey, bill, "PICC-2026-0005", amountFen as number);
      expect(r.status, String(amountFen)).to.equal(422);
    }
    expect(await onChain(bill.leaf)).to.deep.equal({ claimedFen: 0, capFen: 0, claimCount: 0 });
    const v = await verifyJson(bill.verifyUrl);
    expect([v.claims.claimedFen, v.claims.remainingFen, v.claims.parties]).to.deep.equal([0, 3700, []]);
  });

  it("reconciles claims per party: the store and the chain agree once written, and a claim changed in the store is reported", async () => {
    const bill = await anchoredBill();
    expect((await claim(creds.insurer.apiKey, bill, "PICC-2026-0006", 1500)).status).to.equal(201);
    expect((await claim(employer.apiKey, bill, "HR-83", 700)).status).to.equal(201);
    await chainClaimed(bill.leaf, 2200, 2);
    const mismatchesOf = async () => {
      const r = await call(svc.url, "GET", "/api/v1/registry/reconciliation", { key: creds.bureau.apiKey });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return { report: r.body, ours: r.body.discrepancies.filter((d: any) => d.type === "CLAIMS_MISMATCH" && d.leaf === bill.leaf.toLowerCase()) };
    };
    // once both claims are confirmed, nothing to report for this bill (a claim still being written is in flight)
    await waitFor(
      "claims reconciled",
      async () => {
        const { report, ours } = await mismatchesOf();
        return report.checked.claims > 0 && ours.length === 0 && report.inFlight === 0;
      },
      30_000,
    );
    // the bill whose claim a party sent straight to the registry (the forged-proof test) is reported: the chain holds a claim the store does not
    const { report } = await mismatchesOf();
    expect(
      report.discrepancies.some((d: any) => d.type === "CLAIMS_MISMATCH" && Object.keys(d.store).length === 0 && Object.values(d.chain).includes(3700)),
    ).to.equal(true);
    // a claim amount changed in the database is reported, per party
    const db = new Database(path.join(svc.dataDir, "lianpiao.sqlite"));
    db.pragma("busy_timeout = 5000");
    db.prepare("UPDATE claims SET amount_fen = amount_fen + 1 WHERE reference = 'HR-83'").run();
    db.close();
    const { ours } = await mismatchesOf();
    expect(ours).to.have.length(1);
    expect(ours[0].store[employer.account]).to.equal(701);
    expect(ours[0].chain[employer.account]).to.equal(700);
    expect(ours[0].chain[devWallet(3).address]).to.equal(1500);
  });

  it("announces a claim as bill.reimbursed and its release as bill.released, with the amount, to the claiming party and the issuer", async () => {
    const hook = await new Receiver().start();
    const issuerHook = await new Receiver().start();
    const events = ["bill.reimbursed", "bill.released"];
    expect(
      (await call(svc.url, "POST", "/api/v1/webhooks", { key: employer.apiKey, body: { url: hook.url, events, description: "claims system" } })).status,
    ).to.equal(201);
    expect(
      (await call(svc.url, "POST", "/api/v1/webhooks", { key: creds.hospital.apiKey, body: { url: issuerHook.url, events, description: "HIS" } })).status,
    ).to.equal(201);
    const bill = await anchoredBill();
    expect((await claim(employer.apiKey, bill, "HR-90", 1234)).status).to.equal(201);
    expect((await release(employer.apiKey, bill, "HR-90")).status).to.equal(200);
    const ofBill = (r: { event: { data: any } }) => r.event.data?.bill?.billNumber === bill.billNumber;
    await hook.waitFor((rs) => rs.filter(ofBill).length === 2, 30_000, "the employer's two events");
    await issuerHook.waitFor((rs) => rs.filter(ofBill).length === 2, 30_000, "the hospital's two events");
    const [claimed, released] = hook.received.filter(ofBill).map((r) => r.event);
    expect([claimed.type, claimed.data.reimbursement.amountFen, claimed.data.reimbursement.reference, claimed.data.reimbursement.by]).to.deep.equal([
      "bill.reimbursed",
      1234,
      "HR-90",
      employer.name,
    ]);
    expect([released.type, released.data.release.amountFen]).to.deep.equal(["bill.released", 1234]);
    // the issuer hears of the claim, not the party's own reference
    const toIssuer = issuerHook.received.filter(ofBill).map((r) => r.event);
    expect([toIssuer[0].data.reimbursement.amountFen, toIssuer[0].data.reimbursement.reference]).to.deep.equal([1234, null]);
  });
});
