/**
 * The whole system in this process (embedded chain and SQLite in a temp dir) on an ephemeral port,
 * for tests that need the app object itself, such as its route table.
 */
import type { Server } from "node:http";
import pino from "pino";
import { loadConfig } from "../../server/config";
import { startSystem, type System } from "../../server/system";
import { tempDir } from "./processes";

export interface InProcess {
  sys: System;
  url: string;
  stop(): Promise<void>;
}

export async function startInProcess(env: Record<string, string> = {}): Promise<InProcess> {
  const cfg = loadConfig({ DATA_DIR: tempDir(), EMBEDDED_RPC_PORT: "0", PORT: "0", HOST: "127.0.0.1", ...env });
  const sys = await startSystem(cfg, pino({ level: "silent" }));
  const server: Server = await new Promise((resolve) => {
    const s = sys.app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const port = (server.address() as { port: number }).port;
  return {
    sys,
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await sys.stop();
    },
  };
}
