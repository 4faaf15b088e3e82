/**
 * The electronic seal area: a red round seal drawn in vector, with the issuer's name along the
 * upper arc, a star, and the seal's purpose. It marks where the issuer's electronic seal belongs;
 * the bill's authenticity comes from its signature and the chain, not from this drawing.
 */
import { FONT_NAMES } from "./font";
import type { Doc } from "./text";

export const SEAL_RED = "#d0281e";

function star(doc: Doc, cx: number, cy: number, outer: number): void {
  const inner = outer * 0.382;
  const points: [number, number][] = [];
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? outer : inner;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    points.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  doc.polygon(...points).fill(SEAL_RED);
}

/** Places the characters of `name` along the upper arc, each upright towards the centre. */
function arcText(doc: Doc, name: string, cx: number, cy: number, radius: number): void {
  const chars = Array.from(name);
  const sweep = Math.min(260, 60 + chars.length * 16) * (Math.PI / 180);
  const size = Math.min(radius * 0.3, Math.max(2.8, ((sweep * radius) / Math.max(chars.length, 1)) * 0.82));
  doc.font(FONT_NAMES.bold).fontSize(size).fillColor(SEAL_RED);
  const step = chars.length > 1 ? sweep / (chars.length - 1) : 0;
  chars.forEach((ch, i) => {
    const angle = -Math.PI / 2 - sweep / 2 + i * step;
    const x = cx + radius * Math.cos(angle);
    const y = cy + radius * Math.sin(angle);
    const w = doc.widthOfString(ch);
    doc.save();
    doc.translate(x, y).rotate(((angle + Math.PI / 2) * 180) / Math.PI);
    doc.text(ch, -w / 2, -size * 0.24, { lineBreak: false });
    doc.restore();
  });
}

/** Draws the seal centred at (cx, cy) with outer radius r. */
export function drawSeal(doc: Doc, issuerName: string, caption: string, cx: number, cy: number, r: number): void {
  doc.save();
  doc.opacity(0.8);
  doc
    .lineWidth(r * 0.06)
    .circle(cx, cy, r)
    .stroke(SEAL_RED);
  doc
    .lineWidth(r * 0.015)
    .circle(cx, cy, r * 0.9)
    .stroke(SEAL_RED);
  arcText(doc, issuerName, cx, cy, r * 0.8);
  star(doc, cx, cy - r * 0.02, r * 0.26);
  const size = r * 0.17;
  doc.font(FONT_NAMES.bold).fontSize(size).fillColor(SEAL_RED);
  const w = doc.widthOfString(caption, { characterSpacing: size * 0.1 });
  doc.text(caption, cx - w / 2, cy + r * 0.32 - size * 0.26, { lineBreak: false, characterSpacing: size * 0.1 });
  doc.restore();
}
