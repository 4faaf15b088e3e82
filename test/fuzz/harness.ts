/**
 * Sends generated cases to a running service and keeps the ledger the properties are checked on:
 * every answer by status, and the bill numbers of every 201.
 */
import type { DemoCreds } from "../helpers/processes";
import type { FuzzCase } from "./arbitraries";

export interface Answer {
  status: number;
  contentType: string;
  body: any;
}

export class Ledger {
  requests = 0;
  valid = 0;
  invalid = 0;
  fiveXx: Array<{ label: string; status: number; body: unknown }> = [];
  /** bill code → bill numbers of the 201s */
  numbers = new Map<string, number[]>();
  created = 0;
  labels = new Map<string, number>();

  record(c: FuzzCase, a: Answer): void {
    this.requests++;
    if (c.valid) this.valid++;
    else this.invalid++;
    this.labels.set(c.label, (this.labels.get(c.label) ?? 0) + 1);
    if (a.status >= 500) this.fiveXx.push({ label: c.label, status: a.status, body: a.body });
    if (a.status === 201) {
      this.created++;
      const list = this.numbers.get(a.body.billCode) ?? [];
      list.push(Number(a.body.billNumber));
      this.numbers.set(a.body.billCode, list);
    }
  }

  /** Bill codes whose numbers are not one contiguous run without repeats. */
  gaps(): string[] {
    const bad: string[] = [];
    for (const [code, list] of this.numbers) {
      const sorted = [...list].sort((a, b) => a - b);
      if (new Set(sorted).size !== sorted.length || sorted[sorted.length - 1] - sorted[0] + 1 !== sorted.length) bad.push(code);
    }
    return bad;
  }
}

export async function send(base: string, creds: DemoCreds, c: FuzzCase): Promise<Answer> {
  const r = await fetch(`${base}/api/v1/invoices`, {
    method: "POST",
    headers: { authorization: `Bearer ${creds[c.who].apiKey}`, "content-type": c.contentType },
    body: c.body,
  });
  const contentType = r.headers.get("content-type") ?? "";
  const text = await r.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // kept as text
  }
  return { status: r.status, contentType, body };
}

/** The problem with an answer to `c`, or null if it is the answer the case calls for. */
export function wrongAnswer(c: FuzzCase, a: Answer): string | null {
  if (a.status >= 500) return `5xx for ${c.label}: ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`;
  if (c.valid) return a.status === 201 ? null : `valid bill refused (${c.label}): ${a.status} ${JSON.stringify(a.body).slice(0, 500)}`;
  if (a.status < 400) return `invalid request accepted (${c.label}): ${a.status}`;
  if (!a.contentType.startsWith("application/problem+json")) return `4xx without problem+json (${c.label}): ${a.contentType}`;
  if (typeof a.body?.code !== "string" || !a.body.code) return `problem without a code (${c.label})`;
  return null;
}

/** Every bill the bureau can list, page by page. */
export async function countStoredBills(base: string, bureauKey: string): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const q: string = `/api/v1/invoices?limit=200${cursor ? `&before=${encodeURIComponent(cursor)}` : ""}`;
    const r = await fetch(base + q, { headers: { authorization: `Bearer ${bureauKey}` } });
    if (r.status !== 200) throw new Error(`listing bills: ${r.status} ${await r.text()}`);
    const page = (await r.json()) as { items: unknown[]; nextCursor: string | null };
    n += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return n;
}
