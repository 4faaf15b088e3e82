import { FetchRequest, JsonRpcProvider, Network, isError } from "ethers";
import { ChainUnavailableError } from "./errors";

export interface ConnectOptions {
  /** Per-request deadline (ms), for the chain-id probe and every later call. Default 10 s. */
  timeoutMs?: number;
  /** How often ethers polls for blocks and receipts (ms). Default 1 s. */
  pollingIntervalMs?: number;
}

/**
 * An ethers provider for an external node, set up against the pitfalls in FACTS.md: the network is
 * read once and then fixed (otherwise ethers retries detection forever while the node is down), no
 * call cache (a nonce read right after a send must be fresh), no batching (each batch waits 10 ms),
 * and a deadline on every HTTP request (ethers' default is 5 minutes).
 */
export async function connectRpc(url: string, options: ConnectOptions = {}): Promise<JsonRpcProvider> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const request = new FetchRequest(url);
  request.timeout = timeoutMs;
  const chainId = await withTimeout(probeChainId(request.clone()), timeoutMs, `eth_chainId at ${url}`);
  const network = Network.from(chainId);
  return new JsonRpcProvider(request, network, {
    staticNetwork: network,
    cacheTimeout: -1,
    batchMaxCount: 1,
    pollingInterval: options.pollingIntervalMs ?? 1000,
  });
}

async function probeChainId(request: FetchRequest): Promise<bigint> {
  request.body = { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] };
  request.setHeader("content-type", "application/json");
  const response = await request.send();
  response.assertOk();
  const body = response.bodyJson as { result?: string; error?: { message?: string } };
  if (typeof body.result !== "string") {
    throw new ChainUnavailableError("CHAIN_UNREACHABLE", `eth_chainId failed at ${request.url}: ${body.error?.message ?? "no result"}`, {
      url: request.url,
    });
  }
  return BigInt(body.result);
}

// Node's socket errors: the node is not there (as opposed to a node that answered with an error).
const SOCKET_ERRORS = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "ETIMEDOUT"]);

/**
 * The ChainUnavailableError for a failure that means "the chain could not be asked", or null for an
 * answer from the chain (a revert, a rejected transaction), which callers must handle as such.
 */
export function asChainUnavailable(err: unknown, what = "chain request"): ChainUnavailableError | null {
  if (err instanceof ChainUnavailableError) return err;
  if (isError(err, "TIMEOUT")) return new ChainUnavailableError("CHAIN_TIMEOUT", `${what} timed out`, { cause: err });
  if (isError(err, "NETWORK_ERROR") || isError(err, "SERVER_ERROR") || isSocketError(err)) {
    return new ChainUnavailableError("CHAIN_UNREACHABLE", `${what}: the node cannot be reached`, { cause: err });
  }
  return null;
}

function isSocketError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Object && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (SOCKET_ERRORS.has(String((e as { code?: unknown }).code))) return true;
  }
  return false;
}

/**
 * Settles like `promise`, but rejects with ChainUnavailableError("CHAIN_TIMEOUT") after `ms`, and turns
 * connection failures into ChainUnavailableError("CHAIN_UNREACHABLE"). The underlying request is not
 * cancelled (ethers cannot); its late outcome is ignored.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what = "chain request"): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ChainUnavailableError("CHAIN_TIMEOUT", `${what} did not answer within ${ms} ms`, { timeoutMs: ms })), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(asChainUnavailable(err, what) ?? err);
      },
    );
  });
}
