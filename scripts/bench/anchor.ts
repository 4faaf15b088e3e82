/**
 * Time to anchored: the service against a `hardhat node` process mining a block every second
 * (RPC_URL + BOOTSTRAP=dev), under the issuing load. The service's own timestamps are the clock:
 * a bill's created_at (set in the transaction that answers 201) to its batch's confirmed_at (set
 * when the batch has its confirmations and the bill turns `anchored`), read from the store file.
 */
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { issueLoad, demoKeys, type IssueLoadResult } from "./issue";
import { startHardhatNode, startService, sleep, type Proc } from "./procs";
import { procMemoryMb } from "./machine";
import { quantile } from "./stats";

export interface AnchorOptions {
  dir: string;
  blockMs: number;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** how long to wait for the last bills to be anchored after the load stops */
  drainMs: number;
  serviceEnv?: Record<string, string>;
}

export interface AnchorResult {
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  bills: number;
  /** bills of the measured window still pending when the wait ended */
  unanchored: number;
  batches: number;
  meanBatchSize: number;
  confirmations: number;
  issuing: IssueLoadResult;
  peakRssMb: number | null;
}

interface Timing {
  created_at: number;
  confirmed_at: number | null;
  batch_id: string | null;
}

function readTimings(file: string, since: number): Timing[] {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(
        "SELECT b.created_at, t.confirmed_at, b.batch_id FROM bills b LEFT JOIN batches t ON t.id = b.batch_id AND t.state = 'confirmed' WHERE b.created_at >= ? AND b.red_of_id IS NULL",
      )
      .all(since) as Timing[];
  } finally {
    db.close();
  }
}

export async function measureAnchoring(o: AnchorOptions): Promise<AnchorResult> {
  const node = await startHardhatNode(o.dir, o.blockMs);
  let service: Proc | null = null;
  try {
    const dataDir = path.join(o.dir, "anchor-service");
    service = await startService({ dataDir, env: { RPC_URL: node.url, BOOTSTRAP: "dev", ...(o.serviceEnv ?? {}) } });
    const since = Date.now() + o.warmupMs;
    const issuing = await issueLoad({ url: service.url, keys: demoKeys(dataDir), concurrency: o.concurrency, warmupMs: o.warmupMs, durationMs: o.durationMs });
    const file = path.join(dataDir, "lianpiao.sqlite");
    const deadline = Date.now() + o.drainMs;
    let rows = readTimings(file, since);
    while (rows.some((r) => r.confirmed_at === null) && Date.now() < deadline) {
      await sleep(250);
      rows = readTimings(file, since);
    }
    const peakRssMb = procMemoryMb(service.pid);
    const done = rows.filter((r) => r.confirmed_at !== null);
    const latencies = done.map((r) => (r.confirmed_at as number) - r.created_at);
    const batches = new Set(done.map((r) => r.batch_id)).size;
    return {
      p50Ms: quantile(latencies, 0.5),
      p95Ms: quantile(latencies, 0.95),
      maxMs: quantile(latencies, 1),
      bills: done.length,
      unanchored: rows.length - done.length,
      batches,
      meanBatchSize: batches ? done.length / batches : 0,
      confirmations: Number(o.serviceEnv?.CONFIRMATIONS ?? 2),
      issuing,
      peakRssMb,
    };
  } finally {
    await service?.stop();
    await node.stop();
  }
}
