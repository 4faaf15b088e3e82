/**
 * The `file` check (issue "Protocol v2", attack 6): an uploaded PDF is VALID only when the file is
 * exactly what lianpiao issued for the bill it carries. Its attachment says how it was rendered
 * (server/pdf/document.ts); the renderer is deterministic, so the file is rendered again from the
 * attachment and compared byte for byte (server/pdf/issued-file.ts). A page painted over, another
 * page drawn around the attachment, an incremental update, objects appended after %%EOF, a re-save:
 * each makes the file differ from the reference, and the check names where.
 *
 * Once the file is the reference, its QR code encodes exactly `document.verifyUrl`; on the service
 * that must be this service's verification link of this very bill (printed-qr.ts). The service also
 * knows every file it delivered (delivered_files): such a file passes without rendering, whatever
 * renderer version made it.
 *
 * The check appears only when a file was presented (upload, CLI), as the seventh check (after `sm2`). A failure makes
 * the verdict INVALID; a file this verifier cannot compare (another renderer version, a render or
 * store failure) makes it ERROR, never INVALID.
 */
import type { BillEnvelope } from "../issuance/model";
import { RENDERER, readDocument } from "../pdf/document";
import { compareIssuedFile, describeIssuedFile, type FileFormat, type IssuedFileFinding } from "../pdf/issued-file";
import { sha256Hex, type DeliveredFile } from "../store/delivered-files";
import type { BillRow } from "../store/schema";
import { errored, failed, integrityCheck, passed, skipped, verdictOf } from "./checks";
import { parseEnvelope } from "./envelope";
import { printedQrFinding, type PrintedQrDeps } from "./printed-qr";
import type { Check, Verification } from "./types";
import { isoTime } from "../format/time";

export type FileFailureCode = "FILE_APPENDED" | "FILE_TRUNCATED" | "FILE_MODIFIED" | "FILE_NOT_ISSUED" | "QR_OTHER_SITE" | "QR_OTHER_BILL";
export type FileErrorCode = "RENDERER_MISMATCH" | "RENDER_FAILED" | "SERVICE_BUSY" | "STORE_UNAVAILABLE";

/** What the service's store can tell about files (absent for the CLI, which has no store). */
export interface ServiceFiles extends PrintedQrDeps {
  /** the stored bill with this code and number */
  findByNumber(billCode: string, billNumber: string): Promise<Pick<BillRow, "id" | "leaf"> | undefined>;
  /** the record of these bytes delivered for this bill */
  delivered(billId: string, sha256: string): Promise<DeliveredFile | undefined>;
}

/** How a file format is compared with the file issued (PDF by default; OFD: server/ofd/file-format.ts). */

export type { FileFormat };

export const PDF_FORMAT: FileFormat = {
  name: "a PDF",
  renderer: RENDERER,
  compare(file, reference) {
    const f = compareIssuedFile(file, reference);
    return f.kind === "identical" ? f : { kind: f.kind, detail: describeIssuedFile(f) };
  },
};

export interface FileCheckDeps {
  /** renders the reference file of an envelope and link with this code's RENDERER (in process, or in the worker pool) */
  render(envelope: BillEnvelope, verifyUrl: string): Promise<Buffer>;
  service?: ServiceFiles;
  /** compares the file with the reference; default in this thread (the service: in the parse pool, off the request thread) */
  compare?(pdf: Buffer, reference: Buffer): Promise<IssuedFileFinding>;
  /** the file's format; PDF when absent */
  format?: FileFormat;
}

const CODES: Record<Exclude<IssuedFileFinding["kind"], "identical">, FileFailureCode> = {
  appended: "FILE_APPENDED",
  truncated: "FILE_TRUNCATED",
  modified: "FILE_MODIFIED",
};

const shown = (s: string) => JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
const reason = (err: unknown) => ((err as Error)?.message ?? String(err)).slice(0, 200);

/**
 * The `file` check of `pdf`, whose extracted attachment is `attachment` (untrusted). Never rejects.
 */
export async function fileCheck(pdf: Buffer, attachment: unknown, deps: FileCheckDeps, known: { sha256?: string } = {}): Promise<Check> {
  const format = deps.format ?? PDF_FORMAT;
  const RENDERER = format.renderer;
  const doc = readDocument(attachment);
  const parsed = parseEnvelope(doc.ok ? doc.envelope : attachment);
  if (!parsed.ok) return skipped("file", "Not compared: the bill data is malformed");
  const env = parsed.envelope;
  const { billCode, billNumber } = env.bill;
  // an altered bill is INVALID by its integrity check; rendering it would only cost time
  if (integrityCheck(env).status !== "passed") return skipped("file", "Not compared: the bill data was altered (see integrity)");
  const s = deps.service;
  let issuedHere = false;
  if (s) {
    try {
      const row = await s.findByNumber(billCode, billNumber);
      if (row && row.leaf.toLowerCase() === env.leaf.toLowerCase()) {
        issuedHere = true;
        const hit = await s.delivered(row.id, known.sha256 ?? sha256Hex(pdf));
        if (hit) {
          return passed(
            "file",
            `The file is exactly ${format.name} this service delivered for this bill (${hit.bytes.toLocaleString("en-US")} bytes, renderer ${hit.renderer}, first delivered ${isoTime(hit.createdAt)})`,
          );
        }
      }
    } catch (err) {
      return errored("file", "STORE_UNAVAILABLE", `Not compared: the store could not be asked (${reason(err)})`);
    }
  }
  if (!doc.ok && doc.reason === "absent") {
    return errored(
      "file",
      "RENDERER_MISMATCH",
      `The file names no renderer (a file made before ${RENDERER}?)${s ? " and this service did not deliver it" : ""}: this verifier renders ${RENDERER} and cannot compare it with the file issued`,
    );
  }
  if (!doc.ok)
    return failed(
      "file",
      "FILE_MODIFIED",
      `The file's attachment holds a document record that no renderer writes (${doc.reason === "malformed" ? doc.detail : ""})`,
    );
  const { renderer, verifyUrl } = doc.document;
  if (renderer !== RENDERER) {
    return errored(
      "file",
      "RENDERER_MISMATCH",
      `The file says it was made by renderer ${shown(renderer)}${s ? " and this service did not deliver it" : ""}; this verifier renders ${RENDERER} and cannot compare it with the file issued`,
    );
  }
  if (s && !issuedHere) {
    return failed("file", "FILE_NOT_ISSUED", `This service issued no bill ${billCode}-${billNumber} with this content: the file is not one it issued`);
  }
  let reference: Buffer;
  try {
    reference = await deps.render(doc.envelope, verifyUrl);
  } catch (err) {
    // an OFD package whose SignedValue.dat is not the bill's signature is a changed file, not a failed render
    if ((err as { code?: string })?.code === "OFD_BAD_SIGNATURE")
      return failed("file", "FILE_MODIFIED", `The file differs from the issued file inside Doc_0/Signs/Sign_0/SignedValue.dat: ${reason(err)}`);
    const busy = (err as { code?: string })?.code === "PDF_RENDER_BUSY";
    return errored(
      "file",
      busy ? "SERVICE_BUSY" : "RENDER_FAILED",
      busy
        ? "Not compared: too many files are being rendered; try again shortly"
        : `Not compared: the file issued for this bill could not be rendered again (${reason(err)})`,
    );
  }
  let finding: ReturnType<FileFormat["compare"]>;
  try {
    // a PDF is compared in the parse pool when the service has one (off the request thread)
    if (format === PDF_FORMAT && deps.compare) {
      const f = await deps.compare(pdf, reference);
      finding = f.kind === "identical" ? f : { kind: f.kind, detail: describeIssuedFile(f) };
    } else finding = format.compare(pdf, reference);
  } catch (err) {
    return errored("file", "SERVICE_BUSY", `Not compared: the file could not be compared in time; try again shortly (${reason(err)})`);
  }
  if (finding.kind !== "identical") return failed("file", CODES[finding.kind], finding.detail);
  const same = `The file is byte for byte the file ${RENDERER} renders for this bill (${finding.bytes.toLocaleString("en-US")} bytes)`;
  if (!s) return passed("file", `${same}; its QR code links to ${verifyUrl} (whose link it is is not checked without the service)`);
  const link = await printedQrFinding(verifyUrl, { billCode, billNumber, leaf: env.leaf, envelope: env }, s);
  switch (link.kind) {
    case "matches":
      return passed("file", `${same}; its QR code is this ${Object.keys(env.withheld).length > 0 ? "copy's own" : "bill's"} verification link`);
    case "mismatch":
      return failed("file", link.code, `${link.detail}. The file is otherwise exactly as ${RENDERER} renders this bill with that link`);
    case "unchecked":
      return errored("file", "STORE_UNAVAILABLE", link.detail);
  }
}

/** The verification with the `file` check added as its seventh check, and the verdict it then has. */
export function withFileCheck(v: Verification, file: Check): Verification {
  const checks = [...v.checks, file];
  const verdict = verdictOf(checks, v.verdict === "VOIDED");
  if (verdict === "VOIDED" && v.verdict === "VOIDED") return { ...v, checks };
  const { void: _void, ...rest } = v as Verification & { void?: unknown };
  return { ...rest, verdict: verdict as Exclude<typeof verdict, "VOIDED">, checks };
}
