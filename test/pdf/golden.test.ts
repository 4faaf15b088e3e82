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
import { PdfRenderPool } from "../../server/render/pool";
import { renderBillPdf } from "../../server/pdf/render";
import { ROOT } from "../helpers/processes";
import { GOLDEN_CASES } from "./golden-cases";

// (Issue 16: the fixture envelopes gained the `sm2` member, 300 bytes more in each attachment; the
// renderer itself did not change, so RENDERER stays lianpiao-pdf/3.)
const GOLDEN: Record<string, { sha256: string; bytes: number }> = {
  outpatient: { sha256: "c4fc2baec2106aa076cd3852093bd31ef5237b019ffebad4aadcd82290be6af8", bytes: 91443 },
  "outpatient-anchored": { sha256: "53600d68f659f703d3743ce0249d0612ebe4498f86a98eac4554d36457a8c385", bytes: 91833 },
  "inpatient-40-items": { sha256: "1f29f35c76b5513a3de441daa5788ce83fbf73bf1a7454d4751fc0e74418d989", bytes: 256072 },
  "long-names": { sha256: "17a6c639277dc7861788ebefd336bf955796bd8917201c91fa0dd83e7757b986", bytes: 120115 },
  donation: { sha256: "54bb593d1d644f8eb210fdf1120f994cd9045e009df869b6bfbe4c5492d17a42", bytes: 79865 },
  red: { sha256: "8db110b7e04660a5c09930fb180ae11b0dd4f56ce1c0475f8f50860804c086ad", bytes: 96340 },
  "donation-in-kind-anonymous": { sha256: "d3b79ca14c0418577c76c129e0253b937dbd8417368ed756e2d8823805b6f89f", bytes: 87454 },
};

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const lines = (out: string) =>
  out
    .trim()
    .split("\n")
    .map((l) => l.split(" "));

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
      execFileSync(process.execPath, ["-r", "./scripts/register.js", "test/pdf/render-hashes.ts"], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        encoding: "utf8",
      });
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
