/**
 * The link printed as a PDF's QR code, held against the bill the PDF carries. The attachment is what
 * gets verified; the printed code is what a person scans from the paper. A PDF of one genuine bill
 * printed with another bill's code would verify as the one while scanning as the other, so an upload
 * requires the printed link to be this very bill's verification link of this service.
 *
 * The printed link is read from the attachment's `document.verifyUrl`: once the file is byte for byte
 * what the renderer makes of that attachment (file-check.ts), the QR code on the page encodes exactly
 * that URL, so no QR code is read from the page.
 *
 * Nothing about any other bill is revealed: an unknown id, a wrong key and another bill's genuine
 * link all read the same, and the key is compared in constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { BillRow } from "../store/schema";
import type { BillEnvelope } from "../issuance/model";
import { copyMacMatches, namesOfWithheld, parseWithhold, type Withholdable } from "../issuance/redaction";

/** What the printed link says about the presented bill. */
export type PrintedQrFinding =
  /** the printed link is this bill's verification link */
  | { kind: "matches"; url: string }
  /** the printed link is not this bill's, or not this service's: the PDF is not genuine */
  | { kind: "mismatch"; code: "QR_OTHER_BILL" | "QR_OTHER_SITE"; detail: string }
  /** the store could not be asked: the verdict cannot be given (ERROR) */
  | { kind: "unchecked"; code: string; detail: string };

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

/** The URL and the path prefix of this service's pages, or null for another site. */
function ownUrl(text: string, publicBaseUrl?: string): { url: URL; prefix: string } | null {
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
  return { url, prefix };
}

/** The bill id, withheld names and mac of a copy link (server/issuance/redaction.ts), or null. */
export function parseCopyUrl(text: string, publicBaseUrl?: string): { id: string; names: Withholdable[]; mac: string } | null {
  const own = ownUrl(text, publicBaseUrl);
  if (!own) return null;
  const m = new RegExp(`^${own.prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/v/([A-Za-z0-9_-]{1,64})/copy$`).exec(own.url.pathname);
  const q = own.url.searchParams;
  if (!m || q.getAll("w").length !== 1 || q.getAll("c").length !== 1 || [...q.keys()].length !== 2) return null;
  const names = parseWithhold(q.get("w"));
  return names.ok ? { id: m[1], names: names.names, mac: q.get("c") as string } : null;
}

/** The bill id and key of a verification link of this service, or null when it is not one. */
export function parseVerifyUrl(text: string, publicBaseUrl?: string): { id: string; key: string } | null {
  const own = ownUrl(text, publicBaseUrl);
  if (!own) return null;
  const { url, prefix } = own;
  if (!url.pathname.startsWith(`${prefix}/v/`)) return null;
  const id = url.pathname.slice(prefix.length + 3);
  const key = url.searchParams.get("k");
  if (!ID.test(id) || key === null || url.searchParams.getAll("k").length !== 1) return null;
  return { id, key };
}

export interface PrintedQrDeps {
  /** the store's bill by id (may throw: the finding is then "unchecked") */
  findBill(id: string): Promise<Pick<BillRow, "bill_code" | "bill_number" | "verify_key" | "leaf"> | undefined>;
  /** this service's public origin and path; when absent only the path (/v/<id>?k=…) is checked */
  publicBaseUrl?: string;
}

/**
 * Holds the printed link against the presented bill: it must be this service's link of a stored bill
 * with the presented code, number and leaf, with that bill's key.
 */
export async function printedQrFinding(
  url: string,
  presented: { billCode?: unknown; billNumber?: unknown; leaf?: unknown; envelope?: BillEnvelope } | null | undefined,
  deps: PrintedQrDeps,
): Promise<PrintedQrFinding> {
  const number = typeof presented?.billNumber === "string" ? presented.billNumber : "?";
  const copy = parseCopyUrl(url, deps.publicBaseUrl);
  if (copy) return copyLinkFinding(url, copy, presented, deps);
  const link = parseVerifyUrl(url, deps.publicBaseUrl);
  if (!link) {
    return {
      kind: "mismatch",
      code: "QR_OTHER_SITE",
      detail: `The QR code printed on this PDF does not point to this registry's verification page (${shown(url)})`,
    };
  }
  let row;
  try {
    row = await deps.findBill(link.id);
  } catch (err) {
    return {
      kind: "unchecked",
      code: "STORE_UNAVAILABLE",
      detail: `The QR code printed on this PDF could not be checked: the store could not be asked (${(err as Error)?.message ?? String(err)})`.slice(0, 300),
    };
  }
  // evaluate every part, so that which one differs takes no different time
  const keyOk = keyMatches(link.key, row);
  const leaf = typeof presented?.leaf === "string" ? presented.leaf.toLowerCase() : "";
  const same = row !== undefined && row.bill_code === presented?.billCode && row.bill_number === presented?.billNumber && row.leaf.toLowerCase() === leaf;
  if (!(keyOk && same)) {
    return {
      kind: "mismatch",
      code: "QR_OTHER_BILL",
      detail: `The QR code printed on this PDF belongs to another bill, not to the bill this PDF carries (票据号码 ${number})`,
    };
  }
  return { kind: "matches", url };
}

/**
 * A redacted copy's printed link: the copy link of a stored bill with the presented code, number and
 * leaf, whose mac is the bill's for exactly the names the presented copy withholds.
 */
async function copyLinkFinding(
  url: string,
  copy: { id: string; names: Withholdable[]; mac: string },
  presented: { billCode?: unknown; billNumber?: unknown; leaf?: unknown; envelope?: BillEnvelope } | null | undefined,
  deps: PrintedQrDeps,
): Promise<PrintedQrFinding> {
  const number = typeof presented?.billNumber === "string" ? presented.billNumber : "?";
  let row;
  try {
    row = await deps.findBill(copy.id);
  } catch (err) {
    return {
      kind: "unchecked",
      code: "STORE_UNAVAILABLE",
      detail: `The QR code printed on this PDF could not be checked: the store could not be asked (${(err as Error)?.message ?? String(err)})`.slice(0, 300),
    };
  }
  const macOk = row !== undefined && copyMacMatches(row.verify_key, copy.names, copy.mac);
  const leaf = typeof presented?.leaf === "string" ? presented.leaf.toLowerCase() : "";
  const same = row !== undefined && row.bill_code === presented?.billCode && row.bill_number === presented?.billNumber && row.leaf.toLowerCase() === leaf;
  const withheld = presented?.envelope ? namesOfWithheld(presented.envelope) : null;
  const sameNames = withheld !== null && withheld.join(",") === copy.names.join(",");
  if (!(macOk && same && sameNames)) {
    return {
      kind: "mismatch",
      code: "QR_OTHER_BILL",
      detail: `The QR code printed on this PDF is not the copy link of the copy this PDF carries (票据号码 ${number})`,
    };
  }
  return { kind: "matches", url };
}
