/**
 * Entry point: config → system → listen; SIGINT/SIGTERM stop it gracefully.
 */
import { ConfigError, loadConfig } from "./config";
import { createLogger } from "./log";
import { listen, startSystem } from "./system";

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
  const log = createLogger(cfg.logLevel);
  const sys = await startSystem(cfg, log);
  const server = await listen(sys);
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : cfg.port;
  log.info({ port, chain: cfg.chainMode, registry: sys.registry, rpcUrl: sys.chain.rpcUrl }, "lianpiao listening");
  if (sys.demo) {
    // Printed once for the person at the terminal; the same keys are in DATA_DIR/demo-credentials.json.
    process.stdout.write(
      `\nlianpiao is running at http://localhost:${port}  (chain: ${cfg.chainMode}, registry ${sys.registry})\n` +
        // the keys are printed once, when they are made; afterwards they are only in the 0600 file
        (sys.demoKeysCreated
          ? `demo API keys (also in ${cfg.dataDir}/demo-credentials.json):\n` +
            (["hospital", "charity", "bureau", "insurer"] as const).map((r) => `  ${r.padEnd(9)} ${sys.demo![r].apiKey}`).join("\n")
          : `demo API keys: in ${cfg.dataDir}/demo-credentials.json`) +
        `\nAPI docs: http://localhost:${port}/docs\n\n`,
    );
  }
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
