/**
 * Fixtures for the verification tests: issuing an anchored bill over HTTP, fetching its PDF, reading
 * its QR code from the pixels, verifying over HTTP. One embedded-default service is shared by the
 * files that need nothing special of it, and stopped after the whole run.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { startService, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { decodeQr, rasterise, savePdf } from "../pdf/helpers";

export interface Issued {
  id: string;
  billCode: string;
  billNumber: string;
  checkCode: string;
  issuedAt: string;
  verifyUrl: string;
  total: string;
}

let shared: Promise<ServiceProcess> | undefined;

/** The embedded default with a verification rate limit high enough for a whole test run. */
export function sharedService(): Promise<ServiceProcess> {
  shared ??= startService({ VERIFY_RATE_PER_MIN: "100000" });
  return shared;
}

after(async () => {
  if (!shared) return;
  const svc = await shared;
  await svc.stop();
  rmSync(svc.dataDir, { recursive: true, force: true });
});

export async function issue(base: string, key: string, body: object = MEDICAL_EXAMPLE): Promise<Issued> {
  const r = await call(base, "POST", "/api/v1/invoices", { key, body });
  expect(r.status, JSON.stringify(r.body)).to.equal(201);
  return r.body as Issued;
}

export async function issueAnchored(base: string, key: string, body: object = MEDICAL_EXAMPLE): Promise<Issued> {
  const bill = await issue(base, key, body);
  await waitAnchored(base, key, bill.id, 60_000);
  return bill;
}

export async function fetchPdf(base: string, key: string, id: string): Promise<Buffer> {
  const r = await fetch(`${base}/api/v1/invoices/${id}/pdf`, { headers: { authorization: `Bearer ${key}` } });
  expect(r.status).to.equal(200);
  return Buffer.from(await r.arrayBuffer());
}

export async function fetchEnvelope(base: string, key: string, id: string): Promise<any> {
  const r = await call(base, "GET", `/api/v1/invoices/${id}/envelope`, { key });
  expect(r.status).to.equal(200);
  return r.body;
}

/** Writes the PDF, rasterises page 1 at 150 dpi with pdftoppm and decodes the QR code with jsQR. */
export function qrOfPdf(pdf: Buffer, name: string): string | null {
  const file = savePdf(name, pdf);
  const [page1] = rasterise(file, name);
  return decodeQr(page1);
}

export async function verifyUrlJson(url: string): Promise<{ status: number; body: any }> {
  const r = await fetch(url, { headers: { accept: "application/json" } });
  return { status: r.status, body: await r.json() };
}

export async function uploadPdf(base: string, pdf: Buffer): Promise<{ status: number; body: any; headers: Headers }> {
  const r = await fetch(`${base}/api/v1/verify`, { method: "POST", headers: { "content-type": "application/pdf" }, body: pdf });
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : null };
}

export function checkOf(v: any, name: string): { status: string; code?: string; detail: string } {
  const c = v.checks.find((x: { name: string }) => x.name === name);
  expect(c, `check ${name} in ${JSON.stringify(v.checks)}`).to.not.equal(undefined);
  return c;
}

/** Every check passed: the five of every verification, and the file check when a file was presented. */
export function expectAllPassed(v: any): void {
  const names = ["integrity", "inclusion", "issuer", "status", "signature", "sm2"];
  expect(v.checks.map((c: any) => c.name)).to.deep.equal(v.checks.some((c: any) => c.name === "file") ? [...names, "file"] : names);
  for (const c of v.checks) expect(c.status, `${c.name}: ${c.detail}`).to.equal("passed");
}

export const screenshotDir = "/tmp";
export const screenshotPath = (name: string) => join(screenshotDir, `lianpiao-verify-${name}.png`);
export type { DemoCreds, ServiceProcess };
