// The renderer's exact output, pinned. An uploaded PDF is genuine only if it is byte for byte what
// the renderer makes of its attachment (server/verification/file-check.ts), so the bytes must not move.
//
// IF THIS TEST FAILS because you changed the layout, a template, the fonts, or upgraded pdfkit, fontkit,
// qrcode or @fontsource/noto-sans-sc: the renderer's output format changed. Bump RENDERER in
// server/pdf/document.ts (e.g. lianpiao-pdf/3 → lianpiao-pdf/4) and update the hashes below. Files
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
  outpatient: { sha256: "7653dc1a010d42e1ed2b27e75340376f00306fe9796620e15ce34e5928e49ace", bytes: 91143 },
  "outpatient-anchored": { sha256: "b3d606c73e2a6b4bf2089e1bbb484512b8c47a9f75cd64b035986caba9e9bd25", bytes: 91533 },
  "inpatient-40-items": { sha256: "7386d03bad70a1b9335dc3c8abd8ea488ae1fbbde1ed01c156e9aff42d81671f", bytes: 255770 },
  "long-names": { sha256: "3451b55fd5493357d588434a75bdfe90ba70629123daf8accfdd9fe1b9b51273", bytes: 119815 },
  donation: { sha256: "062c8a58b4c09cadc056f6b22fb3aed7038f70b3de421fbd91cebce8b3a3e3e8", bytes: 79565 },
  red: { sha256: "2f6ee73f49bf2aceea8cd2dd4d080c070f1dd89ec352f7fd43c8a3d6e6123fed", bytes: 96040 },
  "donation-in-kind-anonymous": { sha256: "8d34ffb855812852a43ad45e482b8a056ed696776ff6d0619e7850d316287a9a", bytes: 87154 },
};

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const lines = (out: string) => out.trim().split("\n").map((l) => l.split(" "));

describe(`the renderer's output (${RENDERER}), pinned by SHA-256`, function () {
  this.timeout(120_000);

  it(`renders every fixture bill to its golden bytes — if this fails, bump RENDERER (now ${RENDERER}) and update the hashes`, async () => {
    expect(RENDERER).to.equal("lianpiao-pdf/3", "RENDERER changed: update GOLDEN to the new version's hashes");
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
