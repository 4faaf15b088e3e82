// Fetching, opening and re-zipping OFD packages in tests.
import { expect } from "chai";
import { unzipSync, zipSync, type Zippable } from "fflate";

export async function fetchOfd(base: string, key: string, id: string): Promise<{ bytes: Buffer; type: string | null }> {
  const r = await fetch(`${base}/api/v1/invoices/${id}/ofd`, { headers: { authorization: `Bearer ${key}` } });
  expect(r.status).to.equal(200);
  return { bytes: Buffer.from(await r.arrayBuffer()), type: r.headers.get("content-type") };
}

export async function uploadOfd(base: string, ofd: Buffer): Promise<{ status: number; body: any }> {
  const r = await fetch(`${base}/api/v1/verify`, { method: "POST", headers: { "content-type": "application/ofd" }, body: ofd });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

/** The package's entries, in order. */
export function entriesOf(ofd: Buffer): Array<[string, Uint8Array]> {
  return Object.entries(unzipSync(new Uint8Array(ofd)));
}

/**
 * The package again with `change` applied to its entries, zipped as the renderer zips (stored, same
 * order, same times): only what `change` touches differs.
 */
export function rezip(ofd: Buffer, issuedAt: string, change: (entries: Map<string, Uint8Array>) => void): Buffer {
  const entries = new Map(entriesOf(ofd));
  change(entries);
  const mtime = new Date(Number(issuedAt.slice(0, 4)), Number(issuedAt.slice(5, 7)) - 1, Number(issuedAt.slice(8, 10)), 12, 0, 0);
  const z: Zippable = {};
  for (const [name, data] of entries) z[name] = [data, { level: 0, mtime }];
  return Buffer.from(zipSync(z));
}

export const text = (b: Uint8Array) => Buffer.from(b).toString("utf8");
