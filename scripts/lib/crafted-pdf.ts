/**
 * The upload of issue 14's attack: a PDF of ~5 MB made of ~150,000 tiny objects, each a file
 * specification-like dictionary (`/EF`), so that a reader that indexes every object and looks into
 * each one for the attachment does the most work per byte. Before the object cap and the parse
 * workers, 2 such uploads a second (the public rate limit) took the issuer API's p50 from 11 ms to
 * about 2 s. Used by the benchmark's attack phase and by test/verification/upload-limits.test.ts.
 */

/**
 * A crafted PDF of `objects` objects padded to about `bytes` bytes (defaults: 150,000 tiny ones and
 * 5 MB − 64 KB). `items` numbers in each object's dictionary make each one costly to read instead.
 */
export function craftedManyObjectPdf(objects = 150_000, bytes = 5 * 1024 * 1024 - 65_536, items = 0): Buffer {
  const filler = items > 0 ? `/A[${"0 ".repeat(items)}]` : "";
  const parts: string[] = ["%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"];
  let size = parts[0].length;
  for (let i = 1; i <= objects; i++) {
    const obj = `${i} 0 obj<</EF<<>>${filler}>>endobj\n`;
    parts.push(obj);
    size += obj.length;
  }
  // pad inside a comment so the objects stay tiny and the file reaches the size of the attack
  if (size < bytes - 32) parts.push(`%${"x".repeat(bytes - size - 32)}\n`);
  parts.push("trailer\n<</Root 1 0 R>>\n%%EOF\n");
  return Buffer.from(parts.join(""), "latin1");
}
