/**
 * The line-item table: rows measured once (long names shrink, then wrap to two lines), split into
 * pages, and drawn under a repeated bilingual header.
 */
import type { Column } from "./template";
import type { Values } from "./fields";
import { COLORS, SIZES, drawLabel, labelWidth, type Geometry } from "./layout";
import { drawFitted, fitText, LEADING, type Doc, type Fitted } from "./text";

export interface MeasuredRow {
  cells: Fitted[];
  height: number;
}

export interface ColumnBox {
  x: number;
  width: number;
}

export function columnBoxes(g: Geometry, columns: Column[]): ColumnBox[] {
  const total = columns.reduce((s, c) => s + c.width, 0);
  let x = g.left;
  return columns.map((c) => {
    const width = (c.width / total) * g.inner;
    const box = { x, width };
    x += width;
    return box;
  });
}

export function measureRows(doc: Doc, columns: Column[], boxes: ColumnBox[], rows: Values[]): MeasuredRow[] {
  return rows.map((row) => {
    const cells = columns.map((c, i) =>
      fitText(doc, row[c.key] ?? "", boxes[i].width - 2 * SIZES.padding, { size: SIZES.itemValue, minSize: SIZES.minValue, maxLines: 2 }),
    );
    const tallest = Math.max(...cells.map((f) => (f.lines.length - 1) * f.size * LEADING + f.size));
    return { cells, height: Math.max(SIZES.itemRow, tallest + 4) };
  });
}

/**
 * Splits rows into pages: every page but the last holds up to `fullHeight` of rows (it has no
 * summary), the last up to `lastHeight` and at least one row. Always at least one page.
 */
export function paginate(rows: MeasuredRow[], fullHeight: number, lastHeight: number): MeasuredRow[][] {
  const pages: MeasuredRow[][] = [];
  let rest = rows;
  const sum = (rs: MeasuredRow[]) => rs.reduce((s, r) => s + r.height, 0);
  while (sum(rest) > lastHeight) {
    let used = 0;
    let n = 0;
    while (n < rest.length && used + rest[n].height <= fullHeight) used += rest[n++].height;
    // the rest fits this page but not beside the summary: leave a row for the last page, so that no
    // page holds only the totals
    if (n === rest.length) n -= 1;
    n = Math.max(n, 1);
    pages.push(rest.slice(0, n));
    rest = rest.slice(n);
  }
  pages.push(rest);
  return pages;
}

export function drawTableHead(doc: Doc, columns: Column[], boxes: ColumnBox[], y: number): void {
  doc.rect(boxes[0].x, y, boxes[boxes.length - 1].x + boxes[boxes.length - 1].width - boxes[0].x, SIZES.tableHead).fill("#fbf3ef");
  columns.forEach((c, i) => {
    const w = labelWidth(doc, c, {});
    drawLabel(doc, c, {}, boxes[i].x + (boxes[i].width - w) / 2, y, SIZES.tableHead);
  });
}

/** Draws the rows from `y` down; column rules run to `bottom`. Returns the y under the last row. */
export function drawRows(doc: Doc, columns: Column[], boxes: ColumnBox[], rows: MeasuredRow[], y: number, bottom: number): number {
  const right = boxes[boxes.length - 1].x + boxes[boxes.length - 1].width;
  doc.moveTo(boxes[0].x, y).lineTo(right, y).lineWidth(0.6).stroke(COLORS.frame);
  for (const box of boxes.slice(1))
    doc
      .moveTo(box.x, y - SIZES.tableHead)
      .lineTo(box.x, bottom)
      .lineWidth(0.4)
      .stroke(COLORS.frame);
  doc.fillColor(COLORS.value);
  for (const row of rows) {
    row.cells.forEach((f, i) => drawFitted(doc, f, boxes[i].x + SIZES.padding, y, boxes[i].width - 2 * SIZES.padding, row.height, columns[i].align));
    y += row.height;
    doc.moveTo(boxes[0].x, y).lineTo(right, y).lineWidth(0.3).stroke(COLORS.rule);
    doc.fillColor(COLORS.value);
  }
  return y;
}
