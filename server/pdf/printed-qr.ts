/**
 * Reads the QR code PRINTED on a bill PDF — what a phone would scan from the paper — without
 * rasterising the page: the first page's content is interpreted just far enough to collect the dark
 * filled rectangles (qr.ts draws the code as `re` runs), the square cluster of equal-sized modules is
 * snapped to its grid, painted into a small bitmap and decoded with jsQR.
 *
 * Bounded and total: input size, decompressed content, operator count, rectangles and wall time are
 * capped, and every outcome (garbage, truncation, a QR drawn as an image, none at all) is a coded value.
 */
import jsQR from "jsqr";
import { PdfReadError, decodeStream, objectStreamValues, pdfObjects, readObject, streamData, type PdfObjects } from "./pdf-objects";
import { PdfReader, PdfSyntaxError, isDict, isName, isRef, type PdfDict, type PdfValue } from "./pdf-syntax";

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

class QrReadError extends Error {
  constructor(readonly code: PrintedQrCode, message: string) {
    super(message);
  }
}

/** An axis-aligned box in page space (PDF default user space, y up). */
interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

/** `m` applied first, then `c` (PDF's `m cm` on a current matrix `c`). */
function concat(m: Matrix, c: Matrix): Matrix {
  return [
    m[0] * c[0] + m[1] * c[2],
    m[0] * c[1] + m[1] * c[3],
    m[2] * c[0] + m[3] * c[2],
    m[2] * c[1] + m[3] * c[3],
    m[4] * c[0] + m[5] * c[2] + c[4],
    m[4] * c[1] + m[5] * c[3] + c[5],
  ];
}

// ---------------------------------------------------------------------------------------------
// Finding the first page's content

interface Lookup {
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
function firstPageContent(l: Lookup): Buffer {
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

// ---------------------------------------------------------------------------------------------
// Interpreting the content: dark filled rectangles, in page space

const WHITE = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) WHITE[c] = 1;
const DELIM = new Uint8Array(256);
for (const c of "()<>[]{}/%") DELIM[c.charCodeAt(0)] = 1;

interface GState {
  ctm: Matrix;
  /** whether the non-stroking colour is dark enough to be a QR module */
  dark: boolean;
  /** components of the non-stroking colour space: 1 gray, 3 RGB, 4 CMYK, 0 anything else */
  space: number;
}

function darkness(space: number, v: number[]): boolean {
  // an unknown (e.g. ICC-based) space: judge by the number of components given
  if (space === 0) space = v.length === 1 || v.length === 3 || v.length === 4 ? v.length : 0;
  if (space === 1 && v.length >= 1) return v[0] < 0.5;
  if (space === 3 && v.length >= 3) return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2] < 0.5;
  if (space === 4 && v.length >= 4) {
    const [c, m, y, k] = v;
    return 0.2126 * (1 - c) * (1 - k) + 0.7152 * (1 - m) * (1 - k) + 0.0722 * (1 - y) * (1 - k) < 0.5;
  }
  return false;
}

function spaceOf(name: string): number {
  if (name === "DeviceGray" || name === "G") return 1;
  if (name === "DeviceRGB" || name === "RGB") return 3;
  if (name === "DeviceCMYK" || name === "CMYK") return 4;
  return 0;
}

/** Runs the content stream, returning the dark filled rectangles drawn with axis-aligned transforms. */
function darkRects(content: Buffer, limits: PrintedQrLimits, deadline: number): Box[] {
  const rects: Box[] = [];
  const stack: GState[] = [];
  let gs: GState = { ctm: IDENTITY, dark: true, space: 1 };
  let path: Box[] = [];
  let pathOnlyRects = true;
  const nums: number[] = [];
  let lastName = "";
  let ops = 0;
  let pos = 0;
  const n = content.length;

  const paint = () => {
    if (gs.dark && pathOnlyRects) {
      for (const r of path) {
        if (rects.length >= limits.maxRects) throw new QrReadError("TOO_LARGE", `the first page draws more than ${limits.maxRects} rectangles`);
        rects.push(r);
      }
    }
    path = [];
    pathOnlyRects = true;
  };

  while (pos < n) {
    const c = content[pos];
    if (WHITE[c]) {
      pos++;
      continue;
    }
    if (c === 0x25) {
      while (pos < n && content[pos] !== 0x0a && content[pos] !== 0x0d) pos++;
      continue;
    }
    if (c === 0x28) {
      // a literal string: skip, minding escapes and balanced parentheses
      let depth = 0;
      pos++;
      while (pos < n) {
        const d = content[pos++];
        if (d === 0x5c) pos++;
        else if (d === 0x28) depth++;
        else if (d === 0x29 && depth-- === 0) break;
      }
      nums.length = 0;
      continue;
    }
    if (c === 0x3c) {
      if (content[pos + 1] === 0x3c) pos += 2;
      else {
        const end = content.indexOf(0x3e, pos);
        pos = end < 0 ? n : end + 1;
      }
      continue;
    }
    if (c === 0x3e || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d || c === 0x29) {
      pos++;
      continue;
    }
    const start = c === 0x2f ? ++pos : pos;
    while (pos < n && !WHITE[content[pos]] && !DELIM[content[pos]]) pos++;
    const word = content.toString("latin1", start, pos);
    if (c === 0x2f) {
      lastName = word;
      continue;
    }
    const first = word.charCodeAt(0);
    if ((first >= 0x30 && first <= 0x39) || first === 0x2d || first === 0x2b || first === 0x2e) {
      const v = Number(word);
      if (nums.length < 16) nums.push(Number.isFinite(v) ? v : 0);
      else nums.shift(), nums.push(Number.isFinite(v) ? v : 0);
      continue;
    }
    if (word.length === 0) {
      pos++;
      continue;
    }
    if (++ops > limits.maxOperators) throw new QrReadError("TOO_LARGE", `the first page has more than ${limits.maxOperators} operators`);
    if ((ops & 0xfff) === 0 && Date.now() > deadline) throw new QrReadError("TIMEOUT", "reading the page took too long");
    const k = nums.length;
    switch (word) {
      case "q":
        if (stack.length < 64) stack.push(gs);
        break;
      case "Q":
        gs = stack.pop() ?? gs;
        break;
      case "cm":
        if (k >= 6) gs = { ...gs, ctm: concat(nums.slice(k - 6) as Matrix, gs.ctm) };
        break;
      case "re": {
        if (k < 4) break;
        const [x, y, w, h] = nums.slice(k - 4);
        const m = gs.ctm;
        if (Math.abs(m[1]) > 1e-9 || Math.abs(m[2]) > 1e-9) {
          pathOnlyRects = false; // rotated or skewed: not a grid this reader follows
          break;
        }
        const ax = m[0] * x + m[4], bx = m[0] * (x + w) + m[4];
        const ay = m[3] * y + m[5], by = m[3] * (y + h) + m[5];
        path.push({ x0: Math.min(ax, bx), x1: Math.max(ax, bx), y0: Math.min(ay, by), y1: Math.max(ay, by) });
        break;
      }
      case "m": case "l": case "c": case "v": case "y": case "h":
        pathOnlyRects = false;
        break;
      case "f": case "F": case "f*": case "B": case "B*": case "b": case "b*":
        paint();
        break;
      case "n": case "S": case "s":
        path = [];
        pathOnlyRects = true;
        break;
      case "g":
        gs = { ...gs, space: 1, dark: darkness(1, nums.slice(k - 1)) };
        break;
      case "rg":
        gs = { ...gs, space: 3, dark: darkness(3, nums.slice(k - 3)) };
        break;
      case "k":
        gs = { ...gs, space: 4, dark: darkness(4, nums.slice(k - 4)) };
        break;
      case "cs": {
        // a colour space's initial colour is black for the device spaces
        gs = { ...gs, space: spaceOf(lastName), dark: true };
        break;
      }
      case "sc": case "scn":
        gs = { ...gs, dark: darkness(gs.space, gs.space === 0 ? nums.slice(0, k) : nums.slice(Math.max(0, k - gs.space))) };
        break;
      case "BI": {
        // inline image: skip its data up to the "EI" that ends it
        const id = content.indexOf("ID", pos, "latin1");
        let end = id < 0 ? -1 : content.indexOf("EI", id + 3, "latin1");
        while (end > 0 && !(WHITE[content[end - 1]] && (end + 2 >= n || WHITE[content[end + 2]]))) end = content.indexOf("EI", end + 2, "latin1");
        pos = end < 0 ? n : end + 2;
        break;
      }
      default:
        break;
    }
    nums.length = 0;
  }
  return rects;
}

// ---------------------------------------------------------------------------------------------
// The QR cluster: rectangles of one module thickness forming an N×N grid

interface Grid {
  left: number;
  top: number;
  unit: number;
  size: number;
  rects: Box[];
}

const thickness = (r: Box) => Math.min(r.x1 - r.x0, r.y1 - r.y0);
const near = (a: number, b: number) => Math.abs(a - b) <= Math.max(0.05, 0.03 * Math.max(a, b));

/** Rectangles grouped by thickness (a module's side, give or take the overlap qr.ts adds). */
function thicknessGroups(rects: Box[]): Box[][] {
  const sorted = rects.filter((r) => thickness(r) > 0.05).sort((a, b) => thickness(a) - thickness(b));
  const groups: Box[][] = [];
  let group: Box[] = [];
  for (const r of sorted) {
    if (group.length > 0 && !near(thickness(group[0]), thickness(r))) {
      groups.push(group);
      group = [];
    }
    group.push(r);
  }
  if (group.length > 0) groups.push(group);
  return groups.filter((g) => g.length >= 21);
}

/** Spatial clusters: rectangles closer than two module sides join one cluster. */
function clusters(group: Box[], deadline: number): Box[][] {
  const gap = 2 * thickness(group[0]);
  const sorted = [...group].sort((a, b) => a.x0 - b.x0);
  const parent = sorted.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (let i = 0; i < sorted.length; i++) {
    if ((i & 0xff) === 0 && Date.now() > deadline) throw new QrReadError("TIMEOUT", "finding the QR code took too long");
    const a = sorted[i];
    for (let j = i + 1; j < sorted.length && sorted[j].x0 <= a.x1 + gap; j++) {
      const b = sorted[j];
      if (b.y0 <= a.y1 + gap && a.y0 <= b.y1 + gap) parent[find(j)] = find(i);
    }
  }
  const byRoot = new Map<number, Box[]>();
  sorted.forEach((r, i) => {
    const root = find(i);
    const list = byRoot.get(root);
    if (list) list.push(r);
    else byRoot.set(root, [r]);
  });
  return [...byRoot.values()].filter((c) => c.length >= 21);
}

/** The cluster as a QR grid, when it is one: square, 21..177 modules of 4k+17, rectangles on the grid. */
function gridOf(cluster: Box[]): Grid | null {
  const x0 = Math.min(...cluster.map((r) => r.x0)), x1 = Math.max(...cluster.map((r) => r.x1));
  const y0 = Math.min(...cluster.map((r) => r.y0)), y1 = Math.max(...cluster.map((r) => r.y1));
  const module = Math.min(...cluster.map(thickness));
  const size = Math.round((x1 - x0) / module);
  if (size < 21 || size > 177 || (size - 17) % 4 !== 0) return null;
  const unit = (x1 - x0) / size;
  if (Math.abs(y1 - y0 - (x1 - x0)) > 0.5 * unit) return null;
  const onGrid = (v: number) => Math.abs(v / unit - Math.round(v / unit)) < 0.25;
  const misfits = cluster.filter((r) => !onGrid(r.x0 - x0) || !onGrid(y1 - r.y1)).length;
  if (misfits > cluster.length / 20) return null;
  return { left: x0, top: y1, unit, size, rects: cluster };
}

const PX = 4;
const QUIET = 4;

/** The grid painted black on white, PX pixels a module, with a quiet zone; RGBA as jsQR reads it. */
function paintGrid(g: Grid): { data: Uint8ClampedArray; side: number } {
  const side = (g.size + 2 * QUIET) * PX;
  const data = new Uint8ClampedArray(side * side * 4).fill(255);
  const clamp = (v: number) => Math.max(0, Math.min(g.size, v));
  for (const r of g.rects) {
    const c0 = clamp(Math.round((r.x0 - g.left) / g.unit));
    const c1 = Math.max(c0 + 1, clamp(Math.round((r.x1 - g.left) / g.unit)));
    // image rows run down the page, page y runs up
    const r0 = clamp(Math.round((g.top - r.y1) / g.unit));
    const r1 = Math.max(r0 + 1, clamp(Math.round((g.top - r.y0) / g.unit)));
    for (let row = r0; row < Math.min(r1, g.size); row++) {
      for (let y = (row + QUIET) * PX; y < (row + QUIET + 1) * PX; y++) {
        const from = (y * side + (Math.min(c0, g.size - 1) + QUIET) * PX) * 4;
        const to = (y * side + (Math.min(c1, g.size) + QUIET) * PX) * 4;
        for (let i = from; i < to; i += 4) data[i] = data[i + 1] = data[i + 2] = 0;
      }
    }
  }
  return { data, side };
}

function decodeGrids(rects: Box[], deadline: number): string[] {
  const grids: Grid[] = [];
  for (const group of thicknessGroups(rects)) {
    for (const cluster of clusters(group, deadline)) {
      const g = gridOf(cluster);
      if (g) grids.push(g);
    }
  }
  if (grids.length === 0) throw new QrReadError("NO_QR", "no QR code drawn as vectors on the first page");
  // a bill's QR code sits at the top left: try the highest, then leftmost, first
  grids.sort((a, b) => b.top - a.top || a.left - b.left);
  const texts: string[] = [];
  for (const g of grids.slice(0, 4)) {
    if (Date.now() > deadline) throw new QrReadError("TIMEOUT", "decoding the QR code took too long");
    const { data, side } = paintGrid(g);
    const code = jsQR(data, side, side, { inversionAttempts: "dontInvert" });
    if (code && code.data && !texts.includes(code.data)) texts.push(code.data);
  }
  if (texts.length === 0) throw new QrReadError("UNREADABLE", "the QR code printed on the first page cannot be decoded");
  return texts;
}

/** The text of the QR code printed on the PDF's first page, or a coded reason why there is none. Never throws. */
export function readPrintedQr(pdf: Buffer, limits: Partial<PrintedQrLimits> = {}): PrintedQrResult {
  const l: PrintedQrLimits = { ...DEFAULT_PRINTED_QR_LIMITS, ...limits };
  const deadline = Date.now() + l.maxMillis;
  try {
    if (!Buffer.isBuffer(pdf)) throw new QrReadError("NOT_PDF", "the data is not a PDF");
    if (pdf.length > l.maxInputBytes) throw new QrReadError("TOO_LARGE", `the PDF is larger than ${l.maxInputBytes} bytes`);
    const header = pdf.indexOf("%PDF-", 0, "latin1");
    if (header < 0 || header > 1024) throw new QrReadError("NOT_PDF", "the data is not a PDF (no %PDF- header)");
    const content = firstPageContent({ o: pdfObjects(pdf), packed: null, limits: l });
    if (Date.now() > deadline) throw new QrReadError("TIMEOUT", "reading the page took too long");
    const texts = decodeGrids(darkRects(content, l, deadline), deadline);
    return { ok: true, text: texts[0], texts };
  } catch (err) {
    if (err instanceof QrReadError || err instanceof PdfReadError) return { ok: false, code: err.code, message: err.message };
    if (err instanceof PdfSyntaxError) return { ok: false, code: "MALFORMED", message: err.message };
    return { ok: false, code: "UNREADABLE", message: `the printed QR code could not be read: ${(err as Error)?.message ?? String(err)}`.slice(0, 300) };
  }
}
