/**
 * The one file of a multipart/form-data body (RFC 7578), for the check page's PDF upload: the body
 * arrives whole (express.raw, size-limited); the part named `field` is cut out by its boundary.
 */
export type FilePart = { ok: true; data: Buffer; filename: string | null } | { ok: false; reason: "NOT_MULTIPART" | "NO_FILE" | "MALFORMED" };

export function filePart(contentType: string | undefined, body: Buffer, field: string): FilePart {
  const m = /^multipart\/form-data\s*;.*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? "");
  if (!m) return { ok: false, reason: "NOT_MULTIPART" };
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`);
  let at = body.indexOf(delimiter);
  if (at < 0) return { ok: false, reason: "MALFORMED" };
  for (;;) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") return { ok: false, reason: "NO_FILE" };
    const next = body.indexOf(delimiter, start);
    if (next < 0) return { ok: false, reason: "MALFORMED" };
    const part = body.subarray(start + 2, next - 2); // after CRLF, before CRLF
    const split = part.indexOf("\r\n\r\n");
    if (split < 0) return { ok: false, reason: "MALFORMED" };
    const headers = part.subarray(0, split).toString("utf8");
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? "";
    const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
    if (name === field) {
      const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1] ?? null;
      const data = part.subarray(split + 4);
      return data.length === 0 ? { ok: false, reason: "NO_FILE" } : { ok: true, data, filename };
    }
    at = next;
  }
}
