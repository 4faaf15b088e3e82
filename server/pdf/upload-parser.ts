/**
 * The CPU-heavy reading of an uploaded PDF: extracting its attachment (extract.ts), hashing it, and
 * comparing it with the reference file (issued-file.ts). An upload is untrusted and up to 5 MB: on
 * the request thread a crafted one blocks every other request (issue 14), so the service runs these
 * in the parse pool (parse-pool.ts) under a deadline; the CLI and tests may run them in this thread.
 */
import { createHash } from "node:crypto";
import { extractEnvelope, type ExtractLimits, type ExtractResult } from "./extract";
import { compareIssuedFile, type IssuedFileFinding } from "./issued-file";

export interface ExtractedUpload {
  result: ExtractResult;
  /** SHA-256 of the whole upload, hex (what delivered_files records) */
  sha256: string;
}

export interface UploadParser {
  extract(pdf: Buffer, limits?: Partial<ExtractLimits>): Promise<ExtractedUpload>;
  compare(pdf: Buffer, reference: Buffer): Promise<IssuedFileFinding>;
}

export function extractUpload(pdf: Buffer, limits: Partial<ExtractLimits> = {}): ExtractedUpload {
  const result = extractEnvelope(pdf, limits);
  // a refused file is not looked up, so it is not hashed either
  return { result, sha256: result.ok ? createHash("sha256").update(pdf).digest("hex") : "" };
}

/** In this thread: for the CLI (one file, nothing else waiting) and for routes built without a pool. */
export const inThreadParser: UploadParser = {
  extract: async (pdf, limits) => extractUpload(pdf, limits),
  compare: async (pdf, reference) => compareIssuedFile(pdf, reference),
};
