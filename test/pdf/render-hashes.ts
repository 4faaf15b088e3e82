/**
 * Renders the fixture bills and prints "name sha256 bytes" per line: run as its own process by the
 * golden test, to prove that another process renders the same bytes.
 */
import { createHash } from "node:crypto";
import { renderBillPdf } from "../../server/pdf/render";
import { GOLDEN_CASES } from "./golden-cases";

async function main(): Promise<void> {
  for (const c of GOLDEN_CASES) {
    const pdf = await renderBillPdf(c.envelope, { verifyUrl: c.verifyUrl });
    process.stdout.write(`${c.name} ${createHash("sha256").update(pdf).digest("hex")} ${pdf.length}\n`);
  }
}

void main();
