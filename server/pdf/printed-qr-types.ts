/**
 * Outcomes, limits and the error of reading a PDF's printed QR code (printed-qr.ts).
 */
export type PrintedQrCode = "NOT_PDF" | "TOO_LARGE" | "MALFORMED" | "NO_QR" | "UNREADABLE" | "TIMEOUT";
/**
 * `text` is the code at the top left of the first page (where a bill has it); `texts` every distinct
 * code drawn there, so that a check can refuse a page showing one bill's code and hiding another's.
 */
export type PrintedQrResult = { ok: true; text: string; texts: string[] } | { ok: false; code: PrintedQrCode; message: string };

export interface PrintedQrLimits {
  /** largest PDF looked at, in bytes (default 20 MB) */
  maxInputBytes: number;
  /** decompressed bytes of the first page's content streams, in total (default 4 MB) */
  maxContentBytes: number;
  /** decompressed bytes of object streams searched for the page tree (default 8 MB) */
  maxObjectStreamBytes: number;
  /** content operators interpreted (default 400 000) */
  maxOperators: number;
  /** dark rectangles collected (default 50 000) */
  maxRects: number;
  /** wall-clock budget in ms (default 500) */
  maxMillis: number;
}

export const DEFAULT_PRINTED_QR_LIMITS: PrintedQrLimits = {
  maxInputBytes: 20 * 1024 * 1024,
  maxContentBytes: 4 * 1024 * 1024,
  maxObjectStreamBytes: 8 * 1024 * 1024,
  maxOperators: 400_000,
  maxRects: 50_000,
  maxMillis: 500,
};

export class QrReadError extends Error {
  constructor(readonly code: PrintedQrCode, message: string) {
    super(message);
  }
}

