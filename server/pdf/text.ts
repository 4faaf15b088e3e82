/**
 * Text that fits its box: shrink to a minimum size, then wrap by character, then cut with "…".
 * Text never leaves its cell.
 */
import { FONT_NAMES, hasGlyphs, type FontWeight } from "./font";

export type Doc = PDFKit.PDFDocument;

export interface FitOptions {
  size: number;
  minSize: number;
  maxLines: number;
  weight?: FontWeight;
}

export interface Fitted {
  size: number;
  lines: string[];
  weight: FontWeight;
}

/**
 * Replaces characters the font lacks by their compatibility form when that one is printable
 * (Ⅱ → II, ㎎ → mg, full-width forms → ASCII); others stay and show as the font's blank glyph.
 */
export function printable(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text) || hasGlyphs(text)) return text;
  let out = "";
  for (const ch of text) {
    const compat = ch.normalize("NFKC");
    out += !hasGlyphs(ch) && compat !== ch && hasGlyphs(compat) ? compat : ch;
  }
  return out;
}

/** Width of `text` at `size` in the given weight. */
export function measure(doc: Doc, text: string, size: number, weight: FontWeight = "regular"): number {
  return doc.font(FONT_NAMES[weight]).fontSize(size).widthOfString(text);
}

function wrapByCharacter(doc: Doc, text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const ch of Array.from(text)) {
    if (line && doc.widthOfString(line + ch) > width) {
      lines.push(line);
      line = ch.trimStart();
      if (lines.length === maxLines) break;
    } else {
      line += ch;
    }
  }
  if (lines.length < maxLines) {
    lines.push(line);
    return lines;
  }
  let last = lines[maxLines - 1];
  while (last && doc.widthOfString(last + "…") > width) last = Array.from(last).slice(0, -1).join("");
  lines[maxLines - 1] = last + "…";
  return lines;
}

/** Fits `text` into `width` points: the largest size that fits on one line, else wrapped at `minSize`. */
export function fitText(doc: Doc, raw: string, width: number, opts: FitOptions): Fitted {
  const text = printable(raw);
  const weight = opts.weight ?? "regular";
  doc.font(FONT_NAMES[weight]);
  const natural = doc.fontSize(opts.size).widthOfString(text);
  if (natural <= width) return { size: opts.size, lines: [text], weight };
  const size = Math.max(opts.minSize, Math.floor((opts.size * width * 10) / natural) / 10);
  doc.fontSize(size);
  if (doc.widthOfString(text) <= width) return { size, lines: [text], weight };
  return { size, lines: wrapByCharacter(doc, text, width, opts.maxLines), weight };
}

export type Align = "left" | "center" | "right";

/** Line height factor used for every stacked line. */
export const LEADING = 1.18;
/** Distance from the top of pdfkit's line box to the top of a CJK glyph, per point of size. */
const INK_TOP = 0.26;
/** Height of CJK ink per point of size. */
const INK_HEIGHT = 0.9;

/** Draws fitted lines vertically centred in the box (x, y, width, height). */
export function drawFitted(doc: Doc, f: Fitted, x: number, y: number, width: number, height: number, align: Align): void {
  doc.font(FONT_NAMES[f.weight]).fontSize(f.size);
  const block = (f.lines.length - 1) * f.size * LEADING + f.size * INK_HEIGHT;
  let top = y + (height - block) / 2 - f.size * INK_TOP;
  for (const line of f.lines) {
    const w = doc.widthOfString(line);
    const left = align === "left" ? x : align === "right" ? x + width - w : x + (width - w) / 2;
    doc.text(line, left, top, { lineBreak: false });
    top += f.size * LEADING;
  }
}

/** Draws one line at (x, y) (top of the ink), sized and aligned; returns its width. */
export function drawLine(
  doc: Doc,
  raw: string,
  x: number,
  y: number,
  size: number,
  opts: { weight?: FontWeight; align?: Align; width?: number; spacing?: number } = {},
): number {
  const text = printable(raw);
  doc.font(FONT_NAMES[opts.weight ?? "regular"]).fontSize(size);
  const spacing = opts.spacing ?? 0;
  const w = doc.widthOfString(text, { characterSpacing: spacing });
  const box = opts.width ?? w;
  const left = opts.align === "right" ? x + box - w : opts.align === "center" ? x + (box - w) / 2 : x;
  doc.text(text, left, y - size * INK_TOP, { lineBreak: false, characterSpacing: spacing });
  return w;
}
