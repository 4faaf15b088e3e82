/**
 * Entry point: config → system → listen; SIGINT/SIGTERM stop it gracefully.
 */
import fs from "node:fs";
import path from "node:path";
import { ConfigError, loadConfig, type Config } from "./config";
import { createLogger } from "./log";
import { listen, startSystem, type System } from "./system";

/** `lianpiao ready: <service> · docs <url> · chain JSON-RPC <url> · registry <address>[ · demo API keys in <file>]` */
function readyLine(cfg: Config, port: number, sys: Pick<System, "registry" | "demo" | "chain">): string {
  const host = cfg.host === "0.0.0.0" || cfg.host === "::" ? "localhost" : cfg.host.includes(":") ? `[${cfg.host}]` : cfg.host;
  const url = `http://${host}:${port}`;
  const rpc = sys.chain.rpcUrl ? `chain JSON-RPC ${sys.chain.rpcUrl}` : `chain JSON-RPC not served (port ${cfg.embeddedRpcPort} is taken)`;
  const parts = [`lianpiao ready: ${url}`, `docs ${url}/docs`, rpc, `registry ${sys.registry}`];
  if (sys.demo) parts.push(`demo API keys in ${path.join(cfg.dataDir, "demo-credentials.json")}`);
  return parts.join(" · ");
}

/**
 * DATA_DIR holds the SQLite store, the embedded chain's journal and the demo credentials. An
 * installation may be read-only, and the default (./data) is relative to where the service starts:
 * say which setting to change rather than fail later on some mkdir.
 */
function dataDirProblem(cfg: Config): string | null {
  const used = cfg.chainMode !== "external" || (!cfg.databaseUrl && path.dirname(cfg.sqlitePath) === cfg.dataDir);
  if (!used) return null;
  try {
    fs.mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
    fs.accessSync(cfg.dataDir, fs.constants.W_OK);
    return null;
  } catch (err) {
    return `DATA_DIR: ${cfg.dataDir} is not a writable directory (${(err as NodeJS.ErrnoException).code ?? String(err)}); set DATA_DIR to one`;
  }
}

async function main(): Promise<void> {
  let cfg;
  try {
    cfg = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`lianpiao: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const problem = dataDirProblem(cfg);
  if (problem) {
    console.error(`lianpiao: ${problem}`);
    process.exit(2);
  }
  const log = createLogger(cfg.logLevel);
  const sys = await startSystem(cfg, log);
  const server = await listen(sys);
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : cfg.port;
  log.info({ port, chain: cfg.chainMode, registry: sys.registry, rpcUrl: sys.chain.rpcUrl }, "lianpiao listening");
  // One line for the person at the terminal (the demo keys are in the credentials file, mode 0600).
  process.stdout.write(`${readyLine(cfg, port, sys)}\n`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    server.close();
    await sys.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err) => {
  console.error(`lianpiao: failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
