/**
 * The processes a run measures: the service (dist/server/main.js, as `npm start` runs it) and a `hardhat node`, each its own
 * process on a free loopback port, logging to a file, stopped by the run that started them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, waitFor as waitUntil } from "../lib/net";

export const ROOT = path.join(__dirname, "..", "..");

export { freePort, waitUntil };

export function tempDir(prefix = "lianpiao-bench-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Proc {
  url: string;
  port: number;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

function stopProc(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once("exit", () => resolve());
    proc.kill("SIGTERM");
    setTimeout(() => proc.kill("SIGKILL"), 15_000).unref();
  });
}

interface SpawnSpec {
  name: string;
  args: string[];
  env: Record<string, string>;
  dir: string;
  ready: (url: string) => Promise<boolean>;
  timeoutMs: number;
}

async function spawnProc(spec: SpawnSpec, port: number): Promise<Proc> {
  fs.mkdirSync(spec.dir, { recursive: true });
  const logFile = path.join(spec.dir, `${spec.name}.log`);
  const out = fs.openSync(logFile, "a");
  const proc = spawn(process.execPath, spec.args, { cwd: ROOT, stdio: ["ignore", out, out], env: { ...process.env, ...spec.env } });
  fs.closeSync(out);
  const url = `http://127.0.0.1:${port}`;
  const handle: Proc = { url, port, pid: proc.pid as number, logFile, stop: () => stopProc(proc) };
  try {
    await waitUntil(
      `${spec.name} at ${url}`,
      async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) {
          throw new Error(`${spec.name} exited (${proc.exitCode ?? proc.signalCode}):\n${fs.readFileSync(logFile, "utf8").slice(-2000)}`);
        }
        return spec.ready(url);
      },
      spec.timeoutMs,
    );
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}

export interface ServiceOptions {
  dataDir: string;
  env?: Record<string, string>;
  /** extra node flags, e.g. --cpu-prof */
  nodeArgs?: string[];
}

/**
 * The node flags and entry of `npm start` (package.json), e.g. ["--max-old-space-size=…", "dist/server/main.js"]:
 * the bench measures the compiled service exactly as it is started (`npm run prebench` builds it).
 */
export function startCommand(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } };
  const [node, ...args] = pkg.scripts.start.trim().split(/\s+/);
  if (node !== "node" || !args.at(-1)?.endsWith(".js")) throw new Error(`package.json start is not "node [flags] <file.js>": ${pkg.scripts.start}`);
  return args;
}

/** The service as `npm start` runs it (without the build step), on a free loopback port. */
export async function startService(opts: ServiceOptions): Promise<Proc> {
  const port = await freePort();
  const env = {
    LOG_LEVEL: "info",
    HOST: "127.0.0.1",
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    EMBEDDED_RPC_PORT: "0",
    DATA_DIR: opts.dataDir,
    ...(opts.env ?? {}),
  };
  const [entry, ...flags] = startCommand().reverse();
  const args = [...flags.reverse(), ...(opts.nodeArgs ?? []), entry];
  const ready = async (url: string) => (await fetch(`${url}/healthz`)).ok;
  return spawnProc({ name: "service", args, env, dir: opts.dataDir, ready, timeoutMs: 120_000 }, port);
}

/** A `hardhat node` that mines a block every `intervalMs` (automine off), or with 0 one block per transaction (automine). */
export async function startHardhatNode(dir: string, intervalMs: number): Promise<Proc> {
  const port = await freePort();
  const cli = require.resolve("hardhat/internal/cli/cli.js");
  const ready = async (url: string) => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
    return (await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body })).ok;
  };
  const args = [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)];
  return spawnProc({ name: "hardhat-node", args, env: intervalMs > 0 ? { HARDHAT_INTERVAL_MS: String(intervalMs) } : {}, dir, ready, timeoutMs: 90_000 }, port);
}

/**
 * The baselines: a bare Express app answering a fixed JSON document, and 201 with a body of
 * `issueAnswerBytes` to a parsed JSON POST (bare-express.ts).
 */
export async function startBareExpress(dir: string, issueAnswerBytes = 400): Promise<Proc> {
  const port = await freePort();
  const ready = async (url: string) => (await fetch(`${url}/fixed`)).ok;
  const args = ["-r", "./scripts/register.js", path.join("scripts", "bench", "bare-express.ts")];
  return spawnProc(
    { name: "bare-express", args, env: { PORT: String(port), ISSUE_ANSWER_BYTES: String(issueAnswerBytes) }, dir, ready, timeoutMs: 60_000 },
    port,
  );
}
