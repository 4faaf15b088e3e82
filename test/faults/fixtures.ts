/**
 * Shared setup of the fault suite: raw JSON-RPC to a node, reading the service's JSON log, and a
 * steady issuing load that records every answer.
 */
import { call, DONATION_EXAMPLE, MEDICAL_EXAMPLE } from "../helpers/api";
import type { Issued } from "../helpers/chain-check";
import { waitFor, type DemoCreds, type ServiceProcess } from "../helpers/processes";

export async function rpc<T = any>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await r.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

export interface LogLine {
  msg: string;
  [k: string]: any;
}

/** The service's pino lines (JSON), in order. */
export function logLines(svc: ServiceProcess): LogLine[] {
  const out: LogLine[] = [];
  for (const line of svc.output().split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      out.push(JSON.parse(line) as LogLine);
    } catch {
      // a line cut by the kill
    }
  }
  return out;
}

export function waitLog(svc: ServiceProcess, msg: string, pred: (l: LogLine) => boolean = () => true, timeoutMs = 60_000): Promise<LogLine> {
  return waitFor(`log line "${msg}"`, async () => logLines(svc).find((l) => l.msg === msg && pred(l)), timeoutMs, 50);
}

export interface LoadResult {
  at: number;
  status: number;
  issued?: Issued & { billCode: string; billNumber: string; verifyUrl: string };
}

/** Issues `perSecond` bills a second (medical and donation in turn) until stopped. */
export function issuingLoad(target: () => ServiceProcess, creds: DemoCreds, perSecond: number) {
  const results: LoadResult[] = [];
  const inflight = new Set<Promise<void>>();
  let i = 0;
  const one = async () => {
    const who = i++ % 2 ? creds.charity : creds.hospital;
    const body = who === creds.charity ? DONATION_EXAMPLE : MEDICAL_EXAMPLE;
    const at = Date.now();
    const r = await call(target().url, "POST", "/api/v1/invoices", { key: who.apiKey, body }).catch(() => ({ status: 0, body: null }));
    results.push({
      at,
      status: r.status,
      issued:
        r.status === 201
          ? { id: r.body.id, key: who.apiKey, account: who.account, billCode: r.body.billCode, billNumber: r.body.billNumber, verifyUrl: r.body.verifyUrl }
          : undefined,
    });
  };
  const timer = setInterval(() => {
    const p = one().finally(() => inflight.delete(p));
    inflight.add(p);
  }, 1000 / perSecond);
  return {
    results,
    stop: async () => {
      clearInterval(timer);
      await Promise.all(inflight);
      return results;
    },
  };
}

/** Stops automatic block production; blocks come only from evm_mine. */
export async function stopMining(url: string): Promise<void> {
  await rpc(url, "evm_setAutomine", [false]);
  await rpc(url, "evm_setIntervalMining", [0]);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
