// Hardening 5: the rate-limit table. In memory (SQLite deployments) it is bounded without ever being
// wiped for everyone; on PostgreSQL every replica counts in one table, atomically, and windows that
// have ended are deleted.
import { expect } from "chai";
import { MemoryRateLimitStore, PostgresRateLimitStore, RateLimiter, clientKey } from "../../server/http/rate-limit";
import { openStore, type Store } from "../../server/store/database";
import { createTestDatabase } from "../helpers/pg";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("rate-limit windows", function () {
  this.timeout(120_000);

  describe("in memory", () => {
    it("keeps a client that goes on hitting limited while 60,000 other clients come, and never holds more than its bound (the old table was wiped for everyone at 50,001)", async () => {
      const store = new MemoryRateLimitStore(50_000);
      const limiter = new RateLimiter(3, 60_000, { store });
      for (let i = 0; i < 3; i++) expect(await limiter.hit("203.0.113.9")).to.equal(0);
      expect(await limiter.hit("203.0.113.9")).to.be.within(1, 60);
      for (let i = 0; i < 60_000; i++) {
        await limiter.hit(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
        if (i % 1000 === 0) expect(await limiter.hit("203.0.113.9"), `after ${i} others`).to.be.greaterThan(0);
        expect(store.size).to.be.at.most(50_000);
      }
      expect(await limiter.hit("203.0.113.9")).to.be.greaterThan(0);
      expect(await limiter.blocked("203.0.113.9")).to.be.greaterThan(0);
      // the clients that stopped hitting longest ago made room
      expect(await limiter.blocked("10.0.0.0")).to.equal(0);
    });

    it("opens a new window when the last has ended, and blocked() counts nothing", async () => {
      let now = 1_000_000;
      const limiter = new RateLimiter(2, 60_000, { store: new MemoryRateLimitStore(10, () => now) });
      expect(await limiter.blocked("a")).to.equal(0);
      expect(await limiter.blocked("a")).to.equal(0);
      expect(await limiter.hit("a")).to.equal(0);
      expect(await limiter.blocked("a")).to.equal(0);
      expect(await limiter.hit("a")).to.equal(0);
      expect(await limiter.blocked("a")).to.equal(60);
      now += 45_000;
      expect(await limiter.hit("a")).to.equal(15);
      now += 15_000;
      expect(await limiter.hit("a")).to.equal(0);
    });
  });

  it("counts IPv6 clients per /64 network and IPv4-mapped addresses as IPv4", () => {
    expect(clientKey("2001:db8:1:2:aaaa::1")).to.equal(clientKey("2001:0db8:0001:0002:ffff:ffff:ffff:fffe"));
    expect(clientKey("2001:db8:1:2::1")).to.equal("2001:db8:1:2::/64");
    expect(clientKey("2001:db8:1:3::1")).to.not.equal(clientKey("2001:db8:1:2::1"));
    expect(clientKey("::1")).to.equal("0:0:0:0::/64");
    expect(clientKey("::ffff:127.0.0.1")).to.equal("127.0.0.1");
    expect(clientKey("198.51.100.7")).to.equal("198.51.100.7");
    expect(clientKey(undefined)).to.equal("unknown");
  });

  describe("on PostgreSQL", () => {
    let db: { url: string; drop(): Promise<void> };
    let a: Store;
    let b: Store;

    before(async () => {
      db = await createTestDatabase();
      a = await openStore({ databaseUrl: db.url });
      b = await openStore({ databaseUrl: db.url });
    });
    after(async () => {
      await a?.close();
      await b?.close();
      await db?.drop();
    });

    it("counts the hits of two stores (two replicas) on one table, each hit one atomic step", async () => {
      const stores = [new PostgresRateLimitStore(a.db), new PostgresRateLimitStore(b.db)];
      const windows = await Promise.all(Array.from({ length: 60 }, (_, i) => stores[i % 2].hit("verify:198.51.100.7", 60_000)));
      expect(windows.map((w) => w.count).sort((x, y) => x - y)).to.deep.equal(Array.from({ length: 60 }, (_, i) => i + 1));
      expect(new Set(windows.map((w) => w.resetAt)).size).to.equal(1);
      const limiter = new RateLimiter(60, 60_000, { store: stores[1], name: "verify" });
      expect(await limiter.blocked("198.51.100.7")).to.be.within(1, 60);
      expect(await limiter.hit("198.51.100.7")).to.be.within(1, 60);
    });

    it("starts a new window when the last has ended, and deletes the windows that have ended", async () => {
      const store = new PostgresRateLimitStore(a.db);
      expect((await store.hit("x:1", 300)).count).to.equal(1);
      expect((await store.hit("x:1", 300)).count).to.equal(2);
      await store.hit("x:2", 300);
      await store.hit("x:3", 60_000);
      await sleep(350);
      expect(await store.peek("x:1")).to.equal(null);
      expect((await store.hit("x:1", 300)).count).to.equal(1);
      await sleep(350);
      expect(await store.sweep()).to.be.at.least(2);
      const left = await a.db.selectFrom("rate_limits").select("bucket").where("bucket", "like", "x:%").execute();
      expect(left.map((r) => r.bucket)).to.deep.equal(["x:3"]);
    });
  });
});
