/**
 * The bills a verdict page links to: a voided bill's red bill, a red bill's original. The holder of
 * one may see the other: the red bill is issued to the same payer or donor for the same amount, and
 * only the link's key opens a page (the links carry it).
 */
import type { Db } from "../store/database";
import type { BillRow } from "../store/schema";
import type { Related } from "./headline";

const link = (base: string, b: Pick<BillRow, "id" | "verify_key" | "bill_code" | "bill_number">) => ({
  href: `${base}/v/${encodeURIComponent(b.id)}?k=${encodeURIComponent(b.verify_key)}`,
  number: `${b.bill_code}-${b.bill_number}`,
});

export async function relatedBills(db: Db, row: Pick<BillRow, "id" | "status" | "red_of_id">, base: string): Promise<Related> {
  const cols = ["id", "verify_key", "bill_code", "bill_number"] as const;
  if (row.red_of_id) {
    const original = await db.selectFrom("bills").select(cols).where("id", "=", row.red_of_id).executeTakeFirst();
    return original ? { original: link(base, original) } : {};
  }
  if (row.status === "voided") {
    const red = await db.selectFrom("bills").select(cols).where("red_of_id", "=", row.id).executeTakeFirst();
    return red ? { redBill: link(base, red) } : {};
  }
  return {};
}

/** The 查验 URL of a bill (its five printed fields), where a PENDING answer to an upload reloads. */
export function manualCheckUrl(base: string, b: { billCode: string; billNumber: string; checkCode: string; issueDate: string; total: string }): string {
  const q = new URLSearchParams({ billCode: b.billCode, billNumber: b.billNumber, checkCode: b.checkCode, issueDate: b.issueDate, total: b.total });
  return `${base}/check?${q.toString()}`;
}
