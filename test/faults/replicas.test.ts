// Two service processes on one PostgreSQL database and one node, issuing for the same issuers at once;
// the one holding the sending lease is SIGKILLed and the other takes over.
import { expect } from "chai";
import pg from "pg";
import { waitAnchored } from "../helpers/api";
import { expectAnchoredExactlyOnce } from "../helpers/chain-check";
import { createTestDatabase } from "../helpers/pg";
import { startHardhatNode, startService, tempDir, waitFor, type ChainNode, type ServiceProcess } from "../helpers/processes";
import { issuingLoad, logLines, sleep } from "./fixtures";

describe("replicas: two processes on one PostgreSQL and one chain", function () {
  this.timeout(300_000);
  let node: ChainNode;
  let db: { url: string; drop(): Promise<void> };
  let client: pg.Client;
  const svcs: ServiceProcess[] = [];

  before(async () => {
    node = await startHardhatNode({ intervalMs: 1000 });
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
  });
  after(async () => {
    for (const s of svcs) await s.stop();
    await client?.end().catch(() => undefined);
    await node?.stop();
    await db?.drop();
  });

  it("hands out no number twice, anchors no bill twice, keeps one sender per account, and fails over within seconds", async () => {
    // Same DATA_DIR: the second process reuses the first one's registry, demo keys and keystore password.
    const dataDir = tempDir();
    const env = { RPC_URL: node.url, BOOTSTRAP: "dev", DATABASE_URL: db.url, CONFIRMATIONS: "2", BATCH_MAX_AGE_MS: "500" };
    const a = await startService({ ...env, INSTANCE_ID: "replica-a" }, { dataDir });
    svcs.push(a);
    const b = await startService({ ...env, INSTANCE_ID: "replica-b" }, { dataDir });
    svcs.push(b);
    await client.connect();
    const creds = b.credentials();
    expect(a.credentials().hospital.apiKey).to.equal(creds.hospital.apiKey);

    const owners = new Map<string, Set<string>>();
    const sample = async () => {
      const rows = (await client.query("SELECT account, lease_owner FROM senders WHERE lease_until > $1", [Date.now()])).rows;
      for (const r of rows) (owners.get(r.account) ?? owners.set(r.account, new Set()).get(r.account)!).add(r.lease_owner);
      return rows;
    };

    const loadA = issuingLoad(() => a, creds, 4);
    const loadB = issuingLoad(() => b, creds, 4);
    for (let i = 0; i < 16; i++) {
      const rows = await sample();
      expect(new Set(rows.filter((r) => r.account === creds.hospital.account).map((r) => r.lease_owner)).size).to.be.at.most(1);
      await sleep(500);
    }
    const holderId = (await client.query("SELECT lease_owner FROM senders WHERE account = $1", [creds.hospital.account])).rows[0].lease_owner;
    const [holder, other] = holderId === "replica-a" ? [a, b] : [b, a];
    const [holderLoad, otherLoad] = holder === a ? [loadA, loadB] : [loadB, loadA];
    const fromHolder = await holderLoad.stop();

    holder.proc.kill("SIGKILL");
    const killedAt = Date.now();
    await holder.exited;
    const otherId = holderId === "replica-a" ? "replica-b" : "replica-a";
    await waitFor(
      "the survivor to take the hospital's lease",
      async () => (await sample()).some((r) => r.account === creds.hospital.account && r.lease_owner === otherId),
      30_000,
      200,
    );
    const leaseTakenMs = Date.now() - killedAt;
    const firstSend = await waitFor("the survivor to send", async () => logLines(other).find((l) => l.msg === "batch sent" && l.time >= killedAt), 30_000, 100);
    const takeoverMs = firstSend.time - killedAt;
    await sleep(3_000);
    const fromOther = await otherLoad.stop();

    const all = [...fromHolder, ...fromOther];
    expect(all.filter((r) => r.status !== 201)).to.have.length(0);
    const issued = all.map((r) => r.issued!);
    for (const bill of issued) await waitAnchored(other.url, bill.key, bill.id, 90_000);
    await expectAnchoredExactlyOnce(other.url, node.url, creds.registryAddress, issued);

    // Gapless and unique per bill code, across both processes.
    const numbering = (
      await client.query(
        "SELECT bill_code, count(*)::int AS n, count(DISTINCT bill_number)::int AS d, min(bill_number::bigint)::bigint AS lo, max(bill_number::bigint)::bigint AS hi FROM bills GROUP BY bill_code",
      )
    ).rows;
    for (const r of numbering) {
      expect(r.d, `bill code ${r.bill_code}`).to.equal(r.n);
      expect(Number(r.hi) - Number(r.lo) + 1, `bill code ${r.bill_code}`).to.equal(r.n);
    }
    expect(numbering.reduce((s, r) => s + r.n, 0)).to.equal(issued.length);
    // One sender at a time: the killed process's sends all precede the survivor's, per account; no nonce twice.
    const sends = (s: ServiceProcess) => logLines(s).filter((l) => l.msg === "batch sent");
    expect(sends(other).filter((l) => l.time < killedAt)).to.have.length(0);
    const nonces = (await client.query("SELECT account, nonce FROM batches WHERE state = 'confirmed'")).rows;
    expect(new Set(nonces.map((r) => `${r.account}:${r.nonce}`)).size).to.equal(nonces.length);
    expect(logLines(other).filter((l) => /nonce consumed/.test(l.msg))).to.have.length(0);
    for (const [, set] of owners) expect(set.size).to.be.at.most(2);

    expect(takeoverMs).to.be.below(20_000);
    console.log(
      `      replicas: ${issued.length} bills (${fromHolder.length} via the killed process), lease taken over ${(leaseTakenMs / 1000).toFixed(1)} s and first send ${(takeoverMs / 1000).toFixed(1)} s after SIGKILL`,
    );
  });
});
