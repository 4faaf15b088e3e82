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

/** A hand-written PDF: numbered objects (string or [dict, stream data]) after a header. */
export function buildPdf(objects: (string | [string, Buffer])[]): Buffer {
  const parts: Buffer[] = [Buffer.from("%PDF-1.7\n%\xff\xff\n", "latin1")];
  objects.forEach((o, i) => {
    if (typeof o === "string") parts.push(Buffer.from(`${i + 1} 0 obj\n${o}\nendobj\n`, "latin1"));
    else parts.push(Buffer.from(`${i + 1} 0 obj\n${o[0]}\nstream\n`, "latin1"), o[1], Buffer.from("\nendstream\nendobj\n"));
  });
  parts.push(Buffer.from("trailer\n<< /Root 1 0 R >>\n%%EOF\n"));
  return Buffer.concat(parts);
}
