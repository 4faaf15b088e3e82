/**
 * Verification under concurrent load: GET of bills' QR URLs with Accept: application/json against
 * the running service, then the same load against a bare Express process answering a fixed JSON,
 * on the same machine in the same run. The ratio says what lianpiao's verification costs over HTTP alone.
 */
import { runLoad, type LoadResult } from "./load";
import type { Proc } from "./procs";
import { quantile } from "./stats";

export interface VerifyResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  bareExpressRequestsPerSecond: number;
  bareExpressP99Ms: number;
  ratioToBareExpress: number;
  /** the service's p99 ÷ the baseline's p99 */
  p99Ratio: number;
  /** verdicts seen in a sample of the answers */
  verdicts: Record<string, number>;
  failed: number;
  firstFailure: string | null;
}

export interface VerifyOptions {
  /** the bare Express baseline (procs.ts startBareExpress) */
  bare: Proc;
  serviceUrl: string;
  verifyUrls: string[];
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

/** path + query of a verify URL, whatever host PUBLIC_BASE_URL names */
function pathOf(url: string): string {
  const u = new URL(url);
  return u.pathname + u.search;
}

export async function measureVerification(o: VerifyOptions): Promise<VerifyResult> {
  if (o.verifyUrls.length === 0) throw new Error("no issued bills to verify");
  const paths = o.verifyUrls.map(pathOf);
  const verdicts: Record<string, number> = {};
  let sampled = 0;
  const service: LoadResult = await runLoad({
    url: o.serviceUrl,
    concurrency: o.concurrency,
    warmupMs: o.warmupMs,
    durationMs: o.durationMs,
    okStatus: 200,
    next: (i) => ({ method: "GET", path: paths[i % paths.length], headers: { accept: "application/json" } }),
    onBody: (body) => {
      if (sampled++ % 50 !== 0) return;
      const v = String((JSON.parse(body) as { verdict?: unknown }).verdict);
      verdicts[v] = (verdicts[v] ?? 0) + 1;
    },
  });
  const baseline: LoadResult = await runLoad({
    url: o.bare.url,
    concurrency: o.concurrency,
    warmupMs: o.warmupMs,
    durationMs: o.durationMs,
    okStatus: 200,
    next: () => ({ method: "GET", path: "/fixed", headers: { accept: "application/json" } }),
    // parse as the service's answers are parsed, so both loads cost this process the same
    onBody: (body) => void (sampled++ % 50 === 0 && JSON.parse(body)),
  });
  return {
    requestsPerSecond: service.perSecond,
    p50Ms: quantile(service.latencies, 0.5),
    p99Ms: quantile(service.latencies, 0.99),
    bareExpressRequestsPerSecond: baseline.perSecond,
    bareExpressP99Ms: quantile(baseline.latencies, 0.99),
    ratioToBareExpress: baseline.perSecond > 0 ? service.perSecond / baseline.perSecond : 0,
    p99Ratio: quantile(service.latencies, 0.99) / quantile(baseline.latencies, 0.99),
    verdicts,
    failed: service.failed,
    firstFailure: service.firstFailure,
  };
}
