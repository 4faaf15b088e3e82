/** Looking at rendered PDFs the way a reader does: poppler for pixels and text, jsQR for the code. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import jsQR from "jsqr";
import { PNG } from "pngjs";

export const outDir = mkdtempSync(join(tmpdir(), "lianpiao-pdf-"));

export function savePdf(name: string, pdf: Buffer): string {
  const file = join(outDir, `${name}.pdf`);
  writeFileSync(file, pdf);
  return file;
}

/** Renders every page at 150 dpi; returns the PNG paths in page order. */
export function rasterise(file: string, name: string): string[] {
  execFileSync("pdftoppm", ["-r", "150", "-png", file, join(outDir, name)]);
  return readdirSync(outDir)
    .filter((f) => f.startsWith(`${name}-`) && f.endsWith(".png"))
    .sort()
    .map((f) => join(outDir, f));
}

export function decodeQr(png: string): string | null {
  const img = PNG.sync.read(readFileSync(png));
  const code = jsQR(new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength), img.width, img.height);
  return code ? code.data : null;
}

export function pdfText(file: string): string {
  return execFileSync("pdftotext", ["-layout", file, "-"]).toString("utf8");
}
