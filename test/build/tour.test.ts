// The README's 60-second tour, pasted as written into bash in a fresh checkout-like directory (the
// working tree's files as a clone has them, no build, no data): `npm start &` builds, starts and
// prints its ready line; the tour waits for it, issues a bill (201), sees it anchored, downloads its
// PDF and verifies it against the chain alone. Only the port numbers are changed, to free ones, so
// that the test does not depend on 3000 and 8545 being free on this machine.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { freePort, ROOT } from "../helpers/processes";
import { npmEnv, start, tempDir } from "./helpers";

/** The ```sh blocks of the README section `## A 60-second tour`, in order. */
export function tourScript(readme: string): string {
  const section = /^## A 60-second tour\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
  if (!section) throw new Error("README.md has no '## A 60-second tour' section");
  const blocks = [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  if (blocks.length === 0) throw new Error("the tour has no sh block");
  return blocks.join("\n");
}

/** The files of a fresh clone of this working tree (tracked and untracked, not ignored). */
function checkoutCopy(dir: string): void {
  const r = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ls-files failed: ${r.stderr}`);
  for (const file of r.stdout.split("\0").filter(Boolean)) {
    const from = path.join(ROOT, file);
    if (!fs.existsSync(from)) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, file));
    fs.chmodSync(path.join(dir, file), fs.statSync(from).mode);
  }
  // what `npm install` would have made: the dependencies (shared, not downloaded)
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, "node_modules")), path.join(dir, "node_modules"), "dir");
}

describe("the README's 60-second tour", function () {
  this.timeout(600_000);

  it("works pasted into bash in a fresh checkout: ready line, 201, anchored, a PDF, VALID", async () => {
    const work = tempDir("lianpiao-tour-");
    const checkout = path.join(work, "lianpiao");
    const home = path.join(work, "home");
    fs.mkdirSync(home);
    checkoutCopy(checkout);
    expect(fs.existsSync(path.join(checkout, "dist")), "no build in a fresh checkout").to.equal(false);
    expect(fs.existsSync(path.join(checkout, "data")), "no data in a fresh checkout").to.equal(false);
    const port = await freePort();
    const rpcPort = await freePort();
    const script = tourScript(fs.readFileSync(path.join(ROOT, "README.md"), "utf8"))
      .replaceAll("localhost:3000", `localhost:${port}`)
      .replaceAll("127.0.0.1:8545", `127.0.0.1:${rpcPort}`);
    fs.writeFileSync(path.join(work, "tour.sh"), script);
    // as a user would run it: no DATA_DIR (./data), the default log level (the test runner silences it)
    const env: NodeJS.ProcessEnv = { ...npmEnv(home), PORT: String(port), EMBEDDED_RPC_PORT: String(rpcPort) };
    delete env.DATA_DIR;
    delete env.LOG_LEVEL;
    const bash = start(["bash", path.join(work, "tour.sh")], { cwd: checkout, env });
    try {
      const code = await new Promise<number | null>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the tour did not finish in 480 s:\n${bash.output().slice(-4000)}`)), 480_000);
        bash.proc.once("exit", (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      const out = bash.output();
      const lines = out.split("\n");
      const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
      const ready = lines.filter((l) => l.startsWith("lianpiao ready:"));
      expect(ready, out.slice(-4000)).to.have.length(1);
      expect(ready[0])
        .to.include(`http://localhost:${port}`)
        .and.include(`/docs`)
        .and.include(`http://127.0.0.1:${rpcPort}`)
        .and.include("demo-credentials.json");
      const creds = JSON.parse(fs.readFileSync(path.join(checkout, "data", "demo-credentials.json"), "utf8")) as { hospital: { apiKey: string } };
      expect(out, "the demo keys are not printed").not.to.include(creds.hospital.apiKey);
      // each step's output, in order
      const steps = [/^lianpiao ready:/, /^201$/, /"status":"anchored"/, /^200 application\/pdf/, /有效 VALID/].map(at);
      expect(
        steps.every((i) => i >= 0),
        `${JSON.stringify(steps)}\n${out.slice(-4000)}`,
      ).to.equal(true);
      expect([...steps].sort((a, b) => a - b)).to.deep.equal(steps);
      const bill = JSON.parse(fs.readFileSync(path.join(checkout, "bill.json"), "utf8")) as { status: string; billCode: string };
      expect(bill.status).to.equal("pending");
      expect(fs.readFileSync(path.join(checkout, "bill.pdf")).subarray(0, 5).toString("latin1")).to.equal("%PDF-");
      // the last command is `lianpiao verify`: 0 only for VALID
      expect(code, out.slice(-4000)).to.equal(0);
    } finally {
      await bash.stop();
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
