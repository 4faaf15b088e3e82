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

/**
 * A hand-written PDF: numbered objects (string or [dict, stream data]) after a header, then a
 * cross-reference table and a trailer whose /Root is object 1 (`trailer` adds entries to it).
 */
export function buildPdf(objects: (string | [string, Buffer])[], trailer = ""): Buffer {
  const parts: Buffer[] = [Buffer.from("%PDF-1.7\n%\xff\xff\n", "latin1")];
  let at = parts[0].length;
  const offsets: number[] = [];
  const push = (b: Buffer) => {
    parts.push(b);
    at += b.length;
  };
  objects.forEach((o, i) => {
    offsets.push(at);
    if (typeof o === "string") push(Buffer.from(`${i + 1} 0 obj\n${o}\nendobj\n`, "latin1"));
    else {
      push(Buffer.from(`${i + 1} 0 obj\n${o[0]}\nstream\n`, "latin1"));
      push(o[1]);
      push(Buffer.from("\nendstream\nendobj\n"));
    }
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`)].join("");
  push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailer}>>\nstartxref\n${at}\n%%EOF\n`, "latin1"));
  return Buffer.concat(parts);
}
