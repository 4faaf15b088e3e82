/**
 * A traced page (trace.ts) as an OFD page description, Content.xml (GB/T 33190 §7.7, §9, §11, §12):
 * one body layer of PathObjects (frames, rules, the seal, the QR code's modules as filled rectangles)
 * and TextObjects (one per line, its characters' advances in DeltaX), in drawing order.
 */
import type { TracedPage, TracedPath, TracedText, Rgb } from "./trace";
import { el, root, text } from "./xml";

export const FONT_IDS = { regular: 1, bold: 2 } as const;

const n = (v: number) => String(Math.round(v * 1000) / 1000);
const color = (c: Rgb) => c.map((v) => Math.round(v * 255)).join(" ");
const alphaOf = (a: number) => (a >= 1 ? undefined : Math.round(a * 255));

/** Consecutive equal advances written once with OFD's "g count value" abbreviation (§11.3). */
export function deltaXOf(deltas: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < deltas.length;) {
    let j = i;
    while (j + 1 < deltas.length && n(deltas[j + 1]) === n(deltas[i])) j++;
    out.push(j > i ? `g ${j - i + 1} ${n(deltas[i])}` : n(deltas[i]));
    i = j + 1;
  }
  return out.join(" ");
}

function pathObject(id: number, p: TracedPath, box: string): string {
  const children = [
    p.stroke ? el("StrokeColor", { Value: color(p.stroke) }) : "",
    p.fill ? el("FillColor", { Value: color(p.fill) }) : "",
    text("AbbreviatedData", p.data),
  ].filter(Boolean);
  return el(
    "PathObject",
    {
      ID: id,
      Boundary: box,
      LineWidth: p.stroke ? n(p.lineWidth) : undefined,
      Stroke: p.stroke ? "true" : "false",
      Fill: p.fill ? "true" : "false",
      Alpha: alphaOf(p.alpha),
    },
    ...children,
  );
}

function textObject(id: number, t: TracedText, box: string): string {
  // upright text is placed by TextCode X/Y; turned text (the seal's ring) by a CTM about its origin
  const ctm = t.linear ? [...t.linear, t.x, t.y].map(n).join(" ") : undefined;
  const [x, y] = t.linear ? [0, 0] : [t.x, t.y];
  const deltaX = t.deltaX.length > 0 ? deltaXOf(t.deltaX) : undefined;
  return el(
    "TextObject",
    { ID: id, Boundary: box, Font: FONT_IDS[t.weight], Size: n(t.size), CTM: ctm, Alpha: alphaOf(t.alpha) },
    el("FillColor", { Value: color(t.fill) }),
    text("TextCode", t.text, { X: n(x), Y: n(y), DeltaX: deltaX }),
  );
}

/** Content.xml of one page; object IDs start at `firstId`. Returns the XML and the next free ID. */
export function pageContent(page: TracedPage, firstId: number): { xml: string; nextId: number } {
  const box = `0 0 ${n(page.width)} ${n(page.height)}`;
  let id = firstId;
  const layerId = id++;
  const objects = page.items.map((item) => (item.kind === "path" ? pathObject(id++, item, box) : textObject(id++, item, box)));
  const xml = root("Page", {}, el("Area", {}, text("PhysicalBox", box)), el("Content", {}, el("Layer", { ID: layerId, Type: "Body" }, ...objects)));
  return { xml, nextId: id };
}
