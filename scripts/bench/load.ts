/**
 * A closed-loop HTTP load generator: `concurrency` keep-alive connections, each sending its next
 * request as soon as the previous answer is read. Requests in the warm-up are not counted; the run
 * stops at the deadline (bounded) and waits for the requests in flight.
 */
import http from "node:http";

export interface LoadRequest {
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  url: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** the i-th request (i counts from 0 over the whole run) */
  next(i: number): LoadRequest;
  /** the status that counts as success */
  okStatus: number;
  /** called with each successful answer's body when set (costs a parse in this process) */
  onBody?(body: string, latencyMs: number, sentAt: number): void;
}

export interface LoadResult {
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  /** latencies of the successful measured requests, ms */
  latencies: number[];
  elapsedMs: number;
  perSecond: number;
  /** the first failure's status and body, for the report */
  firstFailure: string | null;
}

function send(agent: http.Agent, base: URL, req: LoadRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...(req.headers ?? {}) };
    if (req.body !== undefined) headers["content-length"] = Buffer.byteLength(req.body);
    const r = http.request({ host: base.hostname, port: base.port, method: req.method, path: req.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    r.on("error", reject);
    r.end(req.body);
  });
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const base = new URL(o.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const start = performance.now();
  const measureFrom = start + o.warmupMs;
  const stopAt = measureFrom + o.durationMs;
  const result: LoadResult = { ok: 0, failed: 0, statuses: {}, latencies: [], elapsedMs: 0, perSecond: 0, firstFailure: null };
  let i = 0;
  let lastEnd = measureFrom;
  const worker = async () => {
    while (performance.now() < stopAt) {
      const req = o.next(i++);
      const sentAt = performance.now();
      let status = 0;
      let body = "";
      try {
        ({ status, body } = await send(agent, base, req));
      } catch (err) {
        body = String(err);
      }
      const end = performance.now();
      const latency = end - sentAt;
      if (status === o.okStatus) o.onBody?.(body, latency, sentAt);
      if (sentAt < measureFrom) continue;
      lastEnd = Math.max(lastEnd, end);
      result.statuses[status] = (result.statuses[status] ?? 0) + 1;
      if (status === o.okStatus) {
        result.ok++;
        result.latencies.push(latency);
      } else {
        result.failed++;
        result.firstFailure ??= `${status} ${body.slice(0, 300)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  agent.destroy();
  result.elapsedMs = lastEnd - measureFrom;
  result.perSecond = result.elapsedMs > 0 ? (result.ok * 1000) / result.elapsedMs : 0;
  return result;
}
