/**
 * The first page's content streams of a PDF, decoded within the limits: the page tree is followed
 * from the catalog (also inside compressed object streams) down to its first leaf.
 */
import { decodeStream, objectStreamValues, readObject, streamData, type PdfObjects } from "./pdf-objects";
import { PdfReader, isDict, isName, isRef, type PdfDict, type PdfValue } from "./pdf-syntax";
import { QrReadError, type PrintedQrLimits } from "./printed-qr-types";
// ---------------------------------------------------------------------------------------------
// Finding the first page's content

export interface Lookup {
  o: PdfObjects;
  packed: Map<number, PdfValue> | null;
  limits: PrintedQrLimits;
}

function packed(l: Lookup): Map<number, PdfValue> {
  l.packed ??= objectStreamValues(l.o, l.limits.maxObjectStreamBytes);
  return l.packed;
}

function valueOf(l: Lookup, v: PdfValue | undefined): PdfValue | undefined {
  if (!isRef(v)) return v;
  if (l.o.index.has(v.num)) return readObject(l.o, v.num).value;
  return packed(l).get(v.num);
}

function findCatalog(l: Lookup): PdfDict | null {
  for (const at of l.o.index.values()) {
    if (!/\/Type\s*\/Catalog\b/.test(l.o.pdf.toString("latin1", at, at + 2048))) continue;
    try {
      const v = new PdfReader(l.o.pdf, at).value();
      if (isDict(v) && isName(v.dict.get("Type"), "Catalog")) return v;
    } catch {
      // not the object we are after
    }
  }
  for (const v of packed(l).values()) if (isDict(v) && isName(v.dict.get("Type"), "Catalog")) return v;
  return null;
}

/** The first leaf of the page tree, following Kids[0] down. */
function firstPage(l: Lookup): PdfDict {
  const catalog = findCatalog(l);
  if (!catalog) throw new QrReadError("MALFORMED", "the PDF has no document catalog");
  let node = valueOf(l, catalog.dict.get("Pages"));
  for (let depth = 0; depth < 32; depth++) {
    if (!isDict(node)) break;
    if (isName(node.dict.get("Type"), "Page") || (!node.dict.has("Kids") && node.dict.has("Contents"))) return node;
    const kids = valueOf(l, node.dict.get("Kids"));
    if (!Array.isArray(kids) || kids.length === 0) break;
    node = valueOf(l, kids[0]);
  }
  throw new QrReadError("MALFORMED", "the PDF's page tree has no first page");
}

/** The first page's content streams, decoded and joined. */
export function firstPageContent(l: Lookup): Buffer {
  const page = firstPage(l);
  let contents = page.dict.get("Contents");
  // an array of content streams may itself sit behind a reference
  if (isRef(contents) && !isStreamObject(l.o, contents.num)) contents = valueOf(l, contents);
  const refs = isRef(contents) ? [contents] : Array.isArray(contents) ? contents : [];
  const parts: Buffer[] = [];
  let budget = l.limits.maxContentBytes;
  for (const ref of refs) {
    if (!isRef(ref) || !l.o.index.has(ref.num)) continue; // a stream cannot live in an object stream
    const { dict, data } = streamData(l.o, ref.num);
    const body = decodeStream(dict, data, budget, "the page content");
    budget -= body.length + 1;
    parts.push(body, Buffer.from("\n"));
    if (budget <= 0) throw new QrReadError("TOO_LARGE", `the first page's content is larger than ${l.limits.maxContentBytes} bytes`);
  }
  if (parts.length === 0) throw new QrReadError("NO_QR", "the first page has no content");
  return Buffer.concat(parts);
}

function isStreamObject(o: PdfObjects, num: number): boolean {
  try {
    const { reader } = readObject(o, num);
    reader.skipSpace();
    return o.pdf.toString("latin1", reader.pos, reader.pos + 6) === "stream";
  } catch {
    return false;
  }
}

