/**
 * Just enough of the PDF object syntax (ISO 32000 §7.3) to read dictionaries: names, numbers,
 * strings, arrays, dictionaries and indirect references. Bounded in depth and size; it throws
 * PdfSyntaxError on anything it cannot read.
 */

export type PdfValue = number | boolean | null | PdfName | PdfString | PdfRef | PdfValue[] | PdfDict;
export interface PdfName {
  name: string;
}
export interface PdfString {
  bytes: Buffer;
}
export interface PdfRef {
  num: number;
  gen: number;
}
export interface PdfDict {
  dict: Map<string, PdfValue>;
}

export class PdfSyntaxError extends Error {}

const MAX_DEPTH = 32;
const MAX_ITEMS = 10_000;
const WHITE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIM = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);

export const isName = (v: PdfValue | undefined, name?: string): v is PdfName =>
  typeof v === "object" && v !== null && "name" in v && (name === undefined || v.name === name);
export const isRef = (v: PdfValue | undefined): v is PdfRef => typeof v === "object" && v !== null && "gen" in v;
export const isDict = (v: PdfValue | undefined): v is PdfDict => typeof v === "object" && v !== null && "dict" in v;
export const isString = (v: PdfValue | undefined): v is PdfString => typeof v === "object" && v !== null && "bytes" in v;

export class PdfReader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    pos = 0,
  ) {
    this.pos = pos;
  }

  skipSpace(): void {
    const { buf } = this;
    while (this.pos < buf.length) {
      const c = buf[this.pos];
      if (WHITE.has(c)) this.pos++;
      else if (c === 0x25) while (this.pos < buf.length && buf[this.pos] !== 0x0a && buf[this.pos] !== 0x0d) this.pos++;
      else break;
    }
  }

  private word(): string {
    const start = this.pos;
    while (this.pos < this.buf.length && !WHITE.has(this.buf[this.pos]) && !DELIM.has(this.buf[this.pos])) this.pos++;
    return this.buf.toString("latin1", start, this.pos);
  }

  /** Reads one value; "n g R" becomes a reference. */
  value(depth = 0): PdfValue {
    if (depth > MAX_DEPTH) throw new PdfSyntaxError("objects nested too deeply");
    this.skipSpace();
    const c = this.buf[this.pos];
    if (c === undefined) throw new PdfSyntaxError("unexpected end of data");
    if (c === 0x2f) {
      this.pos++;
      return { name: this.word().replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) };
    }
    if (c === 0x28) return { bytes: this.literal() };
    if (c === 0x3c && this.buf[this.pos + 1] === 0x3c) return { dict: this.dictionary(depth) };
    if (c === 0x3c) return { bytes: this.hex() };
    if (c === 0x5b) return this.array(depth);
    const w = this.word();
    if (w === "true" || w === "false") return w === "true";
    if (w === "null") return null;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(w)) throw new PdfSyntaxError(`unexpected token at ${this.pos}`);
    const n = Number(w);
    const save = this.pos;
    const ref = /^\s*(\d+)\s+R(?=[\s/<>[\]()%]|$)/.exec(this.buf.toString("latin1", this.pos, this.pos + 24));
    if (ref && /^\d+$/.test(w)) {
      this.pos += ref[0].length;
      return { num: n, gen: Number(ref[1]) };
    }
    this.pos = save;
    return n;
  }

  private array(depth: number): PdfValue[] {
    this.pos++;
    const items: PdfValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.buf[this.pos] === 0x5d) {
        this.pos++;
        return items;
      }
      if (items.length >= MAX_ITEMS) throw new PdfSyntaxError("array too long");
      items.push(this.value(depth + 1));
    }
  }

  private dictionary(depth: number): Map<string, PdfValue> {
    this.pos += 2;
    const dict = new Map<string, PdfValue>();
    for (;;) {
      this.skipSpace();
      if (this.buf[this.pos] === 0x3e && this.buf[this.pos + 1] === 0x3e) {
        this.pos += 2;
        return dict;
      }
      if (dict.size >= MAX_ITEMS) throw new PdfSyntaxError("dictionary too long");
      const key = this.value(depth + 1);
      if (!isName(key)) throw new PdfSyntaxError(`dictionary key expected at ${this.pos}`);
      dict.set(key.name, this.value(depth + 1));
    }
  }

  private literal(): Buffer {
    const out: number[] = [];
    let nest = 0;
    this.pos++;
    while (this.pos < this.buf.length) {
      const c = this.buf[this.pos++];
      if (c === 0x5c) {
        const e = this.buf[this.pos++];
        const simple: Record<number, number> = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12 };
        if (e in simple) out.push(simple[e]);
        else if (e >= 0x30 && e <= 0x37) {
          let oct = e - 0x30;
          for (let k = 0; k < 2 && this.buf[this.pos] >= 0x30 && this.buf[this.pos] <= 0x37; k++) oct = oct * 8 + this.buf[this.pos++] - 0x30;
          out.push(oct & 0xff);
        } else if (e !== 0x0a && e !== 0x0d) out.push(e);
      } else if (c === 0x28) {
        nest++;
        out.push(c);
      } else if (c === 0x29) {
        if (nest-- === 0) return Buffer.from(out);
        out.push(c);
      } else out.push(c);
      if (out.length > 65_536) throw new PdfSyntaxError("string too long");
    }
    throw new PdfSyntaxError("unterminated string");
  }

  private hex(): Buffer {
    const end = this.buf.indexOf(0x3e, this.pos);
    if (end < 0 || end - this.pos > 131_072) throw new PdfSyntaxError("bad hex string");
    const digits = this.buf.toString("latin1", this.pos + 1, end).replace(/\s+/g, "");
    this.pos = end + 1;
    return Buffer.from(digits.length % 2 ? digits + "0" : digits, "hex");
  }
}

/** A PDF text string: UTF-16 (with BOM), UTF-8 (with BOM) or PDFDocEncoding read as Latin-1. */
export function textOf(s: PdfString): string {
  const b = s.bytes;
  if (b[0] === 0xfe && b[1] === 0xff)
    return Buffer.from(b.subarray(2, 2 + ((b.length - 2) & ~1)))
      .swap16()
      .toString("utf16le");
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString("utf8");
  return b.toString("latin1");
}
