// The package as an operator installs it (npm pack of the build, runtime dependencies only), read-only:
// `npm start` runs the compiled service with its data elsewhere, issues, anchors and renders a bill,
// and `lianpiao verify` checks the PDF; nothing is written inside the package. Against an external
// node, neither the service nor `lianpiao verify` loads Hardhat: the package works without it.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { freePort, startAnvil, type ChainNode } from "../helpers/processes";
import {
  ensureBuilt,
  installPackage,
  listing,
  moduleProbe,
  npmEnv,
  packagesOf,
  readOnlyPrefix,
  removeWritePermissions,
  restoreWritePermissions,
  start,
  tempDir,
  type Installed,
} from "./helpers";

const DEV_ONLY = ["ts-node", "typescript", "solc"];

interface Run {
  ready: string;
  stdout: string;
  creds: { hospital: { apiKey: string }; registryAddress: string; rpcUrl: string };
  credsMode: number;
  bill: { id: string; status: string };
  pdf: Buffer;
  serviceModules: string[];
  verify: { code: number | null; stdout: string; stderr: string; modules: string[] };
}

/**
 * `npm start` in the read-only package with DATA_DIR elsewhere; a bill issued, anchored, downloaded
 * as a PDF; `lianpiao verify` of that PDF from the package; the service stopped.
 */
async function runInstalled(pkg: Installed, env: Record<string, string>, rpcFor: (creds: Run["creds"]) => string): Promise<Run> {
  const work = tempDir("lianpiao-run-");
  const dataDir = path.join(work, "data");
  const home = path.join(work, "home");
  fs.mkdirSync(home);
  const probe = moduleProbe(work);
  const port = await freePort();
  const before = listing(pkg.dir);
  removeWritePermissions(pkg.dir);
  try {
    const prefix = readOnlyPrefix(pkg.dir, [work]);
    const baseEnv = { ...npmEnv(home), ...probe.env, LOG_LEVEL: "info", HOST: "127.0.0.1", PORT: String(port), DATA_DIR: dataDir, ...env };
    const svc = start([...prefix, "npm", "start"], { cwd: pkg.dir, env: baseEnv });
    let ready: string;
    let run: Omit<Run, "serviceModules" | "stdout">;
    try {
      ready = await svc.line(/lianpiao ready:/, 120_000);
      const creds = JSON.parse(fs.readFileSync(path.join(dataDir, "demo-credentials.json"), "utf8")) as Run["creds"];
      const credsMode = fs.statSync(path.join(dataDir, "demo-credentials.json")).mode & 0o777;
      const base = `http://127.0.0.1:${port}`;
      const issued = await call(base, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
      expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
      const bill = await waitAnchored(base, creds.hospital.apiKey, issued.body.id, 60_000);
      // rendered by a PDF worker thread, itself compiled JavaScript from the package
      const r = await fetch(`${base}/api/v1/invoices/${bill.id}/pdf`, { headers: { authorization: `Bearer ${creds.hospital.apiKey}` } });
      expect(r.status).to.equal(200);
      expect(r.headers.get("content-type")).to.match(/^application\/pdf/);
      const pdf = Buffer.from(await r.arrayBuffer());
      const file = path.join(work, "bill.pdf");
      fs.writeFileSync(file, pdf);
      const args = [path.join(pkg.dir, "scripts", "lianpiao.js"), "verify", file, "--rpc", rpcFor(creds), "--registry", creds.registryAddress, "--json"];
      const cmd = [...prefix, process.execPath, ...args];
      const v = spawnSync(cmd[0], cmd.slice(1), { cwd: work, env: baseEnv, encoding: "utf8", timeout: 60_000 });
      run = {
        ready,
        creds,
        credsMode,
        bill,
        pdf,
        verify: { code: v.status, stdout: v.stdout, stderr: v.stderr, modules: probe.loadedBy(/scripts\/lianpiao\.js$/) },
      };
    } finally {
      await svc.stop();
    }
    return { ...run, stdout: svc.output(), serviceModules: probe.loadedBy(/dist\/server\/main\.js$/) };
  } finally {
    restoreWritePermissions(pkg.dir);
    // nothing was created, changed or removed inside the package
    expect(listing(pkg.dir)).to.deep.equal(before);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

describe("the installed package (npm pack, runtime dependencies only, read-only)", function () {
  this.timeout(600_000);

  before(() => ensureBuilt());

  it("ships the build and not the sources", () => {
    const pkg = installPackage();
    try {
      expect(pkg.files).to.include.members([
        "package.json",
        "dist/server/main.js",
        "dist/server/render/worker.js",
        "dist/scripts/cli/index.js",
        "scripts/lianpiao.js",
        "artifacts/contracts/BillRegistry.sol/BillRegistry.json",
        "templates/verify/page.html",
      ]);
      expect(pkg.files.filter((f) => f.endsWith(".ts") || f.startsWith("server/") || f.startsWith("test/"))).to.deep.equal([]);
      const manifest = JSON.parse(fs.readFileSync(path.join(pkg.dir, "package.json"), "utf8")) as {
        dependencies: Record<string, string>;
        devDependencies: Record<string, string>;
      };
      for (const dev of DEV_ONLY) {
        expect(manifest.dependencies, dev).not.to.have.property(dev);
        expect(manifest.devDependencies, dev).to.have.property(dev);
      }
    } finally {
      pkg.remove();
    }
  });

  it("starts on the embedded chain from a read-only directory, issues, anchors, renders and verifies a bill", async () => {
    const pkg = installPackage();
    try {
      const rpcPort = await freePort();
      const run = await runInstalled(pkg, { EMBEDDED_RPC_PORT: String(rpcPort) }, () => `http://127.0.0.1:${rpcPort}`);
      // one ready line with the URLs and where the credentials are; the keys themselves are not printed
      expect(run.stdout.split("\n").filter((l) => l.startsWith("lianpiao ready:"))).to.have.length(1);
      expect(run.ready).to.include(`chain JSON-RPC http://127.0.0.1:${rpcPort}`).and.include("/docs").and.include("demo-credentials.json");
      expect(run.stdout).not.to.include(run.creds.hospital.apiKey);
      expect(run.credsMode).to.equal(0o600);
      expect(run.pdf.subarray(0, 5).toString("latin1")).to.equal("%PDF-");
      expect(run.verify.code, run.verify.stderr).to.equal(0);
      expect(JSON.parse(run.verify.stdout).verdict).to.equal("VALID");
      // the compiled service: no TypeScript anywhere, the embedded chain's Hardhat loaded
      const loaded = packagesOf(run.serviceModules);
      for (const dev of DEV_ONLY) expect(loaded.has(dev), dev).to.equal(false);
      expect(run.serviceModules.some((m) => m.endsWith(".ts"))).to.equal(false);
      expect(loaded.has("hardhat")).to.equal(true);
      // lianpiao verify reads the chain over JSON-RPC: no Hardhat, no TypeScript
      const cli = packagesOf(run.verify.modules);
      for (const name of [...DEV_ONLY, "hardhat", "@nomicfoundation/edr"]) expect(cli.has(name), name).to.equal(false);
    } finally {
      pkg.remove();
    }
  });

  it("refuses to start in a read-only directory without DATA_DIR, naming the setting", async () => {
    const pkg = installPackage();
    const work = tempDir("lianpiao-run-");
    try {
      removeWritePermissions(pkg.dir);
      const prefix = readOnlyPrefix(pkg.dir, [work]);
      // the default DATA_DIR is ./data, inside the package here
      const env: NodeJS.ProcessEnv = { ...npmEnv(work), HOST: "127.0.0.1", PORT: String(await freePort()), EMBEDDED_RPC_PORT: "0" };
      delete env.DATA_DIR;
      const svc = start([...prefix, "npm", "start"], { cwd: pkg.dir, env });
      const code = await new Promise<number | null>((resolve) => svc.proc.once("exit", resolve));
      await svc.stop();
      expect(code).not.to.equal(0);
      expect(svc.output()).to.match(/lianpiao: DATA_DIR: \S+\/data is not a writable directory \(\w+\); set DATA_DIR to one/);
      expect(svc.output()).not.to.include("lianpiao ready:");
    } finally {
      restoreWritePermissions(pkg.dir);
      pkg.remove();
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  describe("against an external node, with Hardhat absent from the installation", () => {
    let node: ChainNode;
    before(async () => {
      node = await startAnvil({ blockTime: 1 });
    });
    after(async () => node?.stop());

    it("runs the service and lianpiao verify without loading Hardhat", async () => {
      const pkg = installPackage({ without: ["hardhat"] });
      try {
        expect(fs.existsSync(path.join(pkg.dir, "node_modules", "hardhat"))).to.equal(false);
        const run = await runInstalled(pkg, { RPC_URL: node.url, BOOTSTRAP: "dev" }, () => node.url);
        expect(run.ready).to.include(`chain JSON-RPC ${node.url}`);
        expect(run.verify.code, run.verify.stderr).to.equal(0);
        expect(JSON.parse(run.verify.stdout).verdict).to.equal("VALID");
        for (const modules of [run.serviceModules, run.verify.modules]) {
          const loaded = packagesOf(modules);
          for (const name of [...DEV_ONLY, "hardhat", "@nomicfoundation/edr"]) expect(loaded.has(name), name).to.equal(false);
        }
      } finally {
        pkg.remove();
      }
    });
  });
});
