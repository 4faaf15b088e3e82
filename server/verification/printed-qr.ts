/**
 * The QR code printed on an uploaded PDF, held against the bill the PDF carries. The attachment is
 * what gets verified; the printed code is what a person scans from the paper. A PDF of one genuine
 * bill printed with another bill's code would verify as the one while scanning as the other, so the
 * upload requires the printed code to be this very bill's verification link of this registry.
 *
 * Nothing about any other bill is revealed: an unknown id, a wrong key and another bill's genuine
 * link all read the same, and the key is compared in constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { PrintedQrResult } from "../pdf/printed-qr";
import type { BillRow } from "../store/schema";

/** What the printed QR code says about the presented bill (an input to the integrity check). */
export type PrintedQrFinding =
  /** the printed code is this bill's verification link */
  | { kind: "matches"; url: string }
  /** the printed code is not this bill's link, or not this registry's: the PDF is not genuine */
  | { kind: "mismatch"; code: "QR_OTHER_BILL" | "QR_OTHER_SITE"; detail: string }
  /** no code could be read (none, drawn as an image, damaged): noted, not held against the bill */
  | { kind: "unreadable"; reason: string }
  /** the store could not be asked: the verdict cannot be given (ERROR) */
  | { kind: "unchecked"; code: string; detail: string }
  /** the CLI, which has no store: the printed link, reported for information only */
  | { kind: "printed"; url: string };

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest();
// compared against when the id is unknown, so that an unknown id costs what a wrong key costs
const DUMMY_KEY = sha256("lianpiao:no-such-bill");

/** Constant-time: hashing first makes the comparison independent of the lengths presented. */
export function keyMatches(given: unknown, bill: Pick<BillRow, "verify_key"> | undefined): boolean {
  const g = sha256(typeof given === "string" ? given : "");
  const equal = timingSafeEqual(g, bill ? sha256(bill.verify_key) : DUMMY_KEY);
  return equal && bill !== undefined && typeof given === "string" && given.length > 0;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const shown = (url: string) => (url.length > 160 ? `${url.slice(0, 160)}…` : url);

/** The bill id and key of a verification link of this service, or null when it is not one. */
export function parseVerifyUrl(text: string, publicBaseUrl?: string): { id: string; key: string } | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  let prefix = "";
  if (publicBaseUrl) {
    const base = new URL(publicBaseUrl);
    if (url.origin !== base.origin) return null;
    prefix = base.pathname.replace(/\/+$/, "");
  } else if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  if (!url.pathname.startsWith(`${prefix}/v/`)) return null;
  const id = url.pathname.slice(prefix.length + 3);
  const key = url.searchParams.get("k");
  if (!ID.test(id) || key === null || url.searchParams.getAll("k").length !== 1) return null;
  return { id, key };
}

export interface PrintedQrDeps {
  /** the store's bill by id (may throw: the finding is then "unchecked") */
  findBill(id: string): Promise<Pick<BillRow, "bill_code" | "bill_number" | "verify_key"> | undefined>;
  /** this service's public origin and path; when absent only the path (/v/<id>?k=…) is checked */
  publicBaseUrl?: string;
}

/**
 * Holds the printed code(s) against the presented bill's code and number. Every code drawn on the
 * first page must be this bill's: a page showing one bill's code and hiding another's fails too.
 */
export async function printedQrFinding(
  printed: PrintedQrResult,
  presented: { billCode?: unknown; billNumber?: unknown } | null | undefined,
  deps: PrintedQrDeps,
): Promise<PrintedQrFinding> {
  if (!printed.ok) return { kind: "unreadable", reason: `${printed.code}: ${printed.message}` };
  const number = typeof presented?.billNumber === "string" ? presented.billNumber : "?";
  for (const text of printed.texts) {
    const link = parseVerifyUrl(text, deps.publicBaseUrl);
    if (!link) {
      return { kind: "mismatch", code: "QR_OTHER_SITE", detail: `The QR code printed on this PDF does not point to this registry's verification page (${shown(text)})` };
    }
    let row;
    try {
      row = await deps.findBill(link.id);
    } catch (err) {
      return { kind: "unchecked", code: "STORE_UNAVAILABLE", detail: `The QR code printed on this PDF could not be checked: the store could not be asked (${(err as Error)?.message ?? String(err)})`.slice(0, 300) };
    }
    // evaluate every part, so that which one differs takes no different time
    const keyOk = keyMatches(link.key, row);
    const same = row !== undefined && row.bill_code === presented?.billCode && row.bill_number === presented?.billNumber;
    if (!(keyOk && same)) {
      return { kind: "mismatch", code: "QR_OTHER_BILL", detail: `The QR code printed on this PDF belongs to another bill, not to the bill this PDF carries (票据号码 ${number})` };
    }
  }
  return { kind: "matches", url: printed.text };
}
