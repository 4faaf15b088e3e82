/**
 * Reads the embedded `lianpiao-bill.json` back out of a PDF, with hard limits: big inputs,
 * decompression bombs, truncated files and garbage fail fast with a stable code. Not a full PDF
 * parser: it indexes the "n g obj" headers, finds the file specification by name (also inside
 * compressed object streams, as other tools re-save PDFs) and inflates only that one stream.
 */
import { ATTACHMENT_NAME } from "./attachment";
import { PdfReadError, decodeStream as decode, indexObjects, resolve, streamData, type PdfObjects } from "./pdf-objects";
import { PdfReader, PdfSyntaxError, isDict, isName, isRef, isString, textOf, type PdfDict, type PdfRef, type PdfValue } from "./pdf-syntax";

export type ExtractErrorCode = "PDF_NOT_PDF" | "PDF_TOO_LARGE" | "PDF_TOO_COMPLEX" | "PDF_NO_ATTACHMENT" | "PDF_ATTACHMENT_TOO_LARGE" | "PDF_MALFORMED";
export type ExtractResult = { ok: true; envelope: unknown } | { ok: false; code: ExtractErrorCode; message: string };

export interface ExtractLimits {
  /** largest PDF accepted, in bytes (default 20 MB) */
  maxInputBytes: number;
  /** largest attachment after decompression (default 1 MB) */
  maxAttachmentBytes: number;
  /** decompressed bytes of object streams searched in total (default 8 MB) */
  maxObjectStreamBytes: number;
  /** "n g obj" headers in the whole file, incremental updates included (default 5,000) */
  maxObjects: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = {
  maxInputBytes: 20 * 1024 * 1024,
  maxAttachmentBytes: 1024 * 1024,
  maxObjectStreamBytes: 8 * 1024 * 1024,
  // a lianpiao bill has about 30 objects; other tools re-saving one write a few hundred
  maxObjects: 5_000,
};

class ExtractError extends Error {
  constructor(
    readonly code: ExtractErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface Objects extends PdfObjects {
  limits: ExtractLimits;
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
  let objects = o.index.size;
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
    const offsets = text
      .trim()
      .split(/\s+/)
      .filter((_, i) => i % 2 === 1)
      .map(Number);
    // objects packed in streams count against the same cap as the file's own
    objects += offsets.length;
    if (objects > o.limits.maxObjects) throw new ExtractError("PDF_TOO_COMPLEX", `the PDF has more than ${o.limits.maxObjects} objects`);
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
  const o: Objects = { pdf, index: indexObjects(pdf, limits.maxObjects), limits };
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

const READ_CODES: Record<PdfReadError["code"], ExtractErrorCode> = {
  TOO_LARGE: "PDF_ATTACHMENT_TOO_LARGE",
  TOO_COMPLEX: "PDF_TOO_COMPLEX",
  MALFORMED: "PDF_MALFORMED",
};

/** The envelope embedded in `pdf`, or a coded reason why there is none. Never throws. */
export function extractEnvelope(pdf: Buffer, limits: Partial<ExtractLimits> = {}): ExtractResult {
  try {
    return { ok: true, envelope: extract(pdf, { ...DEFAULT_EXTRACT_LIMITS, ...limits }) };
  } catch (err) {
    if (err instanceof ExtractError) return { ok: false, code: err.code, message: err.message };
    if (err instanceof PdfReadError) return { ok: false, code: READ_CODES[err.code], message: err.message };
    if (err instanceof PdfSyntaxError) return { ok: false, code: "PDF_MALFORMED", message: err.message };
    throw err;
  }
}
