/**
 * The machine-readable bill travels inside its PDF as an embedded file: the envelope, so that an
 * uploaded PDF can be verified from the attachment alone, and the `document` record (document.ts),
 * so that the file can be rendered again and compared byte for byte.
 */
import type { BillEnvelope } from "../issuance/model";
import { attachmentOf } from "./document";
import type { Doc } from "./text";

export const ATTACHMENT_NAME = "lianpiao-bill.json";
export const ATTACHMENT_TYPE = "application/json";

/** Attaches the envelope and its `document` record (UTF-8 JSON) to the document as `lianpiao-bill.json`. */
export function embedEnvelope(doc: Doc, envelope: BillEnvelope, verifyUrl: string): void {
  const issued = new Date(envelope.bill.issuedAt);
  // pdfkit also honours `relationship` (the /AFRelationship of PDF/A-3), which its types omit.
  const options: PDFKit.Mixins.PDFAttachmentOptions & { relationship: string } = {
    name: ATTACHMENT_NAME,
    type: ATTACHMENT_TYPE,
    description: "lianpiao machine-readable bill (BillEnvelope, format lianpiao-bill/1)",
    creationDate: issued,
    modifiedDate: issued,
    relationship: "Data",
  };
  doc.file(Buffer.from(JSON.stringify(attachmentOf(envelope, verifyUrl)), "utf8"), options);
}
