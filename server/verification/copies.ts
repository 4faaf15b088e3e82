/**
 * Serving redacted copies (server/issuance/redaction.ts): the holder's routes on the verify page
 * (GET /v/:id/copy.pdf and /v/:id/copy.json, with the bill's key `k`), the issuer's API route
 * (GET /api/v1/invoices/:id/copy), and the public copy link a copy's QR code encodes
 * (GET /v/:id/copy?w=…&c=…), which verifies the copy and never shows more than the copy.
 */
import type { Response } from "express";
import { envelopeOf } from "../issuance/bills-repo";
import type { BillEnvelope } from "../issuance/model";
import { copyUrl, redactedCopy, withholdNames, type Withholdable } from "../issuance/redaction";
import { attachmentOf } from "../pdf/document";
import type { RenderOptions } from "../pdf/render";
import type { Db } from "../store/database";
import type { BillRow } from "../store/schema";

export { withholdNames };

export interface CopyDeps {
  db: Db;
  chain: { chainId: number; registry: string };
  baseUrl: string;
  render(envelope: BillEnvelope, options: RenderOptions): Promise<Buffer>;
}

/** The copy of a stored bill with `names` withheld: its envelope (with the anchor the store holds) and its link. */
export async function copyOf(d: CopyDeps, bill: BillRow, names: readonly Withholdable[]): Promise<{ envelope: BillEnvelope; verifyUrl: string }> {
  const full = await envelopeOf(d.db, bill, d.chain);
  return { envelope: redactedCopy(full, names), verifyUrl: copyUrl(d.baseUrl, bill.id, bill.verify_key, names) };
}

const fileName = (bill: BillRow, names: readonly Withholdable[]) => `${bill.bill_code}-${bill.bill_number}-copy-${names.join("-")}`;

/**
 * Sends the copy as a PDF (rendered like the holder's own, from the copy's envelope and link, so an
 * upload of it is checked by rendering it again) or as JSON (the envelope with its `document` record,
 * exactly the PDF's attachment).
 */
export async function sendCopy(d: CopyDeps, res: Response, bill: BillRow, names: readonly Withholdable[], format: "pdf" | "json"): Promise<void> {
  const { envelope, verifyUrl } = await copyOf(d, bill, names);
  res.setHeader("Cache-Control", "no-store");
  if (format === "json") {
    res.setHeader("Content-Disposition", `attachment; filename="${fileName(bill, names)}.json"`);
    res.json(attachmentOf(envelope, verifyUrl));
    return;
  }
  const pdf = await d.render(envelope, { verifyUrl });
  res
    .type("application/pdf")
    .setHeader("Content-Disposition", `attachment; filename="${fileName(bill, names)}.pdf"`)
    .send(pdf);
}
