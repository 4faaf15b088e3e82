/**
 * Interprets a page's content stream just far enough to collect the dark filled rectangles drawn
 * with axis-aligned transforms, in page space: how qr.ts draws a QR code.
 */
import { QrReadError, type PrintedQrLimits } from "./printed-qr-types";
/** An axis-aligned box in page space (PDF default user space, y up). */
export interface Box {
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
export function darkRects(content: Buffer, limits: PrintedQrLimits, deadline: number): Box[] {
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

