/**
 * Noto Sans SC for the bills, decoded once per process from the WOFF 1.0 files that
 * `@fontsource/noto-sans-sc` ships into plain OpenType buffers that pdfkit embeds as subsets.
 *
 * pdfkit could read the WOFF itself, but it inflates every table again for each document
 * (seconds per PDF); a decoded sfnt costs a few milliseconds.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { inflateSync } from "node:zlib";

export type FontWeight = "regular" | "bold";

/** pdfkit font names under which renderers register the two weights. */
export const FONT_NAMES: Record<FontWeight, string> = { regular: "NotoSansSC", bold: "NotoSansSC-Bold" };

const FILES: Record<FontWeight, string> = {
  regular: "noto-sans-sc-chinese-simplified-400-normal.woff",
  bold: "noto-sans-sc-chinese-simplified-700-normal.woff",
};

const WOFF_SIGNATURE = 0x774f4646; // "wOFF"
const WOFF_HEADER = 44;
const WOFF_ENTRY = 20;
const SFNT_HEADER = 12;
const SFNT_ENTRY = 16;
const HEAD_TAG = 0x68656164; // "head"
const CHECKSUM_MAGIC = 0xb1b0afba;

export class FontDecodeError extends Error {
  readonly code = "PDF_FONT_INVALID";
}

interface WoffTable {
  tag: number;
  data: Buffer;
}

function fail(message: string): never {
  throw new FontDecodeError(message);
}

/** The 32-bit sum of big-endian words that the sfnt table directory records. */
export function sfntChecksum(data: Buffer): number {
  let sum = 0;
  const whole = data.length & ~3;
  for (let i = 0; i < whole; i += 4) sum = (sum + data.readUInt32BE(i)) >>> 0;
  if (whole < data.length) {
    const tail = Buffer.alloc(4);
    data.copy(tail, 0, whole);
    sum = (sum + tail.readUInt32BE(0)) >>> 0;
  }
  return sum;
}

function readTables(woff: Buffer): { flavor: number; tables: WoffTable[] } {
  if (woff.length < WOFF_HEADER || woff.readUInt32BE(0) !== WOFF_SIGNATURE) fail("not a WOFF 1.0 font");
  if (woff.readUInt32BE(8) !== woff.length) fail("WOFF length field does not match the file size");
  const flavor = woff.readUInt32BE(4);
  const count = woff.readUInt16BE(12);
  if (WOFF_HEADER + count * WOFF_ENTRY > woff.length) fail("WOFF table directory is truncated");
  const tables: WoffTable[] = [];
  for (let i = 0; i < count; i++) {
    const at = WOFF_HEADER + i * WOFF_ENTRY;
    const tag = woff.readUInt32BE(at);
    const offset = woff.readUInt32BE(at + 4);
    const compLength = woff.readUInt32BE(at + 8);
    const origLength = woff.readUInt32BE(at + 12);
    if (offset + compLength > woff.length || compLength > origLength) fail(`WOFF table ${i} is out of bounds`);
    const raw = woff.subarray(offset, offset + compLength);
    const data = compLength < origLength ? inflateSync(raw, { maxOutputLength: origLength }) : Buffer.from(raw);
    if (data.length !== origLength) fail(`WOFF table ${i} inflated to the wrong length`);
    tables.push({ tag, data });
  }
  tables.sort((a, b) => a.tag - b.tag);
  return { flavor, tables };
}

function writeOffsetTable(out: Buffer, flavor: number, count: number): void {
  let power = 1;
  let log2 = 0;
  while (power * 2 <= count) {
    power *= 2;
    log2++;
  }
  out.writeUInt32BE(flavor, 0);
  out.writeUInt16BE(count, 4);
  out.writeUInt16BE(power * 16, 6);
  out.writeUInt16BE(log2, 8);
  out.writeUInt16BE(count * 16 - power * 16, 10);
}

/** Rebuilds the sfnt (OpenType/TrueType) font that a WOFF 1.0 file wraps. */
export function woffToSfnt(woff: Buffer): Buffer {
  const { flavor, tables } = readTables(woff);
  return sfntOf(flavor, tables);
}

/**
 * An sfnt font file of `tables` (sorted by tag by the caller), with table checksums and the head
 * table's checkSumAdjustment computed (also used for the OFD font subsets: server/ofd/font-subset.ts).
 */
export function sfntOf(flavor: number, tables: Array<{ tag: number; data: Buffer }>): Buffer {
  const padded = (n: number) => (n + 3) & ~3;
  let size = SFNT_HEADER + tables.length * SFNT_ENTRY;
  for (const t of tables) size += padded(t.data.length);
  const out = Buffer.alloc(size);
  writeOffsetTable(out, flavor, tables.length);
  let offset = SFNT_HEADER + tables.length * SFNT_ENTRY;
  let headOffset = -1;
  tables.forEach((t, i) => {
    if (t.tag === HEAD_TAG) {
      if (t.data.length < 12) fail("head table is too short");
      t.data.writeUInt32BE(0, 8); // checkSumAdjustment is recomputed over the whole font below
      headOffset = offset;
    }
    const entry = SFNT_HEADER + i * SFNT_ENTRY;
    out.writeUInt32BE(t.tag, entry);
    out.writeUInt32BE(sfntChecksum(t.data), entry + 4);
    out.writeUInt32BE(offset, entry + 8);
    out.writeUInt32BE(t.data.length, entry + 12);
    t.data.copy(out, offset);
    offset += padded(t.data.length);
  });
  if (headOffset >= 0) out.writeUInt32BE((CHECKSUM_MAGIC - sfntChecksum(out)) >>> 0, headOffset + 8);
  return out;
}

const cache = new Map<FontWeight, Buffer>();

function fontDirectory(): string {
  return join(dirname(require.resolve("@fontsource/noto-sans-sc/package.json")), "files");
}

/** The decoded font of a weight; decoded on first use, then shared by every document. */
export function fontBuffer(weight: FontWeight): Buffer {
  let font = cache.get(weight);
  if (!font) {
    font = woffToSfnt(readFileSync(join(fontDirectory(), FILES[weight])));
    cache.set(weight, font);
  }
  return font;
}

/*
 * Sharing the parsed font between documents. pdfkit parses a registered font again for every
 * document (fontkit decodes cmap, GSUB, GPOS, hmtx anew: most of the render time). Documents
 * render synchronously on one thread, so one parsed fontkit font per weight can serve them all;
 * each document still gets its own pdfkit font object and therefore its own glyph subset.
 * This uses pdfkit internals (checked below); without them it falls back to registerFont.
 */
interface FontkitFont {
  postscriptName: string;
  hasGlyphForCodePoint(codePoint: number): boolean;
}
interface PdfkitInternals {
  _fontFamilies?: Record<string, unknown>;
  _fontCount?: number;
  _font?: { constructor: new (doc: unknown, font: FontkitFont, id: string) => unknown };
}
type EmbeddedFontCtor = new (doc: unknown, font: FontkitFont, id: string) => unknown;

const parsed = new Map<FontWeight, FontkitFont>();
let embeddedFontCtor: EmbeddedFontCtor | null | undefined;

function parsedFont(weight: FontWeight): FontkitFont {
  let font = parsed.get(weight);
  if (!font) {
    // pdfkit's own fontkit (a dependency of pdfkit, not of lianpiao): the font objects go to pdfkit's
    // classes, and an installation need not hoist it to the top of node_modules
    const fontkitPath = require.resolve("fontkit", { paths: [dirname(require.resolve("pdfkit"))] });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fontkit = require(fontkitPath) as { create(buffer: Buffer): FontkitFont };
    font = fontkit.create(fontBuffer(weight));
    parsed.set(weight, font);
  }
  return font;
}

function findEmbeddedFontCtor(probe: PDFKit.PDFDocument): EmbeddedFontCtor | null {
  probe.registerFont("lianpiao-probe", fontBuffer("regular"));
  probe.font("lianpiao-probe");
  const ctor = (probe as unknown as PdfkitInternals)._font?.constructor;
  return typeof ctor === "function" ? ctor : null;
}

/** Whether the font has a glyph for every character of `text`. */
export function hasGlyphs(text: string, weight: FontWeight = "regular"): boolean {
  const font = parsedFont(weight);
  for (const ch of text) if (!font.hasGlyphForCodePoint(ch.codePointAt(0) as number)) return false;
  return true;
}

/**
 * Makes both weights available to `doc` under FONT_NAMES. `makeProbe` builds a throwaway
 * document, used once per process to find pdfkit's embedded-font class.
 */
export function installFonts(doc: PDFKit.PDFDocument, makeProbe: () => PDFKit.PDFDocument): void {
  if (embeddedFontCtor === undefined) embeddedFontCtor = findEmbeddedFontCtor(makeProbe());
  const internals = doc as unknown as PdfkitInternals;
  for (const weight of ["regular", "bold"] as const) {
    if (embeddedFontCtor && internals._fontFamilies && typeof internals._fontCount === "number") {
      const id = `F${++internals._fontCount}`;
      internals._fontFamilies[FONT_NAMES[weight]] = new embeddedFontCtor(doc, parsedFont(weight), id);
    } else {
      doc.registerFont(FONT_NAMES[weight], fontBuffer(weight));
    }
  }
}
