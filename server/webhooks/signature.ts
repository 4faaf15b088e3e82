/**
 * Webhook signatures: HMAC-SHA256 over "<timestamp>.<raw body>" with the subscription's secret.
 *
 *     Lianpiao-Signature: t=1764210000,v1=5f2b…(64 hex)
 *
 * `t` is the sending time in Unix seconds. A receiver recomputes the HMAC over exactly the bytes it
 * received, compares in constant time, and refuses a `t` more than its tolerance (300 s) from its own
 * clock: a captured delivery cannot be replayed later. Retries are signed again with a new `t`.
 */
import crypto from "node:crypto";

export const SIGNATURE_HEADER = "Lianpiao-Signature";
export const DEFAULT_TOLERANCE_S = 300;

export function sign(secret: string, timestamp: number, body: string): string {
  return crypto.createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

export function signatureHeader(secret: string, body: string, now = Date.now()): string {
  const t = Math.floor(now / 1000);
  return `t=${t},v1=${sign(secret, t, body)}`;
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: "MALFORMED" | "TIMESTAMP_OUT_OF_TOLERANCE" | "SIGNATURE_MISMATCH" };

/** The receiver's check (the recipe of the README, as code): header, raw body, secret. */
export function verifySignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  opts: { now?: number; toleranceS?: number } = {},
): VerifyResult {
  const parts = Object.fromEntries((header ?? "").split(",").map((p) => p.trim().split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!/^\d{1,12}$/.test(parts.t ?? "") || !/^[0-9a-f]{64}$/.test(parts.v1 ?? "")) return { ok: false, reason: "MALFORMED" };
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  if (Math.abs(now - t) > (opts.toleranceS ?? DEFAULT_TOLERANCE_S)) return { ok: false, reason: "TIMESTAMP_OUT_OF_TOLERANCE" };
  const expected = Buffer.from(sign(secret, t, body), "hex");
  return crypto.timingSafeEqual(expected, Buffer.from(parts.v1, "hex")) ? { ok: true, timestamp: t } : { ok: false, reason: "SIGNATURE_MISMATCH" };
}
