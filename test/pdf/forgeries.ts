/**
 * Forged bill PDFs, written in real PDF syntax from genuine files as lianpiao renders them
 * (uncompressed, one classic cross-reference table): the attacks of issue "Protocol v2", attack 6.
 * Each forgery is a well-formed PDF that a viewer shows (qpdf --check, pdftoppm): tests prove that.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { buildPdf, savePdf } from "./helpers";

interface Obj {
  num: number;
  start: number;
  end: number;
}

export interface Layout {
  objects: Obj[];
  xrefAt: number;
  trailer: string;
  size: number;
}

/** The objects of a file written by the renderer, from its cross-reference table, in file order. */
export function layoutOf(pdf: Buffer): Layout {
  const text = pdf.toString("latin1");
  const xrefAt = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)![1]);
  const trailerAt = text.indexOf("trailer", xrefAt);
  const [, first, count] = /^xref\s+(\d+)\s+(\d+)/.exec(text.slice(xrefAt))!;
  const entries = text.slice(xrefAt, trailerAt).match(/\d{10} \d{5} [nf]/g)!;
  const objects = entries
    .map((e, i) => ({ num: Number(first) + i, at: Number(e.slice(0, 10)), used: e.endsWith("n") }))
    .filter((e) => e.used)
    .sort((a, b) => a.at - b.at)
    .map((e, i, all) => ({ num: e.num, start: e.at, end: i + 1 < all.length ? all[i + 1].at : xrefAt }));
  const trailer = /trailer\s*(<<[\s\S]*?>>)\s*startxref/.exec(text.slice(trailerAt))![1];
  return { objects, xrefAt, trailer, size: Number(count) };
}

/** Object `num` as written ("num 0 obj … endobj\n"). */
export function objectBytes(pdf: Buffer, num: number): Buffer {
  const o = layoutOf(pdf).objects.find((x) => x.num === num);
  if (!o) throw new Error(`no object ${num}`);
  return pdf.subarray(o.start, o.end);
}

/** The dictionary text of object `num` (before any stream). */
export function dictOf(pdf: Buffer, num: number): string {
  const s = objectBytes(pdf, num).toString("latin1");
  const body = s.slice(s.indexOf("obj") + 3);
  const stream = body.indexOf("\nstream\n");
  return (stream >= 0 ? body.slice(0, stream) : body.slice(0, body.lastIndexOf("endobj"))).trim();
}

/** The stream data of object `num`. */
export function streamOf(pdf: Buffer, num: number): Buffer {
  const b = objectBytes(pdf, num);
  const start = b.indexOf("\nstream\n") + 8;
  return b.subarray(start, b.lastIndexOf("\nendstream"));
}

export function obj(num: number, dict: string, data?: Buffer): Buffer {
  if (!data) return Buffer.from(`${num} 0 obj\n${dict}\nendobj\n`, "latin1");
  const d = dict.replace(/\/Length \d+/, "").replace(/>>\s*$/, `/Length ${data.length}\n>>`);
  return Buffer.concat([Buffer.from(`${num} 0 obj\n${d}\nstream\n`, "latin1"), data, Buffer.from("\nendstream\nendobj\n", "latin1")]);
}

const ref = (dict: string, key: string) => Number(new RegExp(`/${key} (\\d+) 0 R`).exec(dict)![1]);

/** The numbers of the catalog, first page, its content stream and resources, and the info dictionary. */
export function partsOf(pdf: Buffer): { catalog: number; page: number; contents: number; resources: number; info: number; size: number } {
  const l = layoutOf(pdf);
  const catalog = ref(l.trailer, "Root");
  const pages = ref(dictOf(pdf, catalog), "Pages");
  const page = Number(/\/Kids \[(\d+) 0 R/.exec(dictOf(pdf, pages))![1]);
  const pageDict = dictOf(pdf, page);
  return { catalog, page, contents: ref(pageDict, "Contents"), resources: ref(pageDict, "Resources"), info: ref(l.trailer, "Info"), size: l.size };
}

/** The file re-laid-out with some objects replaced and others added, and a fresh cross-reference table. */
export function rewrite(pdf: Buffer, replace: Record<number, Buffer>, add: Buffer[] = []): Buffer {
  const l = layoutOf(pdf);
  const parts: Buffer[] = [pdf.subarray(0, l.objects[0].start)];
  let at = parts[0].length;
  const offsets = new Map<number, number>();
  const push = (num: number, b: Buffer) => {
    offsets.set(num, at);
    parts.push(b);
    at += b.length;
  };
  for (const o of l.objects) push(o.num, replace[o.num] ?? pdf.subarray(o.start, o.end));
  for (const b of add) push(Number(/^(\d+) 0 obj/.exec(b.toString("latin1"))![1]), b);
  const size = Math.max(l.size, ...[...offsets.keys()].map((n) => n + 1));
  const rows = ["0000000000 65535 f "];
  for (let n = 1; n < size; n++) rows.push(offsets.has(n) ? `${String(offsets.get(n)).padStart(10, "0")} 00000 n ` : "0000000000 65535 f ");
  const trailer = l.trailer.replace(/\/Size \d+/, `/Size ${size}`);
  parts.push(Buffer.from(`xref\n0 ${size}\n${rows.join("\n")}\ntrailer\n${trailer}\nstartxref\n${at}\n%%EOF\n`, "latin1"));
  return Buffer.concat(parts);
}

/** An incremental update: the objects appended after %%EOF with their own xref section and /Prev. */
export function incrementalUpdate(pdf: Buffer, objects: Buffer[]): Buffer {
  const l = layoutOf(pdf);
  const parts: Buffer[] = [pdf];
  let at = pdf.length;
  const rows: string[] = [];
  let size = l.size;
  for (const b of objects) {
    const num = Number(/^(\d+) 0 obj/.exec(b.toString("latin1"))![1]);
    rows.push(`${num} 1\n${String(at).padStart(10, "0")} 00000 n `);
    size = Math.max(size, num + 1);
    parts.push(b);
    at += b.length;
  }
  const trailer = l.trailer.replace(/\/Size \d+/, `/Size ${size}`).replace(/>>\s*$/, `/Prev ${l.xrefAt}\n>>`);
  parts.push(Buffer.from(`xref\n${rows.join("\n")}\ntrailer\n${trailer}\nstartxref\n${at}\n%%EOF\n`, "latin1"));
  return Buffer.concat(parts);
}

/** Where pdftotext finds `word` on page 1: x, y from the top, width, height, in points; and the page height. */
export function wordBox(pdf: Buffer, word: string): { x: number; top: number; w: number; h: number; pageHeight: number } {
  const file = savePdf(`bbox-${process.pid}-${Date.now()}`, pdf);
  const html = execFileSync("pdftotext", ["-bbox", "-f", "1", "-l", "1", file, "-"]).toString("utf8");
  const pageHeight = Number(/<page width="[\d.]+" height="([\d.]+)"/.exec(html)![1]);
  const m = new RegExp(`<word xMin="([\\d.]+)" yMin="([\\d.]+)" xMax="([\\d.]+)" yMax="([\\d.]+)">${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}</word>`).exec(
    html,
  );
  if (!m) throw new Error(`"${word}" is not on page 1`);
  const [x0, y0, x1, y1] = m.slice(1).map(Number);
  return { x: x0, top: y0, w: x1 - x0, h: y1 - y0, pageHeight };
}

const HELVETICA = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
const f = (n: number) => n.toFixed(2);

/** Content (default user space, y up) that paints a white box over `word` and writes `text` there. */
export function paintOver(pdf: Buffer, word: string, text: string, font = "FForged"): string {
  const b = wordBox(pdf, word);
  const y = b.pageHeight - b.top - b.h;
  // WinAnsi: ¥ is \245
  const literal = text.replace(/[\\()]/g, "\\$&").replace(/¥/g, "\\245");
  return `q 1 1 1 rg ${f(b.x - 2)} ${f(y - 1.5)} ${f(b.w + 20)} ${f(b.h + 3)} re f Q\nq BT 0 g /${font} ${f(b.h * 0.75)} Tf ${f(b.x)} ${f(y + b.h * 0.22)} Td (${literal}) Tj ET Q\n`;
}

function withFont(resources: string, font: string): string {
  return resources.replace(/\/Font\s*<</, `/Font <<\n/${font} ${HELVETICA}`);
}

/** Attack: the total painted over with another amount, the page's content stream rewritten in place. */
export function paintedOverInPlace(genuine: Buffer, word: string, text: string): Buffer {
  const p = partsOf(genuine);
  const content = Buffer.concat([Buffer.from("q\n"), streamOf(genuine, p.contents), Buffer.from(`\nQ\n${paintOver(genuine, word, text)}`)]);
  return rewrite(genuine, {
    [p.contents]: obj(p.contents, dictOf(genuine, p.contents), content),
    [p.resources]: obj(p.resources, withFont(dictOf(genuine, p.resources), "FForged")),
  });
}

/** Attack: drawing over the first page through an incremental update (new content streams, the page redefined). */
export function drawnOverByUpdate(genuine: Buffer, content: string): Buffer {
  const p = partsOf(genuine);
  const open = p.size;
  const over = p.size + 1;
  const res = p.size + 2;
  const page = dictOf(genuine, p.page)
    .replace(`/Contents ${p.contents} 0 R`, `/Contents [${open} 0 R ${p.contents} 0 R ${over} 0 R]`)
    .replace(`/Resources ${p.resources} 0 R`, `/Resources ${res} 0 R`);
  return incrementalUpdate(genuine, [
    // the renderer's content leaves its y-down transform in place: save the state before it, restore after
    obj(open, "<< >>", Buffer.from("q\n")),
    obj(over, "<< >>", Buffer.from(`Q\n${content}`)),
    obj(res, withFont(dictOf(genuine, p.resources), "FForged")),
    obj(p.page, page),
  ]);
}

/** Attack: JavaScript run on opening (an OpenAction), added by an incremental update of the catalog. */
export function withOpenAction(genuine: Buffer, script: string): Buffer {
  const p = partsOf(genuine);
  const action = p.size;
  const catalog = dictOf(genuine, p.catalog).replace(/>>\s*$/, `/OpenAction ${action} 0 R\n>>`);
  return incrementalUpdate(genuine, [obj(action, `<< /Type /Action /S /JavaScript /JS (${script.replace(/[\\()]/g, "\\$&")}) >>`), obj(p.catalog, catalog)]);
}

/**
 * Attack: a decoy object after %%EOF. `carrier`'s embedded-file object is defined again after its end
 * with `decoy`'s attachment: a reader that takes the last definition of an object number reads the
 * decoy's bill, a viewer following the cross-reference table shows the carrier's page.
 */
export function decoyAfterEof(carrier: Buffer, decoy: Buffer): Buffer {
  const embedded = embeddedFileOf(carrier);
  const data = streamOf(decoy, embeddedFileOf(decoy));
  // the file still ends by pointing at the carrier's own cross-reference table, which viewers follow
  const end = Buffer.from(`startxref\n${layoutOf(carrier).xrefAt}\n%%EOF\n`, "latin1");
  return Buffer.concat([carrier, obj(embedded, dictOf(decoy, embeddedFileOf(decoy)).replace(/\/Size \d+/, `/Size ${data.length}`), data), end]);
}

function embeddedFileOf(pdf: Buffer): number {
  const l = layoutOf(pdf);
  const o = l.objects.find((x) => /\/Type \/EmbeddedFile/.test(pdf.toString("latin1", x.start, x.start + 64)));
  if (!o) throw new Error("no embedded file");
  return o.num;
}

/**
 * Attack: `shown`'s page drawn as a Form XObject in a new file built around `carrier`'s attachment:
 * the file carries (and verifies as) one bill and shows another.
 */
export function pageAsFormAround(shown: Buffer, carrier: Buffer): Buffer {
  const sp = partsOf(shown);
  const mediaBox = /\/MediaBox \[([^\]]+)\]/.exec(dictOf(shown, sp.page))![1];
  // the objects the shown page's resources reach, renumbered after the five of the frame
  const order: number[] = [];
  const visit = (num: number) => {
    if (order.includes(num)) return;
    order.push(num);
    for (const m of dictOf(shown, num).matchAll(/(\d+) 0 R/g)) visit(Number(m[1]));
  };
  visit(sp.resources);
  const FIRST = 6;
  const renumber = (dict: string) => dict.replace(/(\d+) 0 R/g, (_, n: string) => `${FIRST + order.indexOf(Number(n))} 0 R`);
  const copied: (string | [string, Buffer])[] = order.map((num) => {
    const dict = renumber(dictOf(shown, num));
    return objectBytes(shown, num).includes("\nstream\n")
      ? [dict.replace(/\/Length \d+/, `/Length ${streamOf(shown, num).length}`), streamOf(shown, num)]
      : dict;
  });
  const embedded = embeddedFileOf(carrier);
  const data = streamOf(carrier, embedded);
  const spec = FIRST + order.length + 1;
  const page = streamOf(shown, sp.contents);
  return buildPdf([
    `<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(lianpiao-bill.json) ${spec} 0 R] >> >> /AF [${spec} 0 R] >>`,
    "<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
    `<< /Type /Page /Parent 2 0 R /MediaBox [${mediaBox}] /Contents 4 0 R /Resources << /XObject << /Shown 5 0 R >> >> >>`,
    [`<< /Length 15 >>`, Buffer.from("q /Shown Do Q\n")],
    [`<< /Type /XObject /Subtype /Form /BBox [${mediaBox}] /Resources ${FIRST} 0 R /Length ${page.length} >>`, page],
    ...copied,
    [dictOf(carrier, embedded), data],
    `<< /Type /Filespec /AFRelationship /Data /F (lianpiao-bill.json) /UF (lianpiao-bill.json) /EF << /F ${spec - 1} 0 R >> >>`,
  ]);
}

/** Re-saved by qpdf: the same content, another structure. */
export function resavedByQpdf(genuine: Buffer, name: string, args: string[] = []): Buffer {
  const file = savePdf(name, genuine);
  const out = `${file.replace(/\.pdf$/, "")}-qpdf.pdf`;
  execFileSync("qpdf", [...args, file, out]);
  return readFileSync(out);
}

/** qpdf --check: 0 for a file without errors or warnings. */
export function qpdfCheck(pdf: Buffer, name: string): { status: number | null; output: string } {
  const r = spawnSync("qpdf", ["--check", savePdf(name, pdf)], { encoding: "utf8" });
  return { status: r.status, output: r.stdout + r.stderr };
}
