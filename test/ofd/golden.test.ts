// The OFD renderer's exact output, pinned like the PDF's (test/pdf/golden.test.ts): an uploaded OFD is
// genuine only if it is byte for byte what lianpiao-ofd/1 makes of its attachment. IF THIS FAILS because
// the layout, fonts, fflate or the package structure changed: bump OFD_RENDERER (server/ofd/version.ts).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { expect } from "chai";
import { unzipSync } from "fflate";
import { PdfRenderPool } from "../../server/render/pool";
import { OFD_RENDERER } from "../../server/ofd/version";
import { ROOT } from "../helpers/processes";

/** The compression method of each local zip entry (0: stored). */
function methods(zip: Buffer): number[] {
  const out: number[] = [];
  for (let p = 0; zip.readUInt32LE(p) === 0x04034b50; p += 30 + zip.readUInt16LE(p + 26) + zip.readUInt16LE(p + 28) + zip.readUInt32LE(p + 18))
    out.push(zip.readUInt16LE(p + 8));
  return out;
}

/** The pinned output of lianpiao-ofd/1 for the fixtures (sealed with FIXTURE_SEAL): name, SHA-256, bytes. */
const GOLDEN = [
  ["outpatient", "69af526588675177c9f0d68dfec57226524f844b9720a21df7ab0fdc8d556e04", "113377"],
  ["inpatient-40-items", "44ccac96b64bd81df35058a2652bc4dd81534e3e5bb13c08712af3346bc4d3eb", "367928"],
  ["red", "7191e6f9c2486cff56d2f8989aa18e184e75af06c7628e1ece1c7eac82909f4b", "118117"],
  ["donation-in-kind-anonymous", "d5013c36ad603f8f789ac7de0177016bb8338b9af94e8b3c7a04fa78efc8618e", "107002"],
];

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const lines = (out: string) =>
  out
    .trim()
    .split("\n")
    .map((l) => l.split(" "));
const run = (env: Record<string, string>) =>
  lines(
    execFileSync(process.execPath, ["-r", "./scripts/register.js", "test/ofd/render-hashes.ts"], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      encoding: "utf8",
    }),
  );

describe(`the OFD renderer's output (${OFD_RENDERER})`, function () {
  this.timeout(180_000);

  it("renders its pinned bytes, the same in two processes under other time zones and locales and in the worker pool", async () => {
    const a = run({ TZ: "Asia/Shanghai", LANG: "zh_CN.UTF-8", LC_ALL: "zh_CN.UTF-8" });
    const b = run({ TZ: "America/St_Johns", LANG: "de_DE.UTF-8", LC_ALL: "de_DE.UTF-8" });
    expect(a).to.deep.equal(b);
    expect(a, `the ${OFD_RENDERER} output changed: bump OFD_RENDERER and update GOLDEN`).to.deep.equal(GOLDEN);
    const { OFD_CASES, FIXTURE_SEAL } = await import("./render-hashes");
    const pool = new PdfRenderPool({ size: 2 });
    try {
      const files = await Promise.all(OFD_CASES.map((c) => pool.renderOfd(c.envelope, { verifyUrl: c.verifyUrl }, { sealKey: FIXTURE_SEAL })));
      expect(files.map((f, i) => [OFD_CASES[i].name, sha256(f), String(f.length)])).to.deep.equal(a);
      // stored entries only: no compressor version can change the bytes
      for (const f of files) expect(methods(f)).to.deep.equal(Object.keys(unzipSync(new Uint8Array(f))).map(() => 0));
      const multi = unzipSync(new Uint8Array(files[OFD_CASES.findIndex((c) => c.name === "inpatient-40-items")]));
      expect(Object.keys(multi).filter((n) => n.endsWith("Content.xml")).length).to.be.greaterThan(1);
    } finally {
      await pool.close();
    }
  });
});
