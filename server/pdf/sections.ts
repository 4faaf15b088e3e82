/**
 * The parts of a bill page around the item table: header (QR code, title, bill numbers),
 * footer (issuer and seal area, reviewer, payee, page number) and the red-bill watermark.
 */
import type { Bill } from "../issuance/model";
import type { BillTemplate } from "./template";
import { fillPlaceholders } from "./template";
import type { Values } from "./fields";
import { COLORS, SIZES, drawLabel, labelWidth, type Geometry } from "./layout";
import { drawQr } from "./qr";
import { drawSeal, SEAL_RED } from "./seal";
import { drawFitted, drawLine, fitText, type Doc } from "./text";

export interface PageContext {
  doc: Doc;
  g: Geometry;
  tpl: BillTemplate;
  bill: Bill;
  values: Values;
  verifyUrl: string;
}

const QR_SIDE = 76;

function drawVerifyBlock(c: PageContext): void {
  const { doc, g } = c;
  const qx = g.margin - 7;
  const qy = g.margin - 9;
  drawQr(doc, c.verifyUrl, qx, qy, QR_SIDE);
  const x = qx + QR_SIDE + 1;
  doc.fillColor(COLORS.label);
  drawLine(doc, "扫码查验", x, g.margin + 2, 7);
  doc.fillColor(COLORS.english);
  drawLine(doc, "Scan to verify", x, g.margin + 11, 4.8);
  const url = fitText(doc, c.verifyUrl, 118, { size: 5, minSize: 4.2, maxLines: 4 });
  doc.fillColor(COLORS.muted);
  drawFitted(doc, url, x, g.margin + 18, 118, url.lines.length * 6.2, "left");
}

function drawTitle(c: PageContext): void {
  const { doc, g, tpl } = c;
  const title = c.bill.redOf ? tpl.redTitle : tpl.title;
  const zh = fitText(doc, title.zh, 250, { size: 18, minSize: 12, maxLines: 1, weight: "bold" });
  const spacing = zh.size * 0.12;
  doc.fillColor(COLORS.title);
  const w = drawLine(doc, zh.lines[0], g.width / 2 - 125, g.margin + 1, zh.size, { weight: "bold", align: "center", width: 250, spacing });
  const under = g.margin + zh.size + 4;
  doc
    .lineWidth(1.1)
    .moveTo(g.width / 2 - w / 2 - 4, under)
    .lineTo(g.width / 2 + w / 2 + 4, under)
    .stroke(COLORS.title);
  doc
    .lineWidth(0.5)
    .moveTo(g.width / 2 - w / 2 - 4, under + 2.4)
    .lineTo(g.width / 2 + w / 2 + 4, under + 2.4)
    .stroke(COLORS.title);
  doc.fillColor(COLORS.title);
  drawLine(doc, title.en, g.width / 2 - 150, under + 6, 7, { align: "center", width: 300 });
  doc.fillColor(COLORS.english);
  drawLine(doc, `${tpl.supervision.zh}  ${tpl.supervision.en}`, g.width / 2 - 150, under + 16, 5.2, { align: "center", width: 300 });
}

function drawMeta(c: PageContext): void {
  const { doc, g, tpl, values } = c;
  const width = 178;
  const x = g.width - g.margin - width;
  const labelW = Math.max(...tpl.meta.map((m) => labelWidth(doc, m, values))) + 8;
  tpl.meta.forEach((m, i) => {
    const y = g.margin - 3 + i * 15.5;
    drawLabel(doc, m, values, x, y, 15.5);
    doc.fillColor(COLORS.value);
    const f = fitText(doc, values[m.key] ?? "", width - labelW, { size: 9, minSize: 6, maxLines: 1, weight: m.key === "billNumber" ? "bold" : "regular" });
    drawFitted(doc, f, x + labelW, y, width - labelW, 15.5, "left");
  });
}

export function drawHeader(c: PageContext): void {
  drawVerifyBlock(c);
  drawTitle(c);
  drawMeta(c);
}

function drawFooterCell(c: PageContext, label: { zh: string; en: string }, value: string, x: number, y: number, width: number): void {
  const { doc, values } = c;
  const lw = drawLabel(doc, label, values, x, y, 18) + 6;
  doc.fillColor(COLORS.value);
  const f = fitText(doc, value, width - lw - 4, { size: SIZES.value, minSize: SIZES.minValue, maxLines: 2 });
  drawFitted(doc, f, x + lw, y, width - lw - 4, 18, "left");
}

/** The seal goes first so that every line and value stays readable above it. */
export function drawSealArea(c: PageContext): void {
  const { doc, g, tpl } = c;
  const total = tpl.footer.reduce((s, f) => s + f.width, 0);
  const x = g.left + (tpl.footer[0].width / total) * g.inner - 44;
  const r = 27;
  const y = g.bodyBottom + 19;
  drawSeal(doc, c.bill.issuer.name, tpl.seal.caption, x, y, r);
  doc.fillColor(SEAL_RED);
  drawLine(doc, tpl.seal.area, x - 60, y + r + 2, 4.4, { align: "center", width: 120 });
}

export function drawFooter(c: PageContext, page: number, pages: number): void {
  const { doc, g, tpl, values } = c;
  const total = tpl.footer.reduce((s, f) => s + f.width, 0);
  const y = g.bodyBottom + 3;
  let x = g.left + SIZES.padding;
  tpl.footer.forEach((cell) => {
    const width = (cell.width / total) * g.inner;
    drawFooterCell(c, cell, values[cell.key] ?? "", x, y, width - SIZES.padding);
    x += width;
  });
  doc.fillColor(COLORS.muted);
  drawLine(doc, `统一社会信用代码 Unified social credit code: ${values.issuerCreditCode}`, g.left + SIZES.padding, y + 20, 5.6);
  const vars = { n: String(page), m: String(pages) };
  doc.fillColor(COLORS.muted);
  const text = `${fillPlaceholders(tpl.pageNumber.zh, vars)}   ${fillPlaceholders(tpl.pageNumber.en, vars)}`;
  drawLine(doc, text, g.width - g.margin - 200, g.height - g.margin + 6, 5.6, { align: "right", width: 200 });
}

/** A faint diagonal "红字 RED (VOID) BILL" across the page of a red bill. */
export function drawRedWatermark(c: PageContext): void {
  const { doc, g } = c;
  doc.save();
  doc.opacity(0.1).fillColor(COLORS.watermark);
  doc.translate(g.width / 2, g.height / 2 + 20).rotate(-18);
  drawLine(doc, "红字票据  RED (VOID) BILL", -260, -24, 40, { weight: "bold", align: "center", width: 520 });
  doc.restore();
}
