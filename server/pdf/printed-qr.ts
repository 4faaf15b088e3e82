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
import { PdfReadError, pdfObjects } from "./pdf-objects";
import { PdfSyntaxError } from "./pdf-syntax";
import { firstPageContent } from "./page-content";
import { darkRects, type Box } from "./content-rects";
import { DEFAULT_PRINTED_QR_LIMITS, QrReadError, type PrintedQrLimits, type PrintedQrResult } from "./printed-qr-types";

export { DEFAULT_PRINTED_QR_LIMITS, type PrintedQrCode, type PrintedQrLimits, type PrintedQrResult } from "./printed-qr-types";

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
