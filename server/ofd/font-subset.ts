/**
 * The font subsets embedded in an OFD file (GB/T 33190 §11.1: a Font's FontFile). The glyphs come from
 * the same decoded Noto Sans SC the PDF embeds (server/pdf/font.ts), subset by fontkit as pdfkit does.
 * fontkit's TrueType subset holds only the tables a PDF needs (glyf, loca, hmtx, …) and no character
 * map, because a PDF addresses glyphs by id; an OFD's TextCode holds characters, so a reader needs a
 * `cmap`: it is written here (format 4, BMP — every character a bill prints), with `OS/2`, `name` and
 * a version 3 `post` from the full font, making a standalone TrueType file. Deterministic: characters
 * are taken in code point order, and nothing depends on time.
 */
import { dirname } from "node:path";
import { fontBuffer, sfntOf, type FontWeight } from "../pdf/font";

interface Glyph {
  id: number;
}
interface Subset {
  includeGlyph(glyph: number | Glyph): number;
  encode(): Uint8Array;
}
interface FontkitFont {
  glyphForCodePoint(cp: number): Glyph;
  hasGlyphForCodePoint(cp: number): boolean;
  createSubset(): Subset;
}

const fonts = new Map<FontWeight, FontkitFont>();
function fontOf(weight: FontWeight): FontkitFont {
  let f = fonts.get(weight);
  if (!f) {
    // pdfkit's own fontkit, as server/pdf/font.ts loads it
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fontkit = require(require.resolve("fontkit", { paths: [dirname(require.resolve("pdfkit"))] })) as { create(b: Buffer): FontkitFont };
    f = fontkit.create(fontBuffer(weight));
    fonts.set(weight, f);
  }
  return f;
}

const tagOf = (s: string) => Buffer.from(s, "latin1").readUInt32BE(0);

function readSfnt(font: Buffer): Map<string, Buffer> {
  const tables = new Map<string, Buffer>();
  const count = font.readUInt16BE(4);
  for (let i = 0; i < count; i++) {
    const at = 12 + i * 16;
    const tag = font.subarray(at, at + 4).toString("latin1");
    tables.set(tag, Buffer.from(font.subarray(font.readUInt32BE(at + 8), font.readUInt32BE(at + 8) + font.readUInt32BE(at + 12))));
  }
  return tables;
}

/** A cmap (platform 3, encoding 1, format 4) of BMP code points to glyph ids, one segment per code point. */
function cmapOf(map: Array<[number, number]>): Buffer {
  const segs = [...map.map(([cp, gid]) => ({ start: cp, end: cp, delta: (gid - cp) & 0xffff })), { start: 0xffff, end: 0xffff, delta: 1 }];
  const n = segs.length;
  const sub = Buffer.alloc(16 + n * 8);
  let power = 1,
    log2 = 0;
  while (power * 2 <= n) {
    power *= 2;
    log2++;
  }
  sub.writeUInt16BE(4, 0);
  sub.writeUInt16BE(sub.length, 2);
  sub.writeUInt16BE(n * 2, 6);
  sub.writeUInt16BE(power * 2, 8);
  sub.writeUInt16BE(log2, 10);
  sub.writeUInt16BE(n * 2 - power * 2, 12);
  segs.forEach((s, i) => {
    sub.writeUInt16BE(s.end, 14 + i * 2);
    sub.writeUInt16BE(s.start, 16 + n * 2 + i * 2);
    sub.writeUInt16BE(s.delta, 16 + n * 4 + i * 2);
    // idRangeOffset 0: glyph = code point + delta
  });
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0, 0);
  head.writeUInt16BE(1, 2);
  head.writeUInt16BE(3, 4);
  head.writeUInt16BE(1, 6);
  head.writeUInt32BE(12, 8);
  return Buffer.concat([head, sub]);
}

/** A standalone TrueType font with the glyphs of `text`'s characters (and .notdef). */
export function fontSubset(weight: FontWeight, text: string): Buffer {
  const font = fontOf(weight);
  const subset = font.createSubset();
  const chars = [...new Set(Array.from(text).map((c) => c.codePointAt(0) as number))]
    .filter((cp) => cp <= 0xfffe && font.hasGlyphForCodePoint(cp))
    .sort((a, b) => a - b);
  const map: Array<[number, number]> = chars.map((cp) => [cp, subset.includeGlyph(font.glyphForCodePoint(cp))]);
  const tables = readSfnt(Buffer.from(subset.encode()));
  const full = readSfnt(fontBuffer(weight));
  tables.set("cmap", cmapOf(map));
  for (const tag of ["OS/2", "name"]) tables.set(tag, full.get(tag) as Buffer);
  const post = Buffer.from((full.get("post") as Buffer).subarray(0, 32));
  post.writeUInt32BE(0x00030000, 0); // version 3: no glyph names (the subset renumbers glyphs)
  tables.set("post", post);
  const sorted = [...tables.entries()].map(([tag, data]) => ({ tag: tagOf(tag), data })).sort((a, b) => a.tag - b.tag);
  return sfntOf(0x00010000, sorted);
}
