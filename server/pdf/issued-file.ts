/**
 * Is an uploaded file exactly the file lianpiao issued? The renderer is deterministic, so the file a
 * bill was issued as can be rendered again from its attachment (document.ts) and compared byte for
 * byte. compareIssuedFile is pure: it reads the uploaded bytes only to compare them, and parses only
 * the reference (this renderer's own output: one classic cross-reference table, no object streams)
 * to say what the first differing byte belongs to.
 */
import { PdfReader, isDict, isName, isRef, type PdfDict, type PdfValue } from "./pdf-syntax";

/** Where a byte offset of the issued file lies. */
export interface Region {
  /** the object holding the byte, or null for the header, cross-reference table or trailer */
  object: number | null;
  /** what that part of the file is, in words: "the content stream of page 1", "the document catalog" */
  what: string;
}

/** What was appended to the issued file, read from the appended bytes alone. */
export interface Tail {
  /** object numbers defined in the tail that the issued file also defines (a reader may take these instead) */
  redefined: { object: number; what: string }[];
  /** object numbers defined in the tail that are new */
  added: number[];
  /** whether the tail has its own cross-reference section (an incremental update) */
  xref: boolean;
  /** action and script keys found in the tail: /OpenAction, /JavaScript, /AA, /Launch, /URI, /SubmitForm */
  actions: string[];
}

export type IssuedFileFinding =
  /** byte for byte the issued file */
  | { kind: "identical"; bytes: number }
  /** the issued file, then `extra` more bytes after its %%EOF: an incremental update or appended objects */
  | { kind: "appended"; bytes: number; extra: number; tail: Tail }
  /** the first `bytes` bytes of the issued file, which has `issued` */
  | { kind: "truncated"; bytes: number; issued: number; endsIn: Region }
  /** differs from byte `at` (0-based), which lies in `region` of the issued file */
  | { kind: "modified"; at: number; bytes: number; issued: number; region: Region };

/** The first offset where a and b differ, or the shorter length when one is a prefix of the other. */
export function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  // compare in blocks first: Buffer.compare runs natively
  const BLOCK = 4096;
  let i = 0;
  while (i + BLOCK <= n && a.compare(b, i, i + BLOCK, i, i + BLOCK) === 0) i += BLOCK;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** Compares an uploaded file with the reference bytes rendered for the bill it carries. */
export function compareIssuedFile(uploaded: Buffer, reference: Buffer): IssuedFileFinding {
  const at = firstDifference(uploaded, reference);
  if (at === reference.length && at === uploaded.length) return { kind: "identical", bytes: at };
  const layout = () => layoutOf(reference);
  if (at === reference.length) {
    return { kind: "appended", bytes: uploaded.length, extra: uploaded.length - reference.length, tail: tailOf(uploaded.subarray(reference.length), layout()) };
  }
  if (at === uploaded.length) return { kind: "truncated", bytes: uploaded.length, issued: reference.length, endsIn: layout().regionAt(at) };
  return { kind: "modified", at, bytes: uploaded.length, issued: reference.length, region: layout().regionAt(at) };
}

// ---------------------------------------------------------------------------------------------
// The layout of the reference file

interface Layout {
  regionAt(offset: number): Region;
  describe(object: number): string;
  maxObject: number;
}

const refsIn = (v: PdfValue | undefined): number[] => (isRef(v) ? [v.num] : Array.isArray(v) ? v.filter(isRef).map((r) => r.num) : []);
const nameOf = (v: PdfValue | undefined) => (isName(v) ? v.name : null);

const layouts = new WeakMap<Buffer, Layout>();

function layoutOf(pdf: Buffer): Layout {
  const hit = layouts.get(pdf);
  if (hit) return hit;
  const layout = buildLayout(pdf);
  layouts.set(pdf, layout);
  return layout;
}

function buildLayout(pdf: Buffer): Layout {
  const text = pdf.toString("latin1");
  const tailText = text.slice(-1024);
  const sx = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tailText);
  const xrefAt = sx ? Number(sx[1]) : text.lastIndexOf("xref");
  const trailerAt = text.indexOf("trailer", xrefAt);
  const eofAt = text.lastIndexOf("%%EOF");
  // the cross-reference table: "0 N" then one 20-byte entry per object
  const offsets: { num: number; at: number }[] = [];
  const xref = text.slice(xrefAt, trailerAt > 0 ? trailerAt : undefined);
  const head = /^xref\s+(\d+)\s+(\d+)\s+/.exec(xref);
  if (head) {
    let num = Number(head[1]);
    const entries = xref.slice(head[0].length).match(/(\d{10}) (\d{5}) ([nf])/g) ?? [];
    for (const e of entries) {
      if (e.endsWith("n")) offsets.push({ num, at: Number(e.slice(0, 10)) });
      num++;
    }
  }
  offsets.sort((a, b) => a.at - b.at);
  const dicts = new Map<number, PdfDict>();
  const streams = new Set<number>();
  for (const { num, at } of offsets) {
    const m = /^\d+ \d+ obj\s*/.exec(text.slice(at, at + 32));
    if (!m) continue;
    try {
      const r = new PdfReader(pdf, at + m[0].length);
      const v = r.value();
      if (isDict(v)) dicts.set(num, v);
      if (/^\s*stream/.test(text.slice(r.pos, r.pos + 16))) streams.add(num);
    } catch {
      // left undescribed
    }
  }
  let trailer: PdfValue = null;
  try {
    if (trailerAt > 0) trailer = new PdfReader(pdf, trailerAt + "trailer".length).value();
  } catch {
    trailer = null;
  }
  const roles = rolesOf(dicts, streams, isDict(trailer) ? trailer : { dict: new Map() });
  const describe = (num: number) => roles.get(num) ?? (streams.has(num) ? "a stream" : "an object");
  const maxObject = offsets.reduce((m, o) => Math.max(m, o.num), 0);
  return {
    maxObject,
    describe,
    regionAt(offset: number): Region {
      if (offsets.length === 0 || offset < offsets[0].at) return { object: null, what: "the file header (before the first object)" };
      if (offset >= eofAt && eofAt > 0) return { object: null, what: "the end-of-file marker (%%EOF)" };
      if (offset >= trailerAt && trailerAt > 0) return { object: null, what: "the trailer (the file's root, information dictionary and ID)" };
      if (offset >= xrefAt) return { object: null, what: "the cross-reference table (where each object starts)" };
      let lo = 0;
      let hi = offsets.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (offsets[mid].at <= offset) lo = mid;
        else hi = mid - 1;
      }
      const num = offsets[lo].num;
      return { object: num, what: describe(num) };
    },
  };
}

/** What each object of the reference is, from the catalog down. */
function rolesOf(dicts: Map<number, PdfDict>, streams: Set<number>, trailer: PdfDict): Map<number, string> {
  const roles = new Map<number, string>();
  const set = (num: number | undefined, what: string) => {
    if (num !== undefined && !roles.has(num)) roles.set(num, what);
  };
  const get = (d: PdfDict | undefined, key: string) => d?.dict.get(key);
  const deref = (v: PdfValue | undefined) => (isRef(v) ? dicts.get(v.num) : isDict(v) ? v : undefined);
  const rootRef = get(trailer, "Root");
  const root = isRef(rootRef) ? rootRef.num : undefined;
  set(root, "the document catalog");
  for (const r of refsIn(get(trailer, "Info"))) set(r, "the document information dictionary (title, author, dates)");
  // pages in order, following the page tree
  const pages: number[] = [];
  const catalog = root !== undefined ? dicts.get(root) : undefined;
  const walk = (ref: number, depth: number) => {
    const node = dicts.get(ref);
    if (!node || depth > 16) return;
    if (nameOf(get(node, "Type")) === "Page") pages.push(ref);
    else {
      set(ref, "the page tree");
      for (const kid of refsIn(get(node, "Kids"))) walk(kid, depth + 1);
    }
  };
  for (const r of refsIn(get(catalog, "Pages"))) walk(r, 0);
  pages.forEach((ref, i) => {
    const page = dicts.get(ref);
    const name = `page ${i + 1} of ${pages.length}`;
    set(ref, `the dictionary of ${name}`);
    for (const c of refsIn(get(page, "Contents"))) set(c, `the content stream of ${name} (what the page draws)`);
    for (const r of refsIn(get(page, "Resources"))) set(r, `the resources of ${name}`);
    for (const a of refsIn(get(page, "Annots"))) set(a, `an annotation of ${name}`);
  });
  for (const [num, d] of dicts) {
    const type = nameOf(get(d, "Type"));
    const subtype = nameOf(get(d, "Subtype"));
    const font = nameOf(get(d, "BaseFont")) ?? nameOf(get(d, "FontName")) ?? "a font";
    if (type === "Font") {
      set(num, subtype === "CIDFontType0" || subtype === "CIDFontType2" ? `the font ${font} (its CID font)` : `the font ${font}`);
      for (const r of refsIn(get(d, "ToUnicode"))) set(r, `the character map of the font ${font} (ToUnicode: the text a reader copies or searches)`);
      for (const r of refsIn(get(d, "DescendantFonts"))) set(r, `the font ${font} (its CID font)`);
      for (const r of refsIn(get(d, "W"))) set(r, `the glyph widths of the font ${font}`);
    } else if (type === "FontDescriptor") {
      set(num, `the font descriptor of ${font}`);
      for (const key of ["FontFile", "FontFile2", "FontFile3"])
        for (const r of refsIn(get(d, key))) set(r, `the embedded font program of ${font} (its glyph outlines)`);
    } else if (type === "EmbeddedFile") set(num, "the embedded bill (lianpiao-bill.json)");
    else if (type === "Filespec") set(num, "the file specification of the embedded bill");
    else if (type === "XObject" && subtype === "Form") set(num, "a Form XObject (a drawing a page reuses)");
    else if (type === "XObject" && subtype === "Image") set(num, "an image");
    else if (type === "ExtGState") set(num, "a graphics state (opacity)");
    else if (type === "Annot") set(num, "an annotation");
    else if (d.dict.has("Names") || d.dict.has("Kids")) set(num, "a name tree node");
  }
  if (catalog) {
    for (const r of refsIn(get(catalog, "Names"))) set(r, "the document's name dictionary");
    for (const r of refsIn(get(deref(get(catalog, "Names")), "EmbeddedFiles"))) set(r, "the list of embedded files");
    for (const r of refsIn(get(catalog, "AF"))) set(r, "the list of the document's associated files");
    for (const key of ["Outlines", "StructTreeRoot", "MarkInfo", "Metadata", "AcroForm", "ViewerPreferences"]) {
      for (const r of refsIn(get(catalog, key))) set(r, `the document's ${key}`);
    }
  }
  for (const num of streams) set(num, "a stream");
  return roles;
}

// ---------------------------------------------------------------------------------------------
// What an appended tail holds

const ACTION_KEYS = ["/OpenAction", "/JavaScript", "/JS", "/AA", "/Launch", "/URI", "/SubmitForm", "/GoToR", "/EmbeddedFile"];

function tailOf(tail: Buffer, layout: Layout): Tail {
  const text = tail.toString("latin1");
  const seen = new Set<number>();
  const re = /(?<![0-9])(\d{1,10})\s+(\d{1,5})\s+obj\b/g;
  for (let m = re.exec(text); m && seen.size < 10_000; m = re.exec(text)) seen.add(Number(m[1]));
  const redefined: Tail["redefined"] = [];
  const added: number[] = [];
  for (const num of [...seen].sort((a, b) => a - b)) {
    if (num >= 1 && num <= layout.maxObject) redefined.push({ object: num, what: layout.describe(num) });
    else added.push(num);
  }
  const actions = ACTION_KEYS.filter((k) => new RegExp(`${k.replace("/", "\\/")}(?![A-Za-z0-9])`).test(text));
  return { redefined, added, xref: /(^|[\r\n])xref\b/.test(text) || /\/Type\s*\/XRef\b/.test(text), actions };
}

// ---------------------------------------------------------------------------------------------
// In words

const list = (items: string[], max = 6) => (items.length <= max ? items.join(", ") : `${items.slice(0, max).join(", ")} and ${items.length - max} more`);
const n = (x: number) => x.toLocaleString("en-US");

/** The finding in one or two sentences, naming what differs. */
export function describeIssuedFile(f: IssuedFileFinding): string {
  switch (f.kind) {
    case "identical":
      return `The file is byte for byte the file issued for this bill (${n(f.bytes)} bytes)`;
    case "appended": {
      const t = f.tail;
      const parts: string[] = [];
      if (t.redefined.length)
        parts.push(
          `it redefines ${list(
            t.redefined.map((r) => `object ${r.object} (${r.what})`),
            4,
          )}`,
        );
      if (t.added.length) parts.push(`it adds ${t.added.length === 1 ? "object" : "objects"} ${list(t.added.map(String), 8)}`);
      if (t.actions.length) parts.push(`it names ${list(t.actions)}`);
      parts.push(
        t.xref
          ? "with its own cross-reference section (an incremental update: viewers show the changed document)"
          : "with no cross-reference section of its own (objects appended after the end: a reader that takes the last definition of an object sees them, a viewer following the cross-reference table does not)",
      );
      return `The file is the issued file plus ${n(f.extra)} bytes after its %%EOF: ${parts.join("; ")}`;
    }
    case "truncated":
      return `The file is the first ${n(f.bytes)} of the issued file's ${n(f.issued)} bytes: it is cut off inside ${where(f.endsIn)}`;
    case "modified":
      return `The file differs from the issued file from byte ${n(f.at)} on, inside ${where(f.region)} (file ${n(f.bytes)} bytes, issued ${n(f.issued)} bytes)`;
  }
}

function where(r: Region): string {
  return r.object === null ? r.what : `object ${r.object}: ${r.what}`;
}

/** A kind of issued file (PDF, OFD) as the file check compares it with the file issued for its bill. */
export interface FileFormat {
  /** how the answers name such a file: "a PDF", "an OFD file" */
  name: string;
  /** the renderer version this verifier implements (the `document.renderer` it can re-create) */
  renderer: string;
  compare(file: Buffer, reference: Buffer): { kind: "identical"; bytes: number } | { kind: Exclude<IssuedFileFinding["kind"], "identical">; detail: string };
}
