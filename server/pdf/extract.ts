/**
 * Reads the embedded `lianpiao-bill.json` back out of a PDF, with hard limits: big inputs,
 * decompression bombs, truncated files and garbage fail fast with a stable code. Not a full PDF
 * parser: it indexes the "n g obj" headers, finds the file specification by name (also inside
 * compressed object streams, as other tools re-save PDFs) and inflates only that one stream.
 */
import { inflateSync } from "node:zlib";
import { ATTACHMENT_NAME } from "./attachment";
import { PdfReader, PdfSyntaxError, isDict, isName, isRef, isString, textOf, type PdfDict, type PdfRef, type PdfValue } from "./pdf-syntax";

export type ExtractErrorCode = "PDF_NOT_PDF" | "PDF_TOO_LARGE" | "PDF_NO_ATTACHMENT" | "PDF_ATTACHMENT_TOO_LARGE" | "PDF_MALFORMED";
export type ExtractResult = { ok: true; envelope: unknown } | { ok: false; code: ExtractErrorCode; message: string };

export interface ExtractLimits {
  /** largest PDF accepted, in bytes (default 20 MB) */
  maxInputBytes: number;
  /** largest attachment after decompression (default 1 MB) */
  maxAttachmentBytes: number;
  /** decompressed bytes of object streams searched in total (default 8 MB) */
  maxObjectStreamBytes: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = {
  maxInputBytes: 20 * 1024 * 1024,
  maxAttachmentBytes: 1024 * 1024,
  maxObjectStreamBytes: 8 * 1024 * 1024,
};

class ExtractError extends Error {
  constructor(readonly code: ExtractErrorCode, message: string) {
    super(message);
  }
}

/** Byte offsets of every "n g obj" header; a later definition (incremental update) wins. */
function indexObjects(pdf: Buffer): Map<number, number> {
  const text = pdf.toString("latin1");
  const index = new Map<number, number>();
  const re = /(?<![0-9])(\d{1,10})\s+(\d{1,5})\s+obj\b/g;
  for (let m = re.exec(text); m; m = re.exec(text)) index.set(Number(m[1]), m.index + m[0].length);
  return index;
}

function inflateCapped(data: Buffer, cap: number, what: string): Buffer {
  try {
    return inflateSync(data, { maxOutputLength: cap });
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError) {
      throw new ExtractError("PDF_ATTACHMENT_TOO_LARGE", `${what} inflates to more than ${cap} bytes`);
    }
    throw new ExtractError("PDF_MALFORMED", `${what} is not valid deflate data (${(err as Error).message})`);
  }
}

interface Objects {
  pdf: Buffer;
  index: Map<number, number>;
  limits: ExtractLimits;
}

function readObject(o: Objects, num: number): { value: PdfValue; reader: PdfReader } {
  const at = o.index.get(num);
  if (at === undefined) throw new ExtractError("PDF_MALFORMED", `object ${num} is missing`);
  const reader = new PdfReader(o.pdf, at);
  return { value: reader.value(), reader };
}

function resolve(o: Objects, v: PdfValue | undefined): PdfValue | undefined {
  return isRef(v) ? readObject(o, v.num).value : v;
}

/** The raw (still encoded) data of the stream object `num`. */
function streamData(o: Objects, num: number): { dict: Map<string, PdfValue>; data: Buffer } {
  const { value, reader } = readObject(o, num);
  if (!isDict(value)) throw new ExtractError("PDF_MALFORMED", `object ${num} is not a stream`);
  reader.skipSpace();
  const head = /^stream\r?\n/.exec(o.pdf.toString("latin1", reader.pos, reader.pos + 8));
  if (!head) throw new ExtractError("PDF_MALFORMED", `object ${num} has no stream data`);
  const start = reader.pos + head[0].length;
  const length = resolve(o, value.dict.get("Length"));
  let end = typeof length === "number" && Number.isInteger(length) && length >= 0 ? start + length : o.pdf.indexOf("endstream", start, "latin1");
  if (end < start || end > o.pdf.length) throw new ExtractError("PDF_MALFORMED", `stream ${num} is truncated`);
  if (typeof length !== "number") while (end > start && (o.pdf[end - 1] === 0x0a || o.pdf[end - 1] === 0x0d)) end--;
  return { dict: value.dict, data: o.pdf.subarray(start, end) };
}

/** Decodes a stream's data: no filter or FlateDecode without predictor, capped at `cap` bytes. */
function decode(dict: Map<string, PdfValue>, data: Buffer, cap: number, what: string): Buffer {
  const filter = dict.get("Filter");
  const filters = Array.isArray(filter) ? filter : filter === undefined ? [] : [filter];
  if (filters.length === 0) {
    if (data.length > cap) throw new ExtractError("PDF_ATTACHMENT_TOO_LARGE", `${what} is larger than ${cap} bytes`);
    return data;
  }
  const parms = dict.get("DecodeParms");
  if (filters.length > 1 || !isName(filters[0], "FlateDecode") || (isDict(parms) && parms.dict.has("Predictor"))) {
    throw new ExtractError("PDF_MALFORMED", `${what} uses an unsupported filter`);
  }
  return inflateCapped(data, cap, what);
}

function isOurFilespec(v: PdfValue): v is PdfDict {
  if (!isDict(v) || !isDict(v.dict.get("EF"))) return false;
  return ["UF", "F"].some((k) => {
    const name = v.dict.get(k);
    return isString(name) && textOf(name) === ATTACHMENT_NAME;
  });
}

function embeddedRef(spec: PdfDict): PdfRef {
  const ef = (spec.dict.get("EF") as PdfDict).dict;
  const ref = ef.get("UF") ?? ef.get("F");
  if (!isRef(ref)) throw new ExtractError("PDF_MALFORMED", "the file specification has no embedded file stream");
  return ref;
}

/** Looks through the objects of every compressed object stream, within the byte budget. */
function findInObjectStreams(o: Objects): PdfDict | null {
  let budget = o.limits.maxObjectStreamBytes;
  for (const [num, at] of o.index) {
    if (!o.pdf.toString("latin1", at, at + 512).includes("/ObjStm")) continue;
    let stream;
    try {
      stream = streamData(o, num);
    } catch {
      continue; // an unreadable object stream may still not be the one holding our file spec
    }
    if (!isName(stream.dict.get("Type"), "ObjStm")) continue;
    const body = decode(stream.dict, stream.data, budget, "an object stream");
    budget -= body.length;
    const first = stream.dict.get("First");
    const reader = new PdfReader(body);
    const text = body.toString("latin1", 0, typeof first === "number" ? first : 0);
    const offsets = text.trim().split(/\s+/).filter((_, i) => i % 2 === 1).map(Number);
    for (const off of offsets) {
      reader.pos = (first as number) + off;
      const value = reader.value();
      if (isOurFilespec(value)) return value;
    }
  }
  return null;
}

function findFilespec(o: Objects): PdfDict | null {
  for (const at of o.index.values()) {
    const peek = o.pdf.toString("latin1", at, at + 2048);
    if (!peek.includes("/EF")) continue;
    let value: PdfValue;
    try {
      value = new PdfReader(o.pdf, at).value();
    } catch {
      continue; // some other object this reader does not need to understand
    }
    if (isOurFilespec(value)) return value;
  }
  return findInObjectStreams(o);
}

function extract(pdf: Buffer, limits: ExtractLimits): unknown {
  if (pdf.length > limits.maxInputBytes) throw new ExtractError("PDF_TOO_LARGE", `the PDF is larger than ${limits.maxInputBytes} bytes`);
  const header = pdf.indexOf("%PDF-", 0, "latin1");
  if (header < 0 || header > 1024) throw new ExtractError("PDF_NOT_PDF", "the data is not a PDF (no %PDF- header)");
  const o: Objects = { pdf, index: indexObjects(pdf), limits };
  const spec = findFilespec(o);
  if (!spec) throw new ExtractError("PDF_NO_ATTACHMENT", `the PDF has no ${ATTACHMENT_NAME} attachment`);
  const ref = embeddedRef(spec);
  const { dict, data } = streamData(o, ref.num);
  const params = resolve(o, dict.get("Params"));
  const size = isDict(params) ? params.dict.get("Size") : undefined;
  if (typeof size === "number" && size > limits.maxAttachmentBytes) {
    throw new ExtractError("PDF_ATTACHMENT_TOO_LARGE", `the attachment declares ${size} bytes, more than ${limits.maxAttachmentBytes}`);
  }
  const json = decode(dict, data, limits.maxAttachmentBytes, "the attachment");
  try {
    return JSON.parse(json.toString("utf8").replace(/^\uFEFF/, ""));
  } catch {
    throw new ExtractError("PDF_MALFORMED", `the ${ATTACHMENT_NAME} attachment is not valid JSON`);
  }
}

/** The envelope embedded in `pdf`, or a coded reason why there is none. Never throws. */
export function extractEnvelope(pdf: Buffer, limits: Partial<ExtractLimits> = {}): ExtractResult {
  try {
    return { ok: true, envelope: extract(pdf, { ...DEFAULT_EXTRACT_LIMITS, ...limits }) };
  } catch (err) {
    if (err instanceof ExtractError) return { ok: false, code: err.code, message: err.message };
    if (err instanceof PdfSyntaxError) return { ok: false, code: "PDF_MALFORMED", message: err.message };
    throw err;
  }
}
