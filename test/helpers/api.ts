/**
 * A small HTTP client for tests: JSON in and out, the API key as a bearer token.
 */
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (opts.body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
  const r = await fetch(base + path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body),
  });
  const text = await r.text();
  let body: any = text;
  if ((r.headers.get("content-type") ?? "").includes("json")) body = text ? JSON.parse(text) : null;
  return { status: r.status, headers: r.headers, body };
}

/** SPEC §7's two request bodies, exactly as they stand (one copy, shared with the scripts). */
export { MEDICAL_EXAMPLE, DONATION_EXAMPLE, INPATIENT_EXAMPLE, IN_KIND_EXAMPLE } from "../../scripts/lib/spec-examples";

export async function waitAnchored(base: string, key: string, id: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await call(base, "GET", `/api/v1/invoices/${id}`, { key });
    if (r.status === 200 && r.body.status === "anchored" && r.body.anchor) return r.body;
    if (Date.now() > deadline) throw new Error(`bill ${id} not anchored within ${timeoutMs} ms: ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
