/**
 * Real processes for tests: a `hardhat node` and the lianpiao service, each on a free port, stopped
 * after the suite. Nothing here mocks a part of the system.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, waitFor } from "../../scripts/lib/net";
import type { DemoCredentials } from "../../server/registry/demo-bootstrap";

export const ROOT = path.join(__dirname, "..", "..");

export { freePort, waitFor };

export function tempDir(prefix = "lianpiao-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface ChainNode {
  url: string;
  port: number;
  proc: ChildProcess;
  stop(): Promise<void>;
}

async function rpcAnswers(url: string): Promise<boolean> {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  return r.ok;
}

function stopProc(proc: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once("exit", () => resolve());
    proc.kill(signal);
    setTimeout(() => proc.kill("SIGKILL"), 5000).unref();
  });
}

/** A `hardhat node` process; intervalMs > 0 turns automine off for real block times. */
export async function startHardhatNode(opts: { intervalMs?: number; port?: number } = {}): Promise<ChainNode> {
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const cli = require.resolve("hardhat/internal/cli/cli.js");
  const proc = spawn(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    stdio: "ignore",
    env: { ...process.env, ...(opts.intervalMs ? { HARDHAT_INTERVAL_MS: String(opts.intervalMs) } : {}) },
  });
  await waitFor(`hardhat node at ${url}`, async () => {
    if (proc.exitCode !== null) throw new Error(`hardhat node exited with ${proc.exitCode}`);
    return rpcAnswers(url);
  });
  return { url, port, proc, stop: () => stopProc(proc) };
}

/** The anvil binary of this platform from @foundry-rs/anvil's optional package, else its node wrapper. */
function anvilBinary(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  try {
    const pkg = require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/package.json`, { paths: [ROOT] });
    const bin = path.join(path.dirname(pkg), "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
    if (fs.existsSync(bin)) return bin;
  } catch {
    // no platform package: fall through to the wrapper
  }
  return path.join(ROOT, "node_modules", ".bin", "anvil");
}

export interface AnvilOptions {
  /** EVM hardfork, e.g. "london", "paris", "cancun"; undefined or "latest" for anvil's latest. */
  hardfork?: string;
  /** Seconds between blocks (interval mining); automine (a block per transaction) when unset. */
  blockTime?: number;
  /**
   * A free-gas chain, as Besu networks with `zeroBaseFee` and `--min-gas-price=0` are: base fee 0
   * (`--base-fee 0`, kept there by blocks under the gas target), eth_gasPrice 0 (`--gas-price 0` and
   * `--disable-min-priority-fee`, without which anvil still suggests a 1 gwei tip). Transactions with
   * maxFeePerGas = maxPriorityFeePerGas = 0 are then accepted from accounts holding no ether.
   */
  gasPrice0?: boolean;
  port?: number;
}

/**
 * An anvil node (Foundry, npm @foundry-rs/anvil) on 127.0.0.1: chain id 31337, the 10 accounts of the
 * standard test mnemonic ("test test ... junk", anvil's default) funded with 10,000 ETH each.
 */
export async function startAnvil(opts: AnvilOptions = {}): Promise<ChainNode> {
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const args = ["--host", "127.0.0.1", "--port", String(port)];
  if (opts.hardfork !== undefined && opts.hardfork !== "latest") args.push("--hardfork", opts.hardfork);
  if (opts.blockTime !== undefined) args.push("--block-time", String(opts.blockTime));
  if (opts.gasPrice0) args.push("--base-fee", "0", "--gas-price", "0", "--disable-min-priority-fee");
  const proc = spawn(anvilBinary(), args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (b: Buffer) => (out = (out + b.toString()).slice(-4000));
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  try {
    await waitFor(`anvil at ${url}`, async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`anvil ${args.join(" ")} exited (${proc.exitCode ?? proc.signalCode}):\n${out}`);
      return rpcAnswers(url);
    });
  } catch (err) {
    await stopProc(proc);
    throw err;
  }
  return { url, port, proc, stop: () => stopProc(proc) };
}

export interface ServiceProcess {
  url: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  output(): string;
  credentials(): DemoCreds;
  stop(signal?: NodeJS.Signals): Promise<void>;
  exited: Promise<number | null>;
}

/** DATA_DIR/demo-credentials.json, as the service writes it. */
export type DemoCreds = DemoCredentials;

/** Starts `server/main.ts` as its own process and waits until it answers /healthz. */
export async function startService(env: Record<string, string | undefined>, opts: { dataDir?: string; waitReady?: boolean } = {}): Promise<ServiceProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const dataDir = opts.dataDir ?? tempDir();
  const proc = spawn(process.execPath, ["-r", "./scripts/register.js", "server/main.ts"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    // bound to loopback like a test should be (and /metrics then needs no token); a test may set HOST
    env: { ...process.env, LOG_LEVEL: "info", EMBEDDED_RPC_PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, ...env, PORT: String(port) },
  });
  let out = "";
  proc.stdout?.on("data", (b) => (out += b));
  proc.stderr?.on("data", (b) => (out += b));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  if (opts.waitReady !== false) {
    await waitFor(
      `service at ${url}`,
      async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`service exited (${proc.exitCode ?? proc.signalCode}):\n${out.slice(-3000)}`);
        return (await fetch(`${url}/healthz`)).ok;
      },
      90_000,
    );
  }
  return {
    url,
    port,
    dataDir,
    proc,
    exited,
    output: () => out,
    credentials: () => JSON.parse(fs.readFileSync(path.join(dataDir, "demo-credentials.json"), "utf8")) as DemoCreds,
    stop: (signal: NodeJS.Signals = "SIGTERM") => stopProc(proc, signal),
  };
}
