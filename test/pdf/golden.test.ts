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
  outpatient: { sha256: "6e9f46447a40f73285c8d28ca19eb97cfa4f6bbfdf1a820c145a715eadec8e18", bytes: 84983 },
  "outpatient-anchored": { sha256: "70c417f292afd90e11f454350c1a377dc23216467904b1e8a0a7cb559a966b68", bytes: 85373 },
  "inpatient-40-items": { sha256: "13ca9fdace4e05341fee1a77bb7342d5b4ca23492f4f30d264a93565038eede2", bytes: 201109 },
  "long-names": { sha256: "8935ec3068e4c6ac0d42244a7bf51df594d6aefa7185d5c8f8bdf9536d44393a", bytes: 113452 },
  donation: { sha256: "ff28bcdcbe90f13d401c7031b12c5b5441915c2cddc8a45cfc13984fa659dd6c", bytes: 74245 },
  red: { sha256: "bf282109b3276e4c34f5dba05ea6dc2e7461bf2a211e98170512a793ea0400e0", bytes: 89879 },
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
