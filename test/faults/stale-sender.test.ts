// A sender whose RPC calls hang past its lease must not act on what it read before the other replica
// took over: the batch the survivor anchored stays anchored, and the stale process sends nothing.
import { expect } from "chai";
import pg from "pg";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { expectAnchoredExactlyOnce, type Issued } from "../helpers/chain-check";
import { createTestDatabase } from "../helpers/pg";
import { startHardhatNode, startService, tempDir, waitFor, type ChainNode, type ServiceProcess } from "../helpers/processes";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy";
import { logLines, sleep } from "./fixtures";

describe("replicas: a sender stalled past its lease", function () {
  this.timeout(240_000);
  let node: ChainNode;
  let proxy: TcpProxy;
  let db: { url: string; drop(): Promise<void> };
  const svcs: ServiceProcess[] = [];

  before(async () => {
    node = await startHardhatNode({ intervalMs: 1000 });
    proxy = await startTcpProxy({ port: node.port });
    db = await createTestDatabase();
  });
  after(async () => {
    for (const s of svcs) await s.stop();
    await proxy?.close();
    await node?.stop();
    await db?.drop();
  });

  it("does not overwrite or re-send a batch the other replica anchored while it hung", async () => {
    const dataDir = tempDir();
    const env = { BOOTSTRAP: "dev", DATABASE_URL: db.url, CONFIRMATIONS: "1", BATCH_MAX_AGE_MS: "200" };
    // A reaches the node through the proxy, with an RPC deadline far beyond the 10 s lease.
    const a = await startService({ ...env, RPC_URL: proxy.url, RPC_TIMEOUT_MS: "30000", INSTANCE_ID: "stale-a" }, { dataDir });
    svcs.push(a);
    const b = await startService({ ...env, RPC_URL: node.url, INSTANCE_ID: "fresh-b" }, { dataDir });
    svcs.push(b);
    const creds = b.credentials();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const owner = async () => (await client.query("SELECT lease_owner FROM senders WHERE account = $1", [creds.hospital.account])).rows[0]?.lease_owner;
      await waitFor("A to hold the hospital's lease", async () => (await owner()) === "stale-a");

      proxy.stall();
      const stalledAt = Date.now();
      const r = await call(b.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
      expect(r.status).to.equal(201);
      const bill: Issued = { id: r.body.id, key: creds.hospital.apiKey, account: creds.hospital.account };
      // A builds the batch and hangs in its first RPC call; its lease runs out and B anchors the batch.
      const anchored = await waitAnchored(b.url, bill.key, bill.id, 60_000);
      expect(await owner()).to.equal("fresh-b");
      await proxy.restore();
      await sleep(Math.max(0, stalledAt + 32_000 - Date.now())); // A's stalled call has returned or timed out
      await sleep(3_000);

      const batch = (await client.query("SELECT state, tx_hash, raw_txs FROM batches WHERE root = $1", [anchored.anchor.root])).rows;
      expect(batch).to.have.length(1);
      expect(batch[0].state).to.equal("confirmed");
      expect(batch[0].tx_hash).to.equal(anchored.anchor.txHash);
      expect(JSON.parse(batch[0].raw_txs)).to.have.length(1);
      expect(logLines(a).filter((l) => l.msg === "batch sent" && l.time >= stalledAt)).to.have.length(0);
      const again = await call(b.url, "GET", `/api/v1/invoices/${bill.id}`, { key: bill.key });
      expect(again.body.status).to.equal("anchored");
      expect(again.body.anchor.txHash).to.equal(anchored.anchor.txHash);
      await expectAnchoredExactlyOnce(b.url, node.url, creds.registryAddress, [bill]);
    } finally {
      await client.end();
    }
  });
});
