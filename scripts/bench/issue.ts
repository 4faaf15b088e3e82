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
}

export interface IssueLoadResult extends LoadResult {
  verifyUrls: string[];
}

/** Precomputed request bodies: the load generator should not spend its CPU on JSON.stringify. */
function bodies(n: number): string[] {
  return Array.from({ length: n }, (_, i) => JSON.stringify(i % 2 ? donationBody(i) : medicalBody(i)));
}

export async function issueLoad(o: IssueLoadOptions): Promise<IssueLoadResult> {
  const pool = bodies(240);
  const verifyUrls: string[] = [];
  const keep = o.keepVerifyUrls ?? 0;
  const result = await runLoad({
    url: o.url,
    concurrency: o.concurrency,
    warmupMs: o.warmupMs,
    durationMs: o.durationMs,
    okStatus: 201,
    next: (i) => ({
      method: "POST",
      path: "/api/v1/invoices",
      headers: { "content-type": "application/json", authorization: `Bearer ${i % 2 ? o.keys.charity : o.keys.hospital}` },
      body: pool[i % pool.length],
    }),
    onBody: keep > 0 ? (body) => {
      if (verifyUrls.length < keep) verifyUrls.push((JSON.parse(body) as { verifyUrl: string }).verifyUrl);
    } : undefined,
  });
  return { ...result, verifyUrls };
}
