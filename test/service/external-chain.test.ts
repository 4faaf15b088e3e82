// The service on PostgreSQL against a `hardhat node` process with 1-second blocks (no automine).
import { expect } from "chai";
import { call, DONATION_EXAMPLE, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { expectAnchoredExactlyOnce, type Issued } from "../helpers/chain-check";
import { createTestDatabase } from "../helpers/pg";
import { startHardhatNode, startService, type ChainNode, type DemoCreds, type ServiceProcess } from "../helpers/processes";

describe("issuing on PostgreSQL against a hardhat node with 1-second blocks", function () {
  this.timeout(240_000);
  let node: ChainNode;
  let db: { url: string; drop(): Promise<void> };
  let svc: ServiceProcess;
  let creds: DemoCreds;

  before(async () => {
    node = await startHardhatNode({ intervalMs: 1000 });
    db = await createTestDatabase();
    svc = await startService({ RPC_URL: node.url, BOOTSTRAP: "dev", DATABASE_URL: db.url, CONFIRMATIONS: "2" });
    creds = svc.credentials();
  });
  after(async () => {
    await svc?.stop();
    await node?.stop();
    await db?.drop();
  });

  it("anchors every bill of a parallel burst exactly once, after two confirmations", async () => {
    const bodies = Array.from({ length: 40 }, (_, i) =>
      i % 2 ? { key: creds.charity, body: DONATION_EXAMPLE } : { key: creds.hospital, body: MEDICAL_EXAMPLE },
    );
    const replies = await Promise.all(bodies.map((b) => call(svc.url, "POST", "/api/v1/invoices", { key: b.key.apiKey, body: b.body })));
    for (const r of replies) expect(r.status, JSON.stringify(r.body)).to.equal(201);
    const issued: Issued[] = replies.map((r, i) => ({ id: r.body.id, key: bodies[i].key.apiKey, account: bodies[i].key.account }));
    for (const b of issued) {
      const got = await waitAnchored(svc.url, b.key, b.id, 60_000);
      expect(got.anchor.confirmations).to.be.at.least(2);
    }
    const { roots } = await expectAnchoredExactlyOnce(svc.url, node.url, creds.registryAddress, issued);
    // batching: far fewer transactions than bills
    expect(roots).to.be.below(issued.length / 2);
  });

  it("numbers stay unique and gapless per bill code on PostgreSQL under concurrency", async () => {
    const replies = await Promise.all(
      Array.from({ length: 50 }, () => call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE })),
    );
    const numbers = replies.map((r) => Number(r.body.billNumber)).sort((a, b) => a - b);
    expect(new Set(numbers).size).to.equal(50);
    expect(numbers[49] - numbers[0]).to.equal(49);
  });
});
