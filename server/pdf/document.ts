/**
 * What a bill PDF says about how it was made. The embedded `lianpiao-bill.json` is the envelope plus
 *
 *     "document": { "renderer": "lianpiao-pdf/3", "verifyUrl": "<the exact URL the QR code encodes>" }
 *
 * so that everything needed to render the file again is inside it. `document` is not part of the
 * signed and hashed bill: the envelope's other fields are exactly the envelope's.
 */
import type { BillEnvelope } from "../issuance/model";

/**
 * The exact output format of server/pdf/render.ts. The renderer is deterministic (uncompressed, fixed
 * dates, file ID and font subset), so one envelope and link always give the same bytes under one
 * version: an uploaded file is genuine only if it is byte for byte what this version renders.
 *
 * Bump it whenever the bytes change: layout, templates, fonts, pdfkit or fontkit versions
 * (test/pdf/golden.test.ts fails on any such change and says so).
 */
export const RENDERER = "lianpiao-pdf/3";

export interface BillDocument {
  /** the renderer version that made the file (RENDERER when this code made it) */
  renderer: string;
  /** the URL the printed QR code encodes, exactly */
  verifyUrl: string;
}

/** The attachment as the renderer writes it: the envelope's fields, then `document`. */
export type BillAttachment = BillEnvelope & { document: BillDocument };

export function attachmentOf(envelope: BillEnvelope, verifyUrl: string): BillAttachment {
  return { ...envelope, document: { renderer: RENDERER, verifyUrl } };
}

export type DocumentRead =
  /** the attachment names its renderer and link; `envelope` is the attachment without `document` */
  | { ok: true; document: BillDocument; envelope: BillEnvelope }
  /** no `document` at all: a file made before lianpiao-pdf/2, or one whose record was removed */
  | { ok: false; reason: "absent" }
  /** a `document` that no renderer writes */
  | { ok: false; reason: "malformed"; detail: string };

const MAX_URL = 2048;

/** Splits an extracted attachment (untrusted) into the envelope and the `document` record. */
export function readDocument(attachment: unknown): DocumentRead {
  if (!attachment || typeof attachment !== "object" || Array.isArray(attachment)) return { ok: false, reason: "absent" };
  const { document, ...envelope } = attachment as Record<string, unknown>;
  if (document === undefined) return { ok: false, reason: "absent" };
  if (!document || typeof document !== "object" || Array.isArray(document)) return { ok: false, reason: "malformed", detail: "document is not an object" };
  const d = document as Record<string, unknown>;
  if (typeof d.renderer !== "string" || d.renderer.length === 0 || d.renderer.length > 64)
    return { ok: false, reason: "malformed", detail: "document.renderer is not a renderer name" };
  if (typeof d.verifyUrl !== "string" || d.verifyUrl.length > MAX_URL) return { ok: false, reason: "malformed", detail: "document.verifyUrl is not a link" };
  return { ok: true, document: { renderer: d.renderer, verifyUrl: d.verifyUrl }, envelope: envelope as unknown as BillEnvelope };
}
