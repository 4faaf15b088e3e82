// The renderer's exact output, pinned. An uploaded PDF is genuine only if it is byte for byte what
// the renderer makes of its attachment (server/verification/file-check.ts), so the bytes must not move.
//
// IF THIS TEST FAILS because you changed the layout, a template, the fonts, or upgraded pdfkit, fontkit,
// qrcode or @fontsource/noto-sans-sc: the renderer's output format changed. Bump RENDERER in
// server/pdf/document.ts (e.g. lianpiao-pdf/2 → lianpiao-pdf/3) and update the hashes below. Files
// delivered before stay valid on the service through delivered_files (their SHA-256 was recorded);
// elsewhere they answer RENDERER_MISMATCH (ERROR), never INVALID.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { expect } from "chai";
import { RENDERER } from "../../server/pdf/document";
import { PdfRenderPool } from "../../server/pdf/pool";
import { renderBillPdf } from "../../server/pdf/render";
import { ROOT } from "../helpers/processes";
import { GOLDEN_CASES } from "./golden-cases";

const GOLDEN: Record<string, { sha256: string; bytes: number }> = {
  outpatient: { sha256: "cae8da0da9efee279ed2b018112278b0e4e1c68f7de2b2db8ea6c55366af5244", bytes: 83001 },
  "outpatient-anchored": { sha256: "9c5ae976f421b4f8b6b32efae1e8a93c56a75706d51791052f81dee921d9f6d2", bytes: 83391 },
  "inpatient-40-items": { sha256: "00e47a3417426947ae86b79898a8336cc812c1ea9d2a116409a7467f76328cfe", bytes: 199127 },
  "long-names": { sha256: "34d20d2d1ab621b63f9a7d69de603cc56c80931996255b464a8b14bc228f9054", bytes: 111470 },
  donation: { sha256: "bd9449c0b9c1424327239013a752a7281b27911065d57b2efebd251a4deebd99", bytes: 72800 },
  red: { sha256: "fbd94152395f87416a0fd5fa9f357d9919cb995ed1322bc962a7792819a93316", bytes: 87636 },
};

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const lines = (out: string) => out.trim().split("\n").map((l) => l.split(" "));

describe(`the renderer's output (${RENDERER}), pinned by SHA-256`, function () {
  this.timeout(120_000);

  it(`renders every fixture bill to its golden bytes — if this fails, bump RENDERER (now ${RENDERER}) and update the hashes`, async () => {
    expect(RENDERER).to.equal("lianpiao-pdf/2", "RENDERER changed: update GOLDEN to the new version's hashes");
    for (const c of GOLDEN_CASES) {
      const pdf = await renderBillPdf(c.envelope, { verifyUrl: c.verifyUrl });
      expect({ sha256: sha256(pdf), bytes: pdf.length }, `${c.name}: the ${RENDERER} output changed; bump RENDERER`).to.deep.equal(GOLDEN[c.name]);
    }
  });

  it("writes no compressed stream: no zlib build or CPU can change the bytes", async () => {
    for (const c of GOLDEN_CASES) {
      const pdf = await renderBillPdf(c.envelope, { verifyUrl: c.verifyUrl });
      expect(pdf.includes("/Filter"), c.name).to.equal(false);
    }
  });

  it("renders the same bytes in two other processes, under other time zones and locales", () => {
    const run = (env: Record<string, string>) =>
      execFileSync(process.execPath, ["-r", "./scripts/register.js", "test/pdf/render-hashes.ts"], { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
    const a = lines(run({ TZ: "Asia/Shanghai", LANG: "zh_CN.UTF-8", LC_ALL: "zh_CN.UTF-8" }));
    const b = lines(run({ TZ: "America/St_Johns", LANG: "de_DE.UTF-8", LC_ALL: "de_DE.UTF-8" }));
    expect(a).to.deep.equal(b);
    expect(a.map(([name, hash, bytes]) => [name, { sha256: hash, bytes: Number(bytes) }])).to.deep.equal(Object.entries(GOLDEN));
  });

  it("renders the same bytes in the worker-thread pool", async () => {
    const pool = new PdfRenderPool({ size: 2 });
    try {
      const pdfs = await Promise.all(GOLDEN_CASES.map((c) => pool.render(c.envelope, { verifyUrl: c.verifyUrl })));
      pdfs.forEach((pdf, i) => expect({ sha256: sha256(pdf), bytes: pdf.length }, GOLDEN_CASES[i].name).to.deep.equal(GOLDEN[GOLDEN_CASES[i].name]));
    } finally {
      await pool.close();
    }
  });
});
