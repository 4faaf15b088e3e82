/**
 * The OFD page is the PDF page, replayed: the PDF renderer (server/pdf/render.ts) draws the bill on a
 * pdfkit document whose content output is intercepted here, so the OFD file has the same layout by
 * construction — not a second layout to keep in step. pdfkit writes simple path operators (m l c re h,
 * S f, w, q Q cm, scn SCN) that are read back into vector paths; text is taken from pdfkit's
 * per-line `_fragment` call (the string, its position and size), before it is encoded as glyph ids.
 *
 * Coordinates come out in OFD's millimetres, origin top left, y down (GB/T 33190 §7).
 */
import type { BillEnvelope } from "../issuance/model";
import { FONT_NAMES, type FontWeight } from "../pdf/font";
import { geometry } from "../pdf/layout";
import { drawPages, newDocument } from "../pdf/render";
import { templateFor } from "../pdf/template";

export const PT_TO_MM = 25.4 / 72;

type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

/** m · n: apply m first, then n (PDF's row-vector convention). */
function multiply(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[1] * n[2],
    m[0] * n[1] + m[1] * n[3],
    m[2] * n[0] + m[3] * n[2],
    m[2] * n[1] + m[3] * n[3],
    m[4] * n[0] + m[5] * n[2] + n[4],
    m[4] * n[1] + m[5] * n[3] + n[5],
  ];
}
const apply = (m: Matrix, x: number, y: number): [number, number] => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];

export type Rgb = [number, number, number];

export interface TracedPath {
  kind: "path";
  /** OFD AbbreviatedData in page millimetres */
  data: string;
  stroke: Rgb | null;
  fill: Rgb | null;
  lineWidth: number;
  alpha: number;
}

export interface TracedText {
  kind: "text";
  text: string;
  weight: FontWeight;
  /** font size in mm */
  size: number;
  /** baseline origin in page mm */
  x: number;
  y: number;
  /** per-character advances after the first, in mm (OFD DeltaX) */
  deltaX: number[];
  /** rotation/scale of the text, unit-free (a, b, c, d), or null when upright */
  linear: [number, number, number, number] | null;
  fill: Rgb;
  alpha: number;
}

export interface TracedPage {
  width: number;
  height: number;
  items: Array<TracedPath | TracedText>;
}

interface State {
  ctm: Matrix;
  fill: Rgb;
  stroke: Rgb;
  lineWidth: number;
  alpha: number;
}

interface PdfkitInternals {
  addContent(data: string): unknown;
  _fragment(text: string, x: number, y: number, options: { characterSpacing?: number }): unknown;
  _doOpacity(fill?: number, stroke?: number): unknown;
  _font: { id: string; ascender: number; widthOfString(s: string, size: number): number };
  _fontSize: number;
  _fontFamilies: Record<string, { id: string }>;
  page: { height: number };
}

const fmt = (n: number) => String(Math.round(n * 1000) / 1000);

/** Traces every page of the bill as the PDF renderer draws it with this link. */
export function traceBill(envelope: BillEnvelope, verifyUrl: string): TracedPage[] {
  const g = geometry(templateFor(envelope.bill.kind));
  const doc = newDocument(envelope, g);
  const raw = doc as unknown as PdfkitInternals;
  const pages: TracedPage[] = [];
  let page: TracedPage | null = null;
  let st: State = { ctm: IDENTITY, fill: [0, 0, 0], stroke: [0, 0, 0], lineWidth: 1, alpha: 1 };
  const stack: State[] = [];
  let path: string[] = [];
  let inText = false;
  const weightOf = (id: string): FontWeight => (raw._fontFamilies[FONT_NAMES.bold]?.id === id ? "bold" : "regular");
  // device (PDF, y up, points) → OFD (y down, mm)
  const toMm = (x: number, y: number): [number, number] => [x * PT_TO_MM, (g.height - y) * PT_TO_MM];
  const point = (x: number, y: number) =>
    toMm(...apply(st.ctm, x, y))
      .map(fmt)
      .join(" ");

  const addContent = raw.addContent.bind(doc);
  raw.addContent = (data: string) => {
    if (!inText) operator(data);
    return addContent(data);
  };
  const fragment = raw._fragment.bind(doc);
  raw._fragment = (text, x, y, options) => {
    const size = raw._fontSize;
    const font = raw._font;
    // pdfkit's default baseline: the line box top plus the ascender
    const [bx, by] = apply(st.ctm, x, y + (font.ascender / 1000) * size);
    const [ax, ay] = toMm(bx, by);
    const scale = Math.hypot(st.ctm[0], st.ctm[1]);
    const upright = Math.abs(st.ctm[1]) < 1e-9 && Math.abs(st.ctm[2]) < 1e-9 && Math.abs(st.ctm[0] - 1) < 1e-9 && Math.abs(st.ctm[3] + 1) < 1e-9;
    const chars = Array.from(`${text}`.replace(/\n/g, ""));
    const spacing = options.characterSpacing ?? 0;
    const deltaX = chars.slice(0, -1).map((ch) => (font.widthOfString(ch, size) + spacing) * PT_TO_MM);
    // text space is y down in OFD and y up after pdfkit's page flip: the linear part maps one onto the other
    const linear: [number, number, number, number] | null = upright ? null : [st.ctm[0] / scale, -st.ctm[1] / scale, st.ctm[2] / scale, -st.ctm[3] / scale];
    page?.items.push({
      kind: "text",
      text: chars.join(""),
      weight: weightOf(font.id),
      size: size * scale * PT_TO_MM,
      x: ax,
      y: ay,
      deltaX,
      linear,
      fill: st.fill,
      alpha: st.alpha,
    });
    inText = true;
    try {
      return fragment(text, x, y, options);
    } finally {
      inText = false;
    }
  };
  const doOpacity = raw._doOpacity.bind(doc);
  raw._doOpacity = (fill, stroke) => {
    if (fill !== undefined && fill !== null) st = { ...st, alpha: Math.max(0, Math.min(1, fill)) };
    return doOpacity(fill, stroke);
  };

  function paint(stroke: boolean, fill: boolean): void {
    if (page && path.length > 0) {
      page.items.push({
        kind: "path",
        data: path.join(" "),
        stroke: stroke ? st.stroke : null,
        fill: fill ? st.fill : null,
        lineWidth: st.lineWidth * Math.hypot(st.ctm[0], st.ctm[1]) * PT_TO_MM,
        alpha: st.alpha,
      });
    }
    path = [];
  }

  function operator(data: string): void {
    const t = data.trim().split(/\s+/);
    const op = t[t.length - 1];
    const n = t.slice(0, -1).map(Number);
    switch (op) {
      case "q":
        stack.push(st);
        break;
      case "Q":
        st = stack.pop() ?? st;
        break;
      case "cm":
        st = { ...st, ctm: multiply(n as Matrix, st.ctm) };
        break;
      case "w":
        st = { ...st, lineWidth: n[0] };
        break;
      case "scn":
        if (n.length === 3) st = { ...st, fill: n as Rgb };
        break;
      case "SCN":
        if (n.length === 3) st = { ...st, stroke: n as Rgb };
        break;
      case "m":
        path.push(`M ${point(n[0], n[1])}`);
        break;
      case "l":
        path.push(`L ${point(n[0], n[1])}`);
        break;
      case "c":
        path.push(`B ${point(n[0], n[1])} ${point(n[2], n[3])} ${point(n[4], n[5])}`);
        break;
      case "re":
        path.push(`M ${point(n[0], n[1])} L ${point(n[0] + n[2], n[1])} L ${point(n[0] + n[2], n[1] + n[3])} L ${point(n[0], n[1] + n[3])} C`);
        break;
      case "h":
        path.push("C");
        break;
      case "S":
        paint(true, false);
        break;
      case "f":
      case "f*":
        paint(false, true);
        break;
      case "B":
      case "B*":
        paint(true, true);
        break;
      case "n":
        path = [];
        break;
      default:
        break; // colour spaces, graphics states, line caps: nothing OFD needs here
    }
  }

  const addPage = doc.addPage.bind(doc);
  (doc as unknown as { addPage: typeof doc.addPage }).addPage = (options?: PDFKit.PDFDocumentOptions) => {
    page = { width: g.width * PT_TO_MM, height: g.height * PT_TO_MM, items: [] };
    pages.push(page);
    st = { ctm: IDENTITY, fill: [0, 0, 0], stroke: [0, 0, 0], lineWidth: 1, alpha: 1 };
    stack.length = 0;
    return addPage(options);
  };
  drawPages(doc, envelope, { verifyUrl });
  return pages;
}
