/**
 * The one masking rule for personal data, wherever a bill is shown to anyone but its own issuer: the
 * printed bill (PDF), the public verification page and API, the bureau's API, exports and page.
 *
 * - Names: the first character stays, every other one becomes "*" ("张三" → "张*", "欧阳娜娜" → "欧***").
 * - Resident ID numbers (GB 11643, 18 characters): the first six (the issuing county) and the last
 *   four (the end of the sequence and the check character) stay; the eight birth-date digits become
 *   "*": "11010519491231002X" → "110105********002X". This is what every printed bill has always shown,
 *   so no copy of a bill reveals more than another.
 * - Unified social credit codes (GB 32100) name organisations, not people: shown as they are.
 * - Any other identifier: everything but its last four characters becomes "*" (the length stays).
 *
 * The issuer, who collected the data, sees its own bills in full. Everyone else sees the payer's or
 * donor's name and ID number masked: the public (verification), and the bureau, whose supervision does
 * not need them in clear (its bill detail, search and exports); the bureau's copy of the machine-readable
 * bill withholds them instead (their commitments stay, so the copy still verifies).
 */
import { withhold } from "./commitments";
import { isValidCreditCode } from "./check-digits";
import type { Bill, BillEnvelope } from "./model";

export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return "*".repeat(chars.length);
  return chars[0] + "*".repeat(chars.length - 1);
}

const RESIDENT_ID = /^\d{17}[\dXx]$/;

export function maskIdNumber(id: string | undefined): string {
  if (!id) return "";
  if (RESIDENT_ID.test(id)) return `${id.slice(0, 6)}********${id.slice(-4)}`;
  if (isValidCreditCode(id)) return id;
  const chars = [...id];
  const keep = Math.min(4, Math.floor(chars.length / 4));
  return "*".repeat(chars.length - keep) + chars.slice(chars.length - keep).join("");
}

/** The JSON Pointers of the holder's personal data: the name, and a person's ID number. */
function personalFields(bill: Bill): string[] {
  if (bill.kind === "medical") return ["/payer/name", "/payer/idNumber"];
  // an organisation donor is no person; an anonymous donor gave no name
  return bill.donor.type === "individual" ? ["/donor/name", "/donor/idNumber"] : [];
}

/** The bill as anyone but its issuer sees it: the holder's name and ID number masked by the rule above. */
export function maskedBill(bill: Bill): Bill {
  const copy = structuredClone(bill);
  if (copy.kind === "donation" && copy.donor.type !== "individual") return copy;
  const holder = copy.kind === "medical" ? copy.payer : copy.donor;
  if (holder.name !== undefined) holder.name = maskName(holder.name);
  if (holder.idNumber) holder.idNumber = maskIdNumber(holder.idNumber);
  return copy;
}

/** The envelope with the holder's personal data withheld (docs/PROTOCOL.md §3): it still verifies. */
export function envelopeWithoutPersonalData(env: BillEnvelope): BillEnvelope {
  const pointers = personalFields(env.bill).filter((p) => env.salts[p] !== undefined);
  if (pointers.length === 0) return env;
  const d = withhold({ bill: env.bill as unknown as Record<string, unknown>, salts: env.salts, withheld: env.withheld }, pointers);
  return { ...env, bill: d.bill as unknown as Bill, salts: d.salts, withheld: d.withheld };
}
