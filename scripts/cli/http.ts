/**
 * The HTTP side of the CLI: the service URL and API key from options or the environment, and a call
 * that turns problem+json answers into one readable error line.
 */
export interface ApiTarget {
  url: string;
  key: string;
}

export function apiTarget(o: { url?: string; key?: string }): ApiTarget {
  const url = (o.url ?? process.env.LIANPIAO_URL ?? "http://localhost:3000").replace(/\/+$/, "");
  const key = o.key ?? process.env.LIANPIAO_API_KEY;
  if (!key) throw new CliError("give the bureau API key with --key or LIANPIAO_API_KEY");
  return { url, key };
}

export class CliError extends Error {}

export async function apiCall<T = unknown>(t: ApiTarget, method: string, path: string, body?: unknown): Promise<T> {
  let r: Response;
  try {
    r = await fetch(t.url + path, {
      method,
      headers: { authorization: `Bearer ${t.key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new CliError(`cannot reach ${t.url}: ${(err as Error).message}`);
  }
  const text = await r.text();
  const json = (text ? JSON.parse(text) : null) as { code?: string; detail?: string; errors?: Array<{ path: string; message: string }> } | null;
  if (!r.ok) {
    const errors = Array.isArray(json?.errors) ? ` (${json.errors.map((e) => `${e.path}: ${e.message}`).join("; ")})` : "";
    throw new CliError(`${r.status} ${json?.code ?? ""}: ${json?.detail ?? text}${errors}`);
  }
  return json as T;
}
