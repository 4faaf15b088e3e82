/**
 * The verification QR code, drawn as vector rectangles: sharper and smaller than a bitmap.
 */
import QRCode from "qrcode";

/** A dark run of modules on one row: column `x`, row `y`, `width` modules long. */
export interface QrRun {
  x: number;
  y: number;
  width: number;
}

export interface QrMatrix {
  /** modules per side, without the quiet zone */
  size: number;
  runs: QrRun[];
}

/** Quiet zone in modules on each side (ISO/IEC 18004 asks for 4). */
export const QR_QUIET_ZONE = 4;

/** The module matrix of `text` (error correction M), as horizontal runs of dark modules. */
export function qrMatrix(text: string): QrMatrix {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  const { size, data } = modules;
  const runs: QrRun[] = [];
  for (let y = 0; y < size; y++) {
    let x = 0;
    while (x < size) {
      if (!data[y * size + x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < size && data[y * size + x]) x++;
      runs.push({ x: start, y, width: x - start });
    }
  }
  return { size, runs };
}

/** The parts of a pdfkit document that drawing a QR code needs. */
export interface QrCanvas {
  rect(x: number, y: number, w: number, h: number): QrCanvas;
  fill(color?: string): QrCanvas;
  save(): QrCanvas;
  restore(): QrCanvas;
}

/**
 * Draws `text` as a QR code whose outer square, quiet zone included, is `side` points wide with
 * its top-left corner at (x, y). Rows overlap by a hair so that viewers show no seams.
 */
export function drawQr(doc: QrCanvas, text: string, x: number, y: number, side: number): void {
  const { size, runs } = qrMatrix(text);
  const unit = side / (size + 2 * QR_QUIET_ZONE);
  const left = x + QR_QUIET_ZONE * unit;
  const top = y + QR_QUIET_ZONE * unit;
  const r = (n: number) => Math.round(n * 1000) / 1000;
  doc.save();
  doc.rect(x, y, side, side).fill("#ffffff");
  for (const run of runs) doc.rect(r(left + run.x * unit), r(top + run.y * unit), r(run.width * unit), r(unit + 0.02));
  doc.fill("#000000");
  doc.restore();
}
