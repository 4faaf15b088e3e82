/**
 * RPC errors and latency: wraps a JSON-RPC provider's transport so that every request the service
 * makes (anchoring, readiness, verification) is timed and its failures counted.
 */
import type { Provider } from "ethers";
import type { Metrics } from "./metrics";

type Payload = { method: string } | Array<{ method: string }>;
type Result = { error?: unknown };
type Sendable = { _send(payload: Payload): Promise<Result[]> };

function isSendable(p: unknown): p is Sendable {
  return typeof (p as { _send?: unknown })._send === "function";
}

/** Instruments `provider` in place when it speaks JSON-RPC; other providers are left as they are. */
export function instrumentRpc(provider: Provider, m: Metrics): void {
  if (!isSendable(provider)) return;
  const send = provider._send.bind(provider);
  provider._send = async (payload: Payload) => {
    const method = Array.isArray(payload) ? (payload.length === 1 ? payload[0].method : "batch") : payload.method;
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const results = await send(payload);
      m.rpcCall(method, seconds(), results.some((r) => r && r.error) ? "rpc" : null);
      return results;
    } catch (err) {
      m.rpcCall(method, seconds(), "transport");
      throw err;
    }
  };
}
