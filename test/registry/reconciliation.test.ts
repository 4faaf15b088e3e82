// Reconciliation of registry v2 over HTTP, on a `hardhat node` process with PostgreSQL: a registry the
// service alone wrote reconciles clean; then, one step at a time, what other keys send to the chain
// directly (a copied root, a mark under another issuer, the issuer's and the relying party's own marks,
// the registrar's own range, the issuer's own anchor) and what is edited in the store (a batch root,
// ranges, a number held twice, a leaf in two batches). Each step checks exactly which discrepancies
// and notices it added or removed, and `lianpiao reconcile` (through the API and directly) prints both.
import { expect } from "chai";
import crypto from "node:crypto";
import { spawnSync } from "node:child_process";
import pg from "pg";
import { JsonRpcProvider, id as keccakUtf8, type Contract } from "ethers";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { createTestDatabase } from "../helpers/pg";
import { ROOT, startHardhatNode, startService, type ChainNode, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { devWallet, registryAt } from "../../server/chain";
import { buildBatchTree } from "../../server/issuance/canonical";
import { Reconciliation } from "../../server/openapi/shapes";

type Entry = {
  type: string;
  root?: string;
  leaf?: string;
  account?: string;
  billCode?: string;
  billNumber?: string;
  billId?: string;
  batchId?: string;
  store: any;
  chain: any;
};

const entryKey = (e: Entry) =>
  [
    e.type,
    e.root && `root=${e.root}`,
    e.leaf && `leaf=${e.leaf}`,
    e.account && `account=${e.account}`,
    e.billCode && `code=${e.billCode}`,
    e.billNumber && `number=${e.billNumber}`,
  ]
    .filter(Boolean)
    .join(" ");
const keyOf = (type: string, o: Omit<Entry, "type" | "store" | "chain">) => entryKey({ type, ...o, store: null, chain: null });

function cli(args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["-r", "./scripts/register.js", "scripts/lianpiao.js", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 90_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const randomHash = () => "0x" + crypto.randomBytes(32).toString("hex");

interface StoredBill {
  id: string;
  leaf: string;
  billHash: string;
  proof: string[];
  batchId: string;
  root: string;
  billCount: number;
  billCode: string;
  billNumber: string;
  checkCode: string;
}

describe("reconciliation of registry v2 on a hardhat node with PostgreSQL", function () {
  this.timeout(300_000);
  let node: ChainNode;
  let db: { url: string; drop(): Promise<void> };
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let sql: pg.Client;
  let provider: JsonRpcProvider;
  let hospital: string;
  let charity: string;
  let insurer: string;
  // bills: wave 1 (h1 reimbursed, h2 voided, h3 untouched) and wave 2 (h4..h6), by the service
  const h: Record<string, StoredBill> = {};
  let baseline = { d: new Map<string, Entry>(), n: new Map<string, Entry>() };

  const bureau = (method: string, p: string, body?: unknown) => call(svc.url, method, p, { key: creds.bureau.apiKey, body });
  const as = (i: number): Contract => registryAt(creds.registryAddress, devWallet(i).connect(provider));
  const send = async (p: Promise<{ wait(): Promise<unknown> }>) => (await p).wait();

  async function report(): Promise<any> {
    const r = await bureau("GET", "/api/v1/registry/reconciliation");
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const documented = Reconciliation.safeParse(r.body);
    expect(documented.success, JSON.stringify(documented.error?.issues)).to.equal(true);
    return r.body;
  }

  /** The entries this step added and removed, against the previous step's report. */
  async function step(): Promise<{ r: any; added: { d: string[]; n: string[] }; removed: { d: string[]; n: string[] }; entry(key: string): Entry }> {
    const r = await report();
    const d = new Map<string, Entry>(r.discrepancies.map((e: Entry) => [entryKey(e), e]));
    const n = new Map<string, Entry>(r.notices.map((e: Entry) => [entryKey(e), e]));
    expect(d.size, "two discrepancies with one key").to.equal(r.discrepancies.length);
    const diff = (a: Map<string, Entry>, b: Map<string, Entry>) => [...a.keys()].filter((k) => !b.has(k)).sort();
    const out = {
      r,
      added: { d: diff(d, baseline.d), n: diff(n, baseline.n) },
      removed: { d: diff(baseline.d, d), n: diff(baseline.n, n) },
      entry: (k: string) => (d.get(k) ?? n.get(k)) as Entry,
    };
    baseline = { d, n };
    return out;
  }

  async function stored(id: string): Promise<StoredBill> {
    const { rows } = await sql.query(
      "SELECT b.id, b.leaf, b.bill_hash, b.proof, b.batch_id, b.bill_code, b.bill_number, b.check_code, ba.root, ba.bill_count FROM bills b JOIN batches ba ON ba.id = b.batch_id WHERE b.id = $1",
      [id],
    );
    const b = rows[0];
    return {
      id: b.id,
      leaf: b.leaf,
      billHash: b.bill_hash,
      proof: JSON.parse(b.proof),
      batchId: b.batch_id,
      root: b.root,
      billCount: Number(b.bill_count),
      billCode: b.bill_code,
      billNumber: b.bill_number,
      checkCode: b.check_code,
    };
  }

  async function issueWave(names: string[]): Promise<void> {
    const issued = await Promise.all(names.map(() => call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE })));
    for (const r of issued) expect(r.status, JSON.stringify(r.body)).to.equal(201);
    for (const [i, name] of names.entries()) {
      await waitAnchored(svc.url, creds.hospital.apiKey, issued[i].body.id, 60_000);
      h[name] = await stored(issued[i].body.id);
    }
  }

  before(async () => {
    node = await startHardhatNode();
    db = await createTestDatabase();
    svc = await startService({ RPC_URL: node.url, BOOTSTRAP: "dev", DATABASE_URL: db.url, CONFIRMATIONS: "1", BATCH_MAX_AGE_MS: "800" });
    creds = svc.credentials();
    hospital = creds.hospital.account;
    charity = creds.charity.account;
    insurer = creds.insurer.account;
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  });
  after(async () => {
    provider?.destroy();
    await sql?.end();
    await svc?.stop();
    await node?.stop();
    await db?.drop();
  });

  it("reconciles a registry the service alone wrote clean, with no notices, every v2 event read with its issuer and party apart", async () => {
    await issueWave(["h1", "h2", "h3"]);
    await issueWave(["h4", "h5", "h6"]);
    const mark = (b: StoredBill, reference: string) =>
      call(svc.url, "POST", "/api/v1/reimbursements", {
        key: creds.insurer.apiKey,
        body: { billCode: b.billCode, billNumber: b.billNumber, checkCode: b.checkCode, total: "157.00", reference },
      });
    expect((await mark(h.h1, "CLAIM-1")).status).to.equal(201);
    expect(
      (
        await call(svc.url, "POST", `/api/v1/invoices/${h.h2.id}/void`, {
          key: creds.hospital.apiKey,
          body: { reason: "金额开错 wrong amount", reasonCode: 2 },
        })
      ).status,
    ).to.equal(200);
    // a mark released through the service, and the charity suspended and reinstated by the bureau
    expect((await mark(h.h4, "CLAIM-4")).status).to.equal(201);
    expect((await call(svc.url, "DELETE", `/api/v1/reimbursements/${h.h4.billCode}/${h.h4.billNumber}`, { key: creds.insurer.apiKey })).status).to.equal(200);
    expect((await bureau("POST", `/api/v1/issuers/${creds.charity.institutionId}/suspend`, { reason: "检查" })).status).to.equal(200);
    expect((await bureau("POST", `/api/v1/issuers/${creds.charity.institutionId}/reinstate`)).status).to.equal(200);

    let r: any;
    for (let i = 0; ; i++) {
      r = await report();
      // settled: both waves and the red bill anchored and scanned, the marks on chain
      if (r.inFlight === 0 && r.checked.voids === 1 && r.checked.reimbursements === 1 && r.checked.bills === 7 && r.checked.batches >= 3) break;
      expect(i, `marks not settled: ${JSON.stringify(r.checked)} in flight ${r.inFlight}`).to.be.lessThan(150);
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(r.discrepancies, JSON.stringify(r.discrepancies)).to.deep.equal([]);
    expect(r.notices).to.deep.equal([]);
    expect(r.clean).to.equal(true);
    expect(r.duplicates).to.deep.equal({ numbers: 0, leaves: 0, unknownRoots: [] });
    expect(r.checked).to.include({ issuers: 2, ranges: 2, chainRanges: 2 });
    expect(r.checked.batches).to.be.at.least(3); // two waves and the red bill

    const events = (await sql.query("SELECT name, root, leaf, account, party, data FROM chain_events ORDER BY block_number, log_index")).rows;
    expect([...new Set(events.map((e) => e.name))].sort()).to.deep.equal([
      "BatchAnchored",
      "BillReimbursed",
      "BillVoided",
      "IssuerAdmitted",
      "IssuerReinstated",
      "IssuerSuspended",
      "RangeAllotted",
      "ReimbursementReleased",
    ]);
    const of = (name: string, leaf?: string) => events.filter((e) => e.name === name && (!leaf || e.leaf === leaf));
    expect(of("BillReimbursed", h.h1.leaf).map((e) => [e.account, e.party, e.root, JSON.parse(e.data).claimReference])).to.deep.equal([
      [hospital, insurer, h.h1.root, keccakUtf8("CLAIM-1")],
    ]);
    expect(of("ReimbursementReleased", h.h4.leaf).map((e) => [e.account, e.party, e.root])).to.deep.equal([[hospital, insurer, null]]);
    expect(of("BillVoided", h.h2.leaf).map((e) => [e.account, e.party, e.root, JSON.parse(e.data).reason])).to.deep.equal([[hospital, null, h.h2.root, 2]]);
    expect(of("RangeAllotted").map((e) => [e.account, JSON.parse(e.data).billCode, JSON.parse(e.data).first, JSON.parse(e.data).last])).to.deep.equal([
      [hospital, "11060126", 1, 9_999_999_999],
      [charity, "11060355", 1, 9_999_999_999],
    ]);
    expect(
      of("BatchAnchored")
        .filter((e) => e.root === h.h1.root)
        .map((e) => [e.account, JSON.parse(e.data).billCount]),
    ).to.deep.equal([[hospital, h.h1.billCount]]);
    expect(of("IssuerSuspended").map((e) => [e.account, JSON.parse(e.data).registrar])).to.deep.equal([[charity, creds.bureau.account]]);
    await step();
  });

  it("reports another account anchoring a copy of the hospital's root as a notice naming it, and stays clean", async () => {
    await send(as(2).anchor(h.h3.root, h.h3.billCount));
    const s = await step();
    expect(s.added).to.deep.equal({ d: [], n: [keyOf("ROOT_ALSO_ANCHORED_BY_OTHER", { root: h.h3.root, account: charity })] });
    const n = s.entry(s.added.n[0]);
    expect(n.store).to.deep.include({ issuer: hospital, batchId: h.h3.batchId });
    expect(n.chain).to.include({ issuer: charity, billCount: h.h3.billCount });
    expect(s.r.clean).to.equal(true);
    // the hospital's own record of its root is unchanged
    expect(Number((await as(0).batchOf(hospital, h.h3.root)).blockNumber)).to.be.greaterThan(0);
  });

  it("reports a relying party's mark on the hospital's leaf under another issuer's root as a notice; the hospital's bill is unaffected", async () => {
    await send(as(3).markReimbursed(charity, h.h3.root, h.h3.leaf, h.h3.proof, keccakUtf8("WRONG-ISSUER")));
    expect((await as(0).statusOf(hospital, h.h3.leaf)).reimbursedBy).to.equal("0x0000000000000000000000000000000000000000");
    const s = await step();
    expect(s.added).to.deep.equal({ d: [], n: [keyOf("MARK_UNDER_OTHER_ISSUER", { leaf: h.h3.leaf, account: charity })] });
    const n = s.entry(s.added.n[0]);
    expect(n.billId).to.equal(h.h3.id);
    expect(n.store).to.deep.equal({ issuer: hospital });
    expect(n.chain).to.include({ issuer: charity, reimbursedBy: insurer, voided: false });
    expect(s.r.clean).to.equal(true);

    const rec = cli(["reconcile"], { LIANPIAO_URL: svc.url, LIANPIAO_API_KEY: creds.bureau.apiKey });
    expect(rec.status, rec.stdout + rec.stderr).to.equal(0);
    expect(rec.stdout)
      .to.contain("clean: the store and the chain agree")
      .and.contain("2 notices")
      .and.contain("ROOT_ALSO_ANCHORED_BY_OTHER")
      .and.contain("MARK_UNDER_OTHER_ISSUER")
      .and.contain(`account ${charity}`);
  });

  it("reports a batch root edited in the store as not on chain, the chain's root as unknown and the batch's proofs as broken, until it is put back", async () => {
    const forged = randomHash();
    await sql.query("UPDATE batches SET root = $1 WHERE id = $2", [forged, h.h5.batchId]);
    const inBatch = (await sql.query("SELECT leaf FROM bills WHERE batch_id = $1", [h.h5.batchId])).rows.map((b) => b.leaf as string);
    expect(inBatch).to.include(h.h5.leaf);
    try {
      const s = await step();
      expect(s.added.n).to.deep.equal([]);
      expect(s.added.d).to.deep.equal(
        [
          keyOf("ROOT_NOT_ON_CHAIN", { root: forged, account: hospital }),
          keyOf("UNKNOWN_ROOT_ON_CHAIN", { root: h.h5.root, account: hospital }),
          ...inBatch.map((leaf) => keyOf("PROOF_MISMATCH", { root: forged, leaf, account: hospital })),
        ].sort(),
      );
      expect(s.entry(keyOf("ROOT_NOT_ON_CHAIN", { root: forged, account: hospital })).batchId).to.equal(h.h5.batchId);
      expect(s.r.clean).to.equal(false);
      expect(s.r.duplicates.unknownRoots).to.deep.equal([{ account: hospital, issuerId: creds.hospital.institutionId, roots: 1, bills: h.h5.billCount }]);
    } finally {
      await sql.query("UPDATE batches SET root = $1 WHERE id = $2", [h.h5.root, h.h5.batchId]);
    }
    const back = await step();
    expect(back.added).to.deep.equal({ d: [], n: [] });
    expect(back.removed.d).to.have.length(2 + inBatch.length);
    expect(back.r.clean).to.equal(true);
  });

  it("reports a void sent by the issuer's key and a mark and a release sent by the relying party's key, not through the service", async () => {
    await send(as(1).voidBill(h.h4.root, h.h4.leaf, h.h4.proof, 3));
    await send(as(3).markReimbursed(hospital, h.h5.root, h.h5.leaf, h.h5.proof, keccakUtf8("DIRECT-5")));
    await send(as(3).releaseReimbursement(hospital, h.h1.leaf));
    const s = await step();
    expect(s.added).to.deep.equal({
      d: [
        keyOf("VOID_NOT_IN_STORE", { leaf: h.h4.leaf, account: hospital }),
        keyOf("REIMBURSEMENT_MISMATCH", { leaf: h.h5.leaf, account: hospital }),
        keyOf("REIMBURSEMENT_MISMATCH", { leaf: h.h1.leaf, account: hospital }),
      ].sort(),
      n: [],
    });
    const v = s.entry(keyOf("VOID_NOT_IN_STORE", { leaf: h.h4.leaf, account: hospital }));
    expect([v.billId, v.store.status, v.chain.voided, v.chain.reason, v.chain.root]).to.deep.equal([h.h4.id, "anchored", true, 3, h.h4.root]);
    expect(s.entry(keyOf("REIMBURSEMENT_MISMATCH", { leaf: h.h5.leaf, account: hospital }))).to.deep.include({
      billId: h.h5.id,
      store: { reimbursedBy: null },
    });
    expect(s.entry(keyOf("REIMBURSEMENT_MISMATCH", { leaf: h.h5.leaf, account: hospital })).chain.reimbursedBy).to.equal(insurer);
    expect(s.entry(keyOf("REIMBURSEMENT_MISMATCH", { leaf: h.h1.leaf, account: hospital }))).to.deep.include({
      store: { reimbursedBy: insurer },
      chain: { reimbursedBy: null },
    });
    expect(s.r.clean).to.equal(false);
  });

  it("checks the ranges: one allotted on chain by the registrar's key, one to an account the store does not know, and ranges edited in the store", async () => {
    const stranger = devWallet(7).address;
    await send(as(0).allotRange(hospital, 11069999, 1, 500));
    await send(as(0).admitIssuer(stranger, 1, keccakUtf8("91110000000000000X")));
    await send(as(0).allotRange(stranger, 11069998, 1, 10));
    await send(as(7).anchor(randomHash(), 4));
    const s = await step();
    expect(s.added).to.deep.equal({
      d: [keyOf("UNKNOWN_RANGE_ON_CHAIN", { billCode: "11069999", account: hospital }), keyOf("UNKNOWN_ISSUER_ON_CHAIN", { account: stranger })].sort(),
      n: [keyOf("RANGE_OF_UNKNOWN_ACCOUNT", { billCode: "11069998", account: stranger }), keyOf("ACTIVITY_OF_UNKNOWN_ACCOUNT", { account: stranger })].sort(),
    });
    expect(s.entry(keyOf("UNKNOWN_RANGE_ON_CHAIN", { billCode: "11069999", account: hospital })).chain).to.include({
      issuer: hospital,
      first: 1,
      last: 500,
      registrar: creds.bureau.account,
    });
    expect(s.entry(keyOf("ACTIVITY_OF_UNKNOWN_ACCOUNT", { account: stranger })).chain).to.include({ roots: 1, bills: 4, marks: 0 });

    // the store: a range the chain never allotted, and the charity's range shortened
    await sql.query(
      "INSERT INTO bill_ranges (id, institution_id, bill_code, start_number, end_number, next_number, created_at, tx_hash) VALUES ('rng_test', $1, '11068888', 1, 100, 1, 0, NULL)",
      [creds.hospital.institutionId],
    );
    await sql.query("UPDATE bill_ranges SET end_number = 5000000000 WHERE bill_code = '11060355'");
    try {
      const t = await step();
      expect(t.added).to.deep.equal({
        d: [
          keyOf("RANGE_NOT_ON_CHAIN", { billCode: "11068888", account: hospital }),
          keyOf("RANGE_MISMATCH", { billCode: "11060355", account: charity }),
        ].sort(),
        n: [],
      });
      const m = t.entry(keyOf("RANGE_MISMATCH", { billCode: "11060355", account: charity }));
      expect([m.store.first, m.store.last, m.chain]).to.deep.equal([
        1,
        5_000_000_000,
        [{ issuer: charity, first: 1, last: 9_999_999_999, registrar: creds.bureau.account, block: m.chain[0].block, txHash: m.chain[0].txHash }],
      ]);
    } finally {
      await sql.query("DELETE FROM bill_ranges WHERE id = 'rng_test'");
      await sql.query("UPDATE bill_ranges SET end_number = 9999999999 WHERE bill_code = '11060355'");
    }
    const back = await step();
    expect(back.added).to.deep.equal({ d: [], n: [] });
    expect(back.removed.d).to.have.length(2);
  });

  it("reports a root the hospital's key anchored outside the service, and the leaf it holds twice once a mark names that root", async () => {
    // a batch of one bill made outside the service (its number may well be one the store holds) and a copy of h6
    const outside = buildBatchTree([randomHash(), h.h6.billHash]);
    await send(as(1).anchor(outside.root, 2));
    const s = await step();
    expect(s.added).to.deep.equal({ d: [keyOf("UNKNOWN_ROOT_ON_CHAIN", { root: outside.root, account: hospital })], n: [] });
    expect(s.entry(s.added.d[0]).chain).to.include({ issuer: hospital, billCount: 2 });
    expect(s.r.duplicates.unknownRoots).to.deep.equal([{ account: hospital, issuerId: creds.hospital.institutionId, roots: 1, bills: 2 }]);

    // the chain sees h6 under two roots of the hospital once a relying party marks it through the other one
    await send(as(3).markReimbursed(hospital, outside.root, h.h6.leaf, outside.entries[1].proof, keccakUtf8("TWICE")));
    const t = await step();
    expect(t.added).to.deep.equal({
      d: [keyOf("LEAF_ANCHORED_TWICE", { leaf: h.h6.leaf, account: hospital }), keyOf("REIMBURSEMENT_MISMATCH", { leaf: h.h6.leaf, account: hospital })].sort(),
      n: [],
    });
    const twice = t.entry(keyOf("LEAF_ANCHORED_TWICE", { leaf: h.h6.leaf, account: hospital }));
    expect(twice.billId).to.equal(h.h6.id);
    expect(twice.store).to.deep.equal({ batchId: h.h6.batchId, root: h.h6.root });
    expect([...twice.chain.roots].sort()).to.deep.equal([h.h6.root, outside.root].sort());
    expect(t.r.duplicates.leaves).to.equal(1);
  });

  it("reports a bill number held twice and a leaf in two confirmed batches of the store (constraint dropped on PostgreSQL), also from `lianpiao reconcile --database`", async () => {
    await sql.query("ALTER TABLE bills DROP CONSTRAINT bills_code_number");
    const copyId = `bill_copy_${crypto.randomBytes(4).toString("hex")}`;
    await sql.query(
      `INSERT INTO bills (id, institution_id, kind, bill_code, bill_number, check_code, issued_at, issue_date, total_fen, status, envelope, bill_hash, leaf, verify_key, created_at)
       SELECT $1, institution_id, kind, bill_code, bill_number, check_code, issued_at, issue_date, total_fen, 'pending', envelope, $2, $3, verify_key, created_at + 1 FROM bills WHERE id = $4`,
      [copyId, randomHash(), randomHash(), h.h5.id],
    );
    // h3's anchor entry also in h4's confirmed batch
    expect(h.h4.batchId).to.not.equal(h.h3.batchId);
    await sql.query(
      "INSERT INTO outbox (bill_id, account, action, payload, created_at, batch_id, done_at, error) VALUES ($1, $2, 'anchor', '{}', 0, $3, 1, NULL)",
      [h.h3.id, hospital, h.h4.batchId],
    );
    const s = await step();
    expect(s.added).to.deep.equal({
      d: [
        keyOf("DUPLICATE_NUMBER", { billCode: h.h5.billCode, billNumber: h.h5.billNumber, account: hospital }),
        keyOf("LEAF_ANCHORED_TWICE", { leaf: h.h3.leaf, account: hospital }),
      ].sort(),
      n: [],
    });
    const dup = s.entry(s.added.d.find((k) => k.startsWith("DUPLICATE_NUMBER"))!);
    expect(dup.billId).to.equal(copyId);
    expect(dup.store.bills.map((b: any) => b.id)).to.deep.equal([h.h5.id, copyId]);
    const twice = s.entry(keyOf("LEAF_ANCHORED_TWICE", { leaf: h.h3.leaf, account: hospital }));
    expect(twice.store.batches.map((b: any) => b.batchId).sort()).to.deep.equal([h.h3.batchId, h.h4.batchId].sort());
    expect(s.r.duplicates).to.deep.include({ numbers: 1, leaves: 2 });

    const viaApi = cli(["reconcile"], { LIANPIAO_URL: svc.url, LIANPIAO_API_KEY: creds.bureau.apiKey });
    const direct = cli(["reconcile", "--rpc", node.url, "--registry", creds.registryAddress, "--database", db.url], {});
    for (const rec of [viaApi, direct]) {
      expect(rec.status, rec.stdout + rec.stderr).to.equal(1);
      expect(rec.stdout).to.contain(`${s.r.discrepancies.length} discrepancies:`).and.contain(`${s.r.notices.length} notices`);
      for (const k of ["DUPLICATE_NUMBER", "LEAF_ANCHORED_TWICE", "UNKNOWN_ROOT_ON_CHAIN", "RANGE_OF_UNKNOWN_ACCOUNT", "MARK_UNDER_OTHER_ISSUER"])
        expect(rec.stdout).to.contain(k);
      expect(rec.stdout).to.contain(`number ${h.h5.billNumber}`).and.contain("roots anchored outside the store");
    }
    const json = cli(["reconcile", "--json"], { LIANPIAO_URL: svc.url, LIANPIAO_API_KEY: creds.bureau.apiKey });
    const parsed = JSON.parse(json.stdout);
    expect(parsed.discrepancies.map(entryKey).sort()).to.deep.equal([...baseline.d.keys()].sort());
    expect(parsed.notices.map(entryKey).sort()).to.deep.equal([...baseline.n.keys()].sort());
  });
});
