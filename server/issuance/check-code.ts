/**
 * Random identifiers handed to people.
 *
 * The check code (校验码) is typed by hand from paper, so its alphabet drops the look-alikes 0/O and
 * 1/I. What remains is exactly 32 symbols, so one random byte masked to 5 bits picks a symbol without
 * modulo bias. Six symbols give 30 bits: enough against guessing, because the manual check also needs
 * the bill code, number, date and total, and is rate limited.
 *
 * Bill ids and verify keys appear in URLs: base64url, no padding.
 */
import { randomBytes } from "node:crypto";

export const CHECK_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
export const CHECK_CODE_LENGTH = 6;

export function newCheckCode(): string {
  const bytes = randomBytes(CHECK_CODE_LENGTH);
  let out = "";
  for (const b of bytes) out += CHECK_CODE_ALPHABET[b & 31];
  return out;
}

const CHECK_CODE_RE = new RegExp(`^[${CHECK_CODE_ALPHABET}]{${CHECK_CODE_LENGTH}}$`);

export function isCheckCode(text: unknown): text is string {
  return typeof text === "string" && CHECK_CODE_RE.test(text);
}

/** A bill id for URLs: 12 random bytes (96 bits) → 16 base64url characters. */
export function newBillId(): string {
  return randomBytes(12).toString("base64url");
}

/** A per-bill verify key (the `k` of the QR URL): 16 random bytes (128 bits) → 22 base64url chars. */
export function newVerifyKey(): string {
  return randomBytes(16).toString("base64url");
}
