// Fetching, opening and re-zipping OFD packages in tests.
import { expect } from "chai";
import { unzipSync, zipSync, type Zippable } from "fflate";
import { find, parseXml, type XmlNode } from "../../server/ofd/xml";

export async function fetchOfd(base: string, key: string, id: string): Promise<{ bytes: Buffer; type: string | null }> {
  const r = await fetch(`${base}/api/v1/invoices/${id}/ofd`, { headers: { authorization: `Bearer ${key}` } });
  expect(r.status).to.equal(200);
  return { bytes: Buffer.from(await r.arrayBuffer()), type: r.headers.get("content-type") };
}

export async function uploadOfd(base: string, ofd: Buffer): Promise<{ status: number; body: any }> {
  const r = await fetch(`${base}/api/v1/verify`, { method: "POST", headers: { "content-type": "application/ofd" }, body: ofd });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

/** The package's entries, in order. */
export function entriesOf(ofd: Buffer): Array<[string, Uint8Array]> {
  return Object.entries(unzipSync(new Uint8Array(ofd)));
}

/**
 * The package again with `change` applied to its entries, zipped as the renderer zips (stored, same
 * order, same times): only what `change` touches differs.
 */
export function rezip(ofd: Buffer, issuedAt: string, change: (entries: Map<string, Uint8Array>) => void): Buffer {
  const entries = new Map(entriesOf(ofd));
  change(entries);
  const mtime = new Date(Number(issuedAt.slice(0, 4)), Number(issuedAt.slice(5, 7)) - 1, Number(issuedAt.slice(8, 10)), 12, 0, 0);
  const z: Zippable = {};
  for (const [name, data] of entries) z[name] = [data, { level: 0, mtime }];
  return Buffer.from(zipSync(z));
}

export const text = (b: Uint8Array) => Buffer.from(b).toString("utf8");

const all = (node: XmlNode, name: string): XmlNode[] => node.children.flatMap((c) => [...(c.name === name ? [c] : []), ...all(c, name)]);
const escXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** OFD abbreviated path data as SVG path data (GB/T 33190 §9.3.2: M L B C; Q and A are not written by lianpiao). */
const svgPath = (d: string) => d.replace(/\bB\b/g, "C").replace(/\bC(?=\s*(M|$))/g, "Z");

/** DeltaX with its "g count value" runs expanded. */
function deltas(v: string | undefined): number[] {
  const t = (v ?? "").trim().split(/\s+/).filter(Boolean);
  const out: number[] = [];
  for (let i = 0; i < t.length; i++) {
    if (t[i] === "g") {
      for (let k = 0; k < Number(t[i + 1]); k++) out.push(Number(t[i + 2]));
      i += 2;
    } else out.push(Number(t[i]));
  }
  return out;
}

/** A page of the package as SVG, at 10 px per mm, with the package's own font files. */
export function svgOf(entries: Map<string, Uint8Array>): string {
  const page = parseXml(text(entries.get("Doc_0/Pages/Page_0/Content.xml")!));
  const [, , w, h] = find(page, "PhysicalBox")!.text.split(" ").map(Number);
  const color = (n: XmlNode | undefined) => (n ? `rgb(${n.attrs.Value.split(" ").join(",")})` : "none");
  const body = find(page, "Layer")!.children.map((o) => {
    const opacity = o.attrs.Alpha ? ` opacity="${Number(o.attrs.Alpha) / 255}"` : "";
    if (o.name === "PathObject") {
      return `<path d="${svgPath(find(o, "AbbreviatedData")!.text)}" fill="${o.attrs.Fill === "true" ? color(find(o, "FillColor")) : "none"}" stroke="${o.attrs.Stroke === "true" ? color(find(o, "StrokeColor")) : "none"}" stroke-width="${o.attrs.LineWidth ?? 0.353}"${opacity}/>`;
    }
    const code = find(o, "TextCode")!;
    const chars = Array.from(code.text);
    const xs = [Number(code.attrs.X)];
    for (const dx of deltas(code.attrs.DeltaX)) xs.push(xs[xs.length - 1] + dx);
    const transform = o.attrs.CTM ? ` transform="matrix(${o.attrs.CTM.split(" ").join(",")})"` : "";
    return `<text style="white-space:pre" x="${xs.slice(0, chars.length).join(" ")}" y="${code.attrs.Y}" font-family="OFDFont${o.attrs.Font}" font-size="${o.attrs.Size}" fill="${color(find(o, "FillColor"))}"${transform}${opacity}>${escXml(code.text)}</text>`;
  });
  const font = (id: number) =>
    `@font-face{font-family:OFDFont${id};src:url(data:font/ttf;base64,${Buffer.from(entries.get(`Doc_0/Res/font_${id}.ttf`)!).toString("base64")})}`;
  return `<!doctype html><meta charset="utf-8"><style>${font(1)}${font(2)}body{margin:0;background:#fff}</style><body><svg id="page" xmlns="http://www.w3.org/2000/svg" width="${w * 10}" height="${h * 10}" viewBox="0 0 ${w} ${h}">${body.join("")}</svg>`;
}
