/**
 * Reading indirect objects and their streams out of a PDF by byte offsets, with hard caps, for the
 * attachment reader (extract.ts). Not a full PDF parser: it indexes the "n g obj" headers and reads
 * only the objects it is asked for; everything it cannot read is a PdfReadError, never anything else.
 */
import { inflateSync } from "node:zlib";
import { PdfReader, isDict, isName, isRef, type PdfValue } from "./pdf-syntax";

export type PdfReadCode = "TOO_LARGE" | "MALFORMED" | "TOO_COMPLEX";

export class PdfReadError extends Error {
  constructor(
    readonly code: PdfReadCode,
    message: string,
  ) {
    super(message);
  }
}

/** A PDF and the byte offset just past each object's "n g obj" header. */
export interface PdfObjects {
  pdf: Buffer;
  index: Map<number, number>;
}

/**
 * Byte offsets of every "n g obj" header; a later definition (incremental update) wins. More than
 * `maxObjects` headers is a PdfReadError TOO_COMPLEX, raised as soon as the count is passed: every
 * header found costs the reader work later (a crafted file of 150,000 tiny objects took seconds),
 * while a bill has a few dozen objects and a re-saved one a few hundred.
 */
export function indexObjects(pdf: Buffer, maxObjects = Infinity): Map<number, number> {
  const text = pdf.toString("latin1");
  const index = new Map<number, number>();
  const re = /(?<![0-9])(\d{1,10})\s+(\d{1,5})\s+obj\b/g;
  let headers = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (++headers > maxObjects) throw new PdfReadError("TOO_COMPLEX", `the PDF has more than ${maxObjects} objects`);
    index.set(Number(m[1]), m.index + m[0].length);
  }
  return index;
}

export function pdfObjects(pdf: Buffer): PdfObjects {
  return { pdf, index: indexObjects(pdf) };
}

export function inflateCapped(data: Buffer, cap: number, what: string): Buffer {
  try {
    return inflateSync(data, { maxOutputLength: cap });
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError) {
      throw new PdfReadError("TOO_LARGE", `${what} inflates to more than ${cap} bytes`);
    }
    throw new PdfReadError("MALFORMED", `${what} is not valid deflate data (${(err as Error).message})`);
  }
}

export function readObject(o: PdfObjects, num: number): { value: PdfValue; reader: PdfReader } {
  const at = o.index.get(num);
  if (at === undefined) throw new PdfReadError("MALFORMED", `object ${num} is missing`);
  const reader = new PdfReader(o.pdf, at);
  return { value: reader.value(), reader };
}

export function resolve(o: PdfObjects, v: PdfValue | undefined): PdfValue | undefined {
  return isRef(v) ? readObject(o, v.num).value : v;
}

/** The raw (still encoded) data of the stream object `num`. */
export function streamData(o: PdfObjects, num: number): { dict: Map<string, PdfValue>; data: Buffer } {
  const { value, reader } = readObject(o, num);
  if (!isDict(value)) throw new PdfReadError("MALFORMED", `object ${num} is not a stream`);
  reader.skipSpace();
  const head = /^stream\r?\n/.exec(o.pdf.toString("latin1", reader.pos, reader.pos + 8));
  if (!head) throw new PdfReadError("MALFORMED", `object ${num} has no stream data`);
  const start = reader.pos + head[0].length;
  const length = resolve(o, value.dict.get("Length"));
  let end = typeof length === "number" && Number.isInteger(length) && length >= 0 ? start + length : o.pdf.indexOf("endstream", start, "latin1");
  if (end < start || end > o.pdf.length) throw new PdfReadError("MALFORMED", `stream ${num} is truncated`);
  if (typeof length !== "number") while (end > start && (o.pdf[end - 1] === 0x0a || o.pdf[end - 1] === 0x0d)) end--;
  return { dict: value.dict, data: o.pdf.subarray(start, end) };
}

/** Decodes a stream's data: no filter or FlateDecode without predictor, capped at `cap` bytes. */
export function decodeStream(dict: Map<string, PdfValue>, data: Buffer, cap: number, what: string): Buffer {
  const filter = dict.get("Filter");
  const filters = Array.isArray(filter) ? filter : filter === undefined ? [] : [filter];
  if (filters.length === 0) {
    if (data.length > cap) throw new PdfReadError("TOO_LARGE", `${what} is larger than ${cap} bytes`);
    return data;
  }
  const parms = dict.get("DecodeParms");
  if (filters.length > 1 || !isName(filters[0], "FlateDecode") || (isDict(parms) && parms.dict.has("Predictor"))) {
    throw new PdfReadError("MALFORMED", `${what} uses an unsupported filter`);
  }
  return inflateCapped(data, cap, what);
}
