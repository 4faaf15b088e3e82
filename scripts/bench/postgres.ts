/**
 * Issuing on PostgreSQL: the same load against the service with DATABASE_URL (the embedded chain, so
 * that only the store differs from the embedded phase), then against two replicas sharing one
 * PostgreSQL and one `hardhat node` (automine), the load split evenly between them. Each run has its
 * own fresh database, dropped afterwards. PostgreSQL: BENCH_DATABASE_URL, else TEST_DATABASE_URL,
 * else postgres://postgres@127.0.0.1:5432/test (the server `npm test` uses).
 */
import path from "node:path";
import pg from "pg";
import { demoKeys, issueLoad } from "./issue";
import { startHardhatNode, startService, type Proc } from "./procs";
import { quantile } from "./stats";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `lianpiao_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export interface PostgresOptions {
  dir: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

export interface PostgresResult {
  billsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  twoReplicas: { billsPerSecond: number; p50Ms: number; p99Ms: number; failed: number };
}

export async function measurePostgres(o: PostgresOptions): Promise<PostgresResult> {
  const load = (url: string, dataDir: string, concurrency: number) =>
    issueLoad({ url, keys: demoKeys(dataDir), concurrency, warmupMs: o.warmupMs, durationMs: o.durationMs });
  // one replica, embedded chain
  const db = await freshDatabase();
  let one;
  try {
    const dataDir = path.join(o.dir, "pg-service");
    const svc = await startService({ dataDir, env: { DATABASE_URL: db.url } });
    try {
      one = await load(svc.url, dataDir, o.concurrency);
    } finally {
      await svc.stop();
    }
  } finally {
    await db.drop();
  }
  // two replicas, one PostgreSQL, one node
  const db2 = await freshDatabase();
  const node = await startHardhatNode(o.dir, 0);
  const replicas: Proc[] = [];
  let two;
  try {
    // the same DATA_DIR: the second replica reuses the first one's registry, demo keys and keystore password
    const dataDir = path.join(o.dir, "pg-replicas");
    const env = { DATABASE_URL: db2.url, RPC_URL: node.url, BOOTSTRAP: "dev", CONFIRMATIONS: "1" };
    replicas.push(await startService({ dataDir, env: { ...env, INSTANCE_ID: "bench-a" } }));
    replicas.push(await startService({ dataDir, env: { ...env, INSTANCE_ID: "bench-b" } }));
    const half = Math.max(1, Math.floor(o.concurrency / 2));
    const [a, b] = await Promise.all(replicas.map((r) => load(r.url, dataDir, half)));
    const latencies = [...a.latencies, ...b.latencies];
    two = { billsPerSecond: a.perSecond + b.perSecond, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), failed: a.failed + b.failed };
  } finally {
    for (const r of replicas) await r.stop();
    await node.stop();
    await db2.drop();
  }
  return { billsPerSecond: one.perSecond, p50Ms: quantile(one.latencies, 0.5), p99Ms: quantile(one.latencies, 0.99), failed: one.failed, twoReplicas: two };
}
