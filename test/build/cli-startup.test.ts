// `lianpiao verify --help` starts at once: within 10 times a bare `node -e 0` on the same machine,
// measured in the same run (a ratio, so a slow or busy machine slows both). The command is the
// checkout's `scripts/lianpiao.js` (what `npx lianpiao` and `npm run lianpiao` run), on the build.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../helpers/processes";
import { ensureBuilt } from "./helpers";

const RUNS = 9;
const LIMIT = 10;

function wallMs(args: string[]): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe("lianpiao start-up", function () {
  this.timeout(300_000);

  before(() => ensureBuilt());

  it(`prints verify --help within ${LIMIT}× the time of a bare node -e 0`, () => {
    const cli = [path.join("scripts", "lianpiao.js"), "verify", "--help"];
    const help = spawnSync(process.execPath, cli, { cwd: ROOT, encoding: "utf8" });
    expect(help.stdout).to.include("--registry <address>");
    // one of each to warm the file cache, then interleaved, so that a burst of load hits both
    wallMs(["-e", "0"]);
    wallMs(cli);
    const bare: number[] = [];
    const verify: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      bare.push(wallMs(["-e", "0"]));
      verify.push(wallMs(cli));
    }
    const ratio = median(verify) / median(bare);
    console.log(
      `      node -e 0: ${median(bare).toFixed(0)} ms, lianpiao verify --help: ${median(verify).toFixed(0)} ms (median of ${RUNS}), ratio ${ratio.toFixed(1)}`,
    );
    expect(ratio).to.be.at.most(LIMIT);
  });

  it("loads neither the verifier, the store, ethers, pdfkit, Hardhat nor TypeScript for --help", () => {
    const probe = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lianpiao-probe-")), "probe.js");
    fs.writeFileSync(probe, `process.on("exit", () => console.error(JSON.stringify(Object.keys(require.cache))));\n`);
    const r = spawnSync(process.execPath, ["-r", probe, path.join("scripts", "lianpiao.js"), "verify", "--help"], { cwd: ROOT, encoding: "utf8" });
    fs.rmSync(path.dirname(probe), { recursive: true, force: true });
    expect(r.stdout).to.include("Usage: lianpiao verify");
    const modules = JSON.parse(r.stderr.trim().split("\n").pop() as string) as string[];
    expect(
      modules.some((m) => m.includes(`${path.sep}dist${path.sep}scripts${path.sep}cli${path.sep}index.js`)),
      "the compiled CLI",
    ).to.equal(true);
    for (const heavy of ["/ethers/", "/pdfkit/", "/hardhat/", "/ts-node/", "/typescript/", "/server/verification/verifier", "/server/pdf/", "/server/store/"]) {
      expect(
        modules.filter((m) => m.includes(heavy)),
        heavy,
      ).to.deep.equal([]);
    }
  });
});
