/**
 * Issuing throughput: mixed medical and donation bills POSTed over keep-alive HTTP to the running
 * service, at a concurrency that keeps its event loop saturated.
 */
import fs from "node:fs";
import path from "node:path";
import { runLoad, type LoadResult } from "./load";
import { donationBody, medicalBody } from "./bodies";

export interface DemoKeys {
  hospital: string;
  charity: string;
}

export function demoKeys(dataDir: string): DemoKeys {
  const c = JSON.parse(fs.readFileSync(path.join(dataDir, "demo-credentials.json"), "utf8")) as { hospital: { apiKey: string }; charity: { apiKey: string } };
  return { hospital: c.hospital.apiKey, charity: c.charity.apiKey };
}

export interface IssueLoadOptions {
  url: string;
  keys: DemoKeys;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** keep up to this many verify URLs of issued bills (for the verification load) */
  keepVerifyUrls?: number;
  /** where to POST: the service's /api/v1/invoices (default), or the bare baseline's /bills */
  path?: string;
}

export interface IssueLoadResult extends LoadResult {
  verifyUrls: string[];
  /** bytes of the first 201 answer's body (the bare baseline answers as many) */
  answerBytes: number;
}

/** Precomputed request bodies: the load generator should not spend its CPU on JSON.stringify. */
function bodies(n: number): string[] {
  return Array.from({ length: n }, (_, i) => JSON.stringify(i % 2 ? donationBody(i) : medicalBody(i)));
}

export async function issueLoad(o: IssueLoadOptions): Promise<IssueLoadResult> {
  const pool = bodies(240);
  const verifyUrls: string[] = [];
  const keep = o.keepVerifyUrls ?? 0;
  let answerBytes = 0;
  const result = await runLoad({
    url: o.url,
    concurrency: o.concurrency,
    warmupMs: o.warmupMs,
    durationMs: o.durationMs,
    okStatus: 201,
    next: (i) => ({
      method: "POST",
      path: o.path ?? "/api/v1/invoices",
      headers: { "content-type": "application/json", authorization: `Bearer ${i % 2 ? o.keys.charity : o.keys.hospital}` },
      body: pool[i % pool.length],
    }),
    // both the service's and the baseline's answers are parsed alike (the first `keep`), so both loads cost this process the same
    onBody: (body) => {
      answerBytes ||= Buffer.byteLength(body);
      if (verifyUrls.length < keep) {
        const url = (JSON.parse(body) as { verifyUrl?: string }).verifyUrl;
        if (url) verifyUrls.push(url);
      }
    },
  });
  return { ...result, verifyUrls, answerBytes };
}
