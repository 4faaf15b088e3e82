/**
 * Renders a bill envelope to its PDF: the printed bill, the verification QR code, and the
 * envelope itself as an embedded file. The same envelope and link always render to the same bytes,
 * on any machine: that is what lets a verifier render an uploaded bill again and compare the files
 * (issued-file.ts). RENDERER (document.ts) names this exact output.
 */
import { createHash } from "node:crypto";
import PDFDocument from "pdfkit";
import type { BillEnvelope } from "../issuance/model";
import { embedEnvelope } from "./attachment";
import { billValues, itemRows } from "./fields";
import { FONT_NAMES, installFonts } from "./font";
import { COLORS, SIZES, drawCellRow, geometry } from "./layout";
import { drawFooter, drawHeader, drawRedWatermark, drawSealArea, type PageContext } from "./sections";
import { columnBoxes, drawRows, drawTableHead, measureRows, paginate } from "./table";
import { templateFor } from "./template";
import { drawLine, type Doc } from "./text";

export interface RenderOptions {
  /** the URL the QR code encodes, exactly */
  verifyUrl: string;
}

/** The pdfkit document of a bill, fonts installed, no page yet (also traced into OFD: server/ofd/trace.ts). */
export function newDocument(envelope: BillEnvelope, g: { width: number; height: number }): Doc {
  const { bill } = envelope;
  const issued = new Date(bill.issuedAt);
  const tpl = templateFor(bill.kind);
  const title = `${bill.redOf ? tpl.redTitle.zh : tpl.title.zh} ${bill.billCode}-${bill.billNumber}`;
  const doc = new PDFDocument({
    size: [g.width, g.height],
    margin: 0,
    // Uncompressed: zlib's deflate output may differ between zlib builds and CPUs, and a file must
    // render to the same bytes wherever it is checked (about twice the size; see README).
    compress: false,
    pdfVersion: "1.7",
    autoFirstPage: false,
    lang: "zh-CN",
    font: null as unknown as string,
    info: {
      Title: title,
      Author: bill.issuer.name,
      Subject: `${tpl.title.en} ${bill.billCode}-${bill.billNumber}`,
      Keywords: `lianpiao, ${bill.kind}, ${bill.billCode}, ${bill.billNumber}`,
      Creator: "lianpiao",
      CreationDate: issued,
      ModDate: issued,
    },
  });
  // pdfkit derives the file ID from the metadata; make it the bill's own, stable identity.
  (doc as unknown as { _id: Buffer })._id = createHash("sha256").update(`lianpiao:${envelope.billHash}`).digest().subarray(0, 16);
  installFonts(doc, () => new PDFDocument({ autoFirstPage: false }));
  return doc;
}

/** Draws every page of the bill; the OFD renderer replays exactly these drawing calls. */
export function drawPages(doc: Doc, envelope: BillEnvelope, opts: RenderOptions): void {
  const { bill } = envelope;
  const tpl = templateFor(bill.kind);
  const g = geometry(tpl);
  // a copy's withheld fields print as withheld (server/issuance/redaction.ts)
  const withheld = new Set(Object.keys(envelope.withheld ?? {}));
  const values = billValues(bill, withheld);
  const ctx: PageContext = { doc, g, tpl, bill, values, verifyUrl: opts.verifyUrl };
  doc.font(FONT_NAMES.regular);
  const boxes = columnBoxes(g, tpl.columns);
  const rows = measureRows(doc, tpl.columns, boxes, itemRows(bill, withheld));
  const partiesHeight = tpl.parties.length * SIZES.partyRow;
  const summaryHeight = tpl.summary.length * SIZES.summaryRow;
  const tableTop = g.bodyTop + partiesHeight + SIZES.tableHead;
  const lastRoom = g.bodyBottom - summaryHeight - tableTop;
  const fullRoom = g.bodyBottom - SIZES.itemRow - tableTop;
  const pages = paginate(rows, fullRoom, lastRoom);
  pages.forEach((pageRows, i) => {
    const last = i === pages.length - 1;
    doc.addPage({ size: [g.width, g.height], margin: 0 });
    if (bill.redOf) drawRedWatermark(ctx);
    drawSealArea(ctx);
    drawHeader(ctx);
    doc
      .rect(g.left, g.bodyTop, g.inner, g.bodyBottom - g.bodyTop)
      .lineWidth(1)
      .stroke(COLORS.frame);
    tpl.parties.forEach((cells, r) => drawCellRow(doc, g, cells, values, g.bodyTop + r * SIZES.partyRow, SIZES.partyRow));
    drawTableHead(doc, tpl.columns, boxes, tableTop - SIZES.tableHead);
    const tableBottom = last ? g.bodyBottom - summaryHeight : g.bodyBottom - SIZES.itemRow;
    drawRows(doc, tpl.columns, boxes, pageRows, tableTop, tableBottom);
    doc
      .moveTo(g.left, tableBottom)
      .lineTo(g.left + g.inner, tableBottom)
      .lineWidth(0.6)
      .stroke(COLORS.frame);
    if (last) {
      tpl.summary.forEach((cells, r) => drawCellRow(doc, g, cells, values, tableBottom + r * SIZES.summaryRow, SIZES.summaryRow));
    } else {
      doc.fillColor(COLORS.muted);
      drawLine(doc, `${tpl.continued.zh}  ${tpl.continued.en}`, g.left, tableBottom + 3.5, 6.5, { align: "center", width: g.inner });
    }
    drawFooter(ctx, i + 1, pages.length);
  });
}

/**
 * Builds the bill's PDF document and ends it: a readable stream of the PDF bytes (pipe it to a
 * response, respecting backpressure).
 */
export function billPdfStream(envelope: BillEnvelope, opts: RenderOptions): NodeJS.ReadableStream {
  const g = geometry(templateFor(envelope.bill.kind));
  const doc = newDocument(envelope, g);
  drawPages(doc, envelope, opts);
  embedEnvelope(doc, envelope, opts.verifyUrl);
  doc.end();
  return doc;
}

/** Renders the bill's PDF into one buffer. */
export function renderBillPdf(envelope: BillEnvelope, opts: RenderOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let stream: NodeJS.ReadableStream;
    try {
      stream = billPdfStream(envelope, opts);
    } catch (err) {
      reject(err);
      return;
    }
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}
