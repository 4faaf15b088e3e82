/**
 * Redacted copies (docs/PROTOCOL.md §3 and §10, "Copies"): a holder hands a relying party a copy of the
 * bill with chosen fields withheld — the ID number, the items (the totals stay), the payer's or donor's
 * name. A withheld field leaves the copy with its salt; its commitment stays, so the copy hashes to the
 * same bill hash and verifies VALID, and the verification lists what was withheld. Each field has its
 * own 256-bit salt (commitments.ts newSalts), so a withheld low-entropy value such as an ID number
 * cannot be found by trying candidates against its commitment.
 *
 * A copy's PDF is issued deterministically like the holder's own (server/pdf/render.ts), from the
 * copy's envelope and the copy's link: its QR code is a copy link `/v/<id>/copy?w=<names>&c=<mac>`,
 * never the holder's link with its key `k` (whoever has `k` can fetch the complete bill). The mac binds
 * the withheld names to the bill's key, so a copy link cannot be made for another set of fields.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { withhold } from "./commitments";
import type { Bill, BillEnvelope } from "./model";
import { ApiError } from "../http/errors";
import { textOf } from "../format/text";

/** The names a holder picks from, in their canonical order. */
export const WITHHOLDABLE = ["idNumber", "items", "payerName"] as const;
export type Withholdable = (typeof WITHHOLDABLE)[number];

/** The bill fields a name stands for (the donor is a donation receipt's payer). */
function pointersFor(name: Withholdable, bill: Bill): string[] {
  const holder = bill.kind === "medical" ? "/payer" : "/donor";
  if (name === "idNumber") return [`${holder}/idNumber`];
  if (name === "payerName") return [`${holder}/name`];
  return ["/items"];
}

export type ParsedWithhold = { ok: true; names: Withholdable[] } | { ok: false; unknown: string[] };

/** "idNumber,items" → the names, deduplicated and in canonical order; unknown names are listed. */
export function parseWithhold(text: unknown): ParsedWithhold {
  if (typeof text !== "string" || text.trim() === "") return { ok: false, unknown: [textOf(text)] };
  const given = text.split(",").map((s) => s.trim());
  const unknown = given.filter((g) => !(WITHHOLDABLE as readonly string[]).includes(g));
  if (unknown.length > 0) return { ok: false, unknown };
  return { ok: true, names: WITHHOLDABLE.filter((n) => given.includes(n)) };
}

/** The copy of a complete envelope with these fields withheld (a field the bill does not show is skipped). */
export function redactedCopy(env: BillEnvelope, names: readonly Withholdable[]): BillEnvelope {
  const pointers = names
    .flatMap((n) => pointersFor(n, env.bill))
    .filter((p) => env.salts[p] !== undefined || Object.keys(env.salts).some((s) => s.startsWith(`${p}/`)));
  if (pointers.length === 0) return env;
  const d = withhold({ bill: env.bill as unknown as Record<string, unknown>, salts: env.salts, withheld: env.withheld }, pointers);
  return { ...env, bill: d.bill as unknown as Bill, salts: d.salts, withheld: d.withheld };
}

/** The mac of a copy link: HMAC-SHA256 under the bill's key of the withheld names, 128 bits in base64url. */
export function copyMac(verifyKey: string, names: readonly Withholdable[]): string {
  return createHmac("sha256", verifyKey)
    .update(`lianpiao-copy:${names.join(",")}`)
    .digest()
    .subarray(0, 16)
    .toString("base64url");
}

export function copyMacMatches(verifyKey: string, names: readonly Withholdable[], given: unknown): boolean {
  const want = Buffer.from(copyMac(verifyKey, names));
  const got = Buffer.from(typeof given === "string" ? given : "");
  return got.length === want.length && timingSafeEqual(got, want);
}

/** The public link a copy's QR code encodes: verifies the copy, and gives no access to the complete bill. */
export function copyUrl(baseUrl: string, billId: string, verifyKey: string, names: readonly Withholdable[]): string {
  return `${baseUrl.replace(/\/+$/, "")}/v/${billId}/copy?w=${names.join(",")}&c=${copyMac(verifyKey, names)}`;
}

/** The names a copy withholds, read back from its withheld pointers (null when they are not a copy's set). */
export function namesOfWithheld(env: BillEnvelope): Withholdable[] | null {
  const withheld = new Set(Object.keys(env.withheld));
  const names = WITHHOLDABLE.filter((n) => pointersFor(n, env.bill).some((p) => withheld.has(p)));
  const covered = new Set(names.flatMap((n) => pointersFor(n, env.bill)));
  return [...withheld].every((p) => covered.has(p)) ? names : null;
}

/** The withheld names of a request, or 400 INVALID_WITHHOLD naming what is not a withholdable field. */
export function withholdNames(text: unknown, param = "withhold"): Withholdable[] {
  const p = parseWithhold(text);
  if (p.ok) return p.names;
  throw new ApiError(
    "INVALID_WITHHOLD",
    `${param} takes a comma-separated list of idNumber, items and payerName; not ${p.unknown.map((u) => JSON.stringify(u)).join(", ")}`,
    {
      errors: p.unknown.map((u) => ({
        path: param,
        code: "INVALID_VALUE",
        message: `${JSON.stringify(u).slice(0, 60)} is not one of idNumber, items, payerName`,
      })),
    },
  );
}
