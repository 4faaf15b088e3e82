/**
 * Page geometry and the labelled cells that every section of a bill is made of.
 */
import type { BillTemplate, Cell, Label } from "./template";
import { fillPlaceholders } from "./template";
import type { Values } from "./fields";
import { drawFitted, drawLine, fitText, measure, type Doc } from "./text";

export const MM = 72 / 25.4;

export const COLORS = {
  title: "#a0321f",
  frame: "#a4563f",
  rule: "#e3c6bb",
  label: "#8c3a25",
  english: "#a77a6a",
  value: "#161616",
  muted: "#666666",
  watermark: "#d0281e",
} as const;

export const SIZES = {
  labelZh: 7,
  labelEn: 4.6,
  value: 8.5,
  itemValue: 7.2,
  minValue: 5.2,
  padding: 4,
  partyRow: 17,
  tableHead: 20,
  itemRow: 11.5,
  summaryRow: 16,
  headerHeight: 72,
  footerHeight: 34,
} as const;

export interface Geometry {
  width: number;
  height: number;
  margin: number;
  /** left edge and width of the framed body */
  left: number;
  inner: number;
  bodyTop: number;
  bodyBottom: number;
}

export function geometry(tpl: BillTemplate): Geometry {
  const width = tpl.page.widthMm * MM;
  const height = tpl.page.heightMm * MM;
  const margin = tpl.page.marginMm * MM;
  const bodyTop = margin + SIZES.headerHeight;
  const bodyBottom = height - margin - SIZES.footerHeight;
  return { width, height, margin, left: margin, inner: width - 2 * margin, bodyTop, bodyBottom };
}

/** Draws a bilingual label (Chinese over small English) at (x, y) in a row of `height`; returns its width. */
export function drawLabel(doc: Doc, label: Label, values: Values, x: number, y: number, height: number): number {
  const zh = fillPlaceholders(label.zh, values);
  const en = fillPlaceholders(label.en, values);
  const block = SIZES.labelZh * 0.9 + 1.4 + SIZES.labelEn * 0.9;
  const top = y + (height - block) / 2;
  doc.fillColor(COLORS.label);
  const wz = drawLine(doc, zh, x, top, SIZES.labelZh);
  doc.fillColor(COLORS.english);
  const we = drawLine(doc, en, x, top + SIZES.labelZh * 0.9 + 1.4, SIZES.labelEn);
  return Math.max(wz, we);
}

/** Width a bilingual label takes. */
export function labelWidth(doc: Doc, label: Label, values: Values): number {
  return Math.max(measure(doc, fillPlaceholders(label.zh, values), SIZES.labelZh), measure(doc, fillPlaceholders(label.en, values), SIZES.labelEn));
}

/** A row of labelled cells spanning four units of the body width, with cell borders. */
export function drawCellRow(doc: Doc, g: Geometry, cells: Cell[], values: Values, y: number, height: number): void {
  const unit = g.inner / 4;
  let x = g.left;
  cells.forEach((cell, i) => {
    const w = cell.span * unit;
    if (i > 0)
      doc
        .moveTo(x, y)
        .lineTo(x, y + height)
        .lineWidth(0.6)
        .stroke(COLORS.frame);
    const lw = drawLabel(doc, cell, values, x + SIZES.padding, y, height) + 6;
    const valueWidth = w - lw - 2 * SIZES.padding;
    const weight = cell.strong ? "bold" : "regular";
    const fitted = fitText(doc, values[cell.key] ?? "", valueWidth, { size: SIZES.value, minSize: SIZES.minValue, maxLines: 2, weight });
    doc.fillColor(COLORS.value);
    drawFitted(doc, fitted, x + SIZES.padding + lw, y, valueWidth, height, "left");
    x += w;
  });
  doc
    .moveTo(g.left, y + height)
    .lineTo(g.left + g.inner, y + height)
    .lineWidth(0.6)
    .stroke(COLORS.frame);
}
