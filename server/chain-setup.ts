/**
 * Connects the chain the configuration names: the embedded EVM (with its JSON-RPC served for outside
 * tools), a development node to bootstrap, or a production node with a deployed registry.
 */
import type { Provider } from "ethers";
import type { Logger } from "pino";
import type { Config } from "./config";
import { connectRpc, openEmbeddedChain, serveRpc } from "./chain";

export interface ChainHandle {
  provider: Provider;
  chainId: number;
  /** a JSON-RPC URL outside tools can read the chain at */
  rpcUrl: string;
  close(): Promise<void>;
}

export async function openChain(cfg: Config, log: Logger): Promise<ChainHandle> {
  if (cfg.chainMode === "embedded") {
    const chain = await openEmbeddedChain({ dataDir: cfg.dataDir, pollingIntervalMs: 50 });
    log.info({ replayed: chain.replay.entries, ms: chain.replay.ms }, "embedded chain ready");
    let rpc: { url: string; close(): Promise<void> } | null = null;
    try {
      rpc = await serveRpc(chain.provider, { port: cfg.embeddedRpcPort, host: "127.0.0.1" });
    } catch (err) {
      // Another instance may hold the port (tests run several): the service works without it.
      log.warn({ err: String(err), port: cfg.embeddedRpcPort }, "embedded chain JSON-RPC not served");
    }
    return {
      provider: chain.ethersProvider(),
      chainId: chain.chainId,
      rpcUrl: rpc?.url ?? "",
      close: async () => {
        await rpc?.close();
        await chain.close();
      },
    };
  }
  const provider = await connectRpc(cfg.rpcUrl as string, { timeoutMs: cfg.rpcTimeoutMs, pollingIntervalMs: 250 });
  const network = await provider.getNetwork();
  return { provider, chainId: Number(network.chainId), rpcUrl: cfg.rpcUrl as string, close: async () => provider.destroy() };
}
