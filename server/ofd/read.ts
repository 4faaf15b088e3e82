/**
 * Reading an uploaded OFD file (untrusted): its entries, within limits, and the lianpiao attachment,
 * found as a reader would — OFD.xml's DocRoot, the document's Attachments, the attachment named
 * lianpiao-bill.json — rather than at a fixed path. What is read here is only where to start: the file
 * rule (file-format.ts) then requires the whole file to be exactly the one issued.
 */
import { unzipSync } from "fflate";
import { find, parseXml, type XmlNode } from "./xml";
import { SIGNATURE_PATHS } from "./signature";

export type OfdRead =
  | { ok: true; entries: Record<string, Uint8Array>; attachment: unknown; signatureXml: Uint8Array | null; signedValue: Uint8Array | null }
  | { ok: false; code: "NOT_OFD" | "TOO_LARGE" | "NO_ATTACHMENT" | "MALFORMED"; message: string };

/** Whether the bytes start like a zip file (an OFD package is one). */
export const looksLikeOfd = (b: Buffer) => b.length >= 4 && b.readUInt32LE(0) === 0x04034b50;

function resolve(base: string, ref: string): string {
  // a reference is absolute from the package root ("/Doc_0/…") or relative to the referring file's folder
  const parts = (ref.startsWith("/") ? ref.slice(1) : `${base}${ref}`).split("/");
  const out: string[] = [];
  for (const p of parts) {
    if (p === "..") out.pop();
    else if (p !== "." && p !== "") out.push(p);
  }
  return out.join("/");
}
const dirOf = (path: string) => path.replace(/[^/]*$/, "");

/** The largest XML file readOfd parses. */
const MAX_PARSED_BYTES = 256 << 10;

export function readOfd(file: Buffer, limits = { maxEntryBytes: 8 << 20, maxEntries: 256, maxTotalBytes: 16 << 20 }): OfdRead {
  if (!looksLikeOfd(file)) return { ok: false, code: "NOT_OFD", message: "The upload is not an OFD package (not a zip file)" };
  let entries: Record<string, Uint8Array>;
  let tooLarge = false;
  let count = 0;
  let total = 0;
  try {
    // sizes are checked before inflating: a small upload must not expand into a large allocation. The
    // sum is capped too, not only each entry: 256 entries of 8 MB of zeros are a 2 MB upload that would
    // inflate to 2 GB in this thread (test/security/attacks-ofd-sm2.test.ts). fflate inflates an entry
    // into a buffer of its declared size, so a lying size cannot make it larger.
    entries = unzipSync(new Uint8Array(file), {
      filter: (f) => {
        total += f.originalSize;
        const over = ++count > limits.maxEntries || f.originalSize > limits.maxEntryBytes || total > limits.maxTotalBytes;
        if (over) tooLarge = true;
        return !tooLarge;
      },
    });
  } catch (err) {
    return { ok: false, code: "NOT_OFD", message: `The OFD package cannot be read: ${(err as Error).message}`.slice(0, 300) };
  }
  if (tooLarge) return { ok: false, code: "TOO_LARGE", message: "The OFD package has too many or too large entries" };
  const xml = (path: string): XmlNode => {
    const data = entries[path];
    if (!data) throw new Error(`${path} is missing`);
    // only the small index files are parsed here (OFD.xml, Document.xml, the attachment list: a few kB
    // in a lianpiao package); 8 MB of empty elements, an 8 kB zip, took 0.9 s of the main thread to read
    if (data.length > MAX_PARSED_BYTES) throw new Error(`${path} is larger than ${MAX_PARSED_BYTES >> 10} kB`);
    return parseXml(Buffer.from(data).toString("utf8"));
  };
  try {
    const docRoot = find(xml("OFD.xml"), "DocRoot")?.text.trim();
    if (!docRoot) throw new Error("OFD.xml names no DocRoot");
    const docPath = resolve("", docRoot);
    const attachRef = find(xml(docPath), "Attachments")?.text.trim();
    if (!attachRef) return { ok: false, code: "NO_ATTACHMENT", message: "The OFD document has no attachments: it is not a lianpiao bill" };
    const attachPath = resolve(dirOf(docPath), attachRef);
    const list = xml(attachPath);
    const item = list.children.find((c) => c.name === "Attachment" && c.attrs.Name === "lianpiao-bill.json");
    const loc = item && find(item, "FileLoc")?.text.trim();
    if (!loc) return { ok: false, code: "NO_ATTACHMENT", message: "The OFD file has no lianpiao-bill.json attachment: it is not a lianpiao bill" };
    const data = entries[resolve(dirOf(attachPath), loc)];
    if (!data) throw new Error("the attachment's file is missing");
    let attachment: unknown;
    try {
      attachment = JSON.parse(Buffer.from(data).toString("utf8"));
    } catch {
      return { ok: false, code: "MALFORMED", message: "The OFD file's lianpiao-bill.json is not JSON" };
    }
    return {
      ok: true,
      entries,
      attachment,
      signatureXml: entries[SIGNATURE_PATHS.signature] ?? null,
      signedValue: entries[SIGNATURE_PATHS.signedValue] ?? null,
    };
  } catch (err) {
    return { ok: false, code: "MALFORMED", message: `The OFD package is malformed: ${(err as Error).message}`.slice(0, 300) };
  }
}
