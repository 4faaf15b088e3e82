// Hardening 5: one rate limit for the whole deployment. Two service processes on one PostgreSQL
// behind no proxy (TRUST_PROXY unset) and one behind a proxy on loopback (TRUST_PROXY=loopback): a
// client gets VERIFY_RATE_PER_MIN public lookups in all, whichever replica answers, and a forged
// X-Forwarded-For no longer makes it a new client.
import { expect } from "chai";
import { createTestDatabase } from "../helpers/pg";
import { startHardhatNode, startService, tempDir, type ChainNode, type ServiceProcess } from "../helpers/processes";

const LIMIT = 6;

describe("one rate limit across replicas on one PostgreSQL", function () {
  this.timeout(300_000);
  let node: ChainNode;
  let db: { url: string; drop(): Promise<void> };
  let direct: ServiceProcess;
  let proxied: ServiceProcess;

  before(async () => {
    node = await startHardhatNode();
    db = await createTestDatabase();
    const dataDir = tempDir();
    const env = { RPC_URL: node.url, BOOTSTRAP: "dev", DATABASE_URL: db.url, CONFIRMATIONS: "1", VERIFY_RATE_PER_MIN: String(LIMIT) };
    direct = await startService({ ...env, INSTANCE_ID: "direct" }, { dataDir });
    proxied = await startService({ ...env, INSTANCE_ID: "proxied", TRUST_PROXY: "loopback" }, { dataDir });
  });
  after(async () => {
    await direct?.stop();
    await proxied?.stop();
    await node?.stop();
    await db?.drop();
  });

  const lookup = (svc: ServiceProcess, headers: Record<string, string> = {}) =>
    fetch(`${svc.url}/api/v1/verify/manual`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: "{}" });

  it(`answers the ${LIMIT + 1}th lookup of one client in a minute with 429 from either replica, a forged X-Forwarded-For changing nothing`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) {
      // a forged header on the replica that trusts no proxy: still the same client
      const r = await lookup(i % 2 ? proxied : direct, i % 2 ? {} : { "x-forwarded-for": `198.51.100.${i}` });
      statuses.push(r.status);
    }
    expect(statuses).to.not.include(429);
    for (const svc of [direct, proxied, direct]) {
      const r = await lookup(svc);
      expect(r.status, `${svc === direct ? "direct" : "proxied"} replica`).to.equal(429);
      expect(Number(r.headers.get("retry-after"))).to.be.within(1, 60);
      expect(((await r.json()) as { code: string }).code).to.equal("RATE_LIMITED");
    }
    for (let i = 0; i < 5; i++) {
      expect((await lookup(direct, { "x-forwarded-for": `203.0.113.${i}`, "x-real-ip": `203.0.113.${i}` })).status, "forged X-Forwarded-For").to.equal(429);
    }
  });

  it("believes X-Forwarded-For only from a configured proxy: behind it, each forwarded client has its own limit", async () => {
    // the proxied replica's peer is 127.0.0.1, a trusted proxy: the client is the address it forwards
    for (let i = 0; i < LIMIT; i++) expect((await lookup(proxied, { "x-forwarded-for": "192.0.2.10" })).status).to.not.equal(429);
    expect((await lookup(proxied, { "x-forwarded-for": "192.0.2.10" })).status).to.equal(429);
    expect((await lookup(proxied, { "x-forwarded-for": "192.0.2.11" })).status).to.not.equal(429);
    // and the replica that trusts no proxy ignores the header: 127.0.0.1 is still limited
    expect((await lookup(direct, { "x-forwarded-for": "192.0.2.12" })).status).to.equal(429);
  });
});
