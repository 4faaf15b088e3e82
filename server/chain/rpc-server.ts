import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { RPC_CODES } from "./errors";
import { READ_METHODS, SEND_RAW_TRANSACTION, type Eip1193Provider } from "./methods";

/**
 * Serves a chain's JSON-RPC over HTTP so that tools outside the process (the `lianpiao verify --rpc`
 * CLI, MetaMask, ethers) can read the embedded chain and submit signed transactions. Everything else
 * is refused with -32601: the endpoint must not let anyone rewrite history or sign with held keys.
 */

export interface RpcServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1: the embedded chain is a local witness, not a public node. */
  host?: string;
  /** Request bodies above this many bytes are refused with HTTP 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Batches longer than this are refused. Default 100. */
  maxBatch?: number;
}

export interface RpcServer {
  url: string;
  close(): Promise<void>;
}

type Id = string | number | null;
interface Reply {
  jsonrpc: "2.0";
  id: Id;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

const ALLOWED = new Set([...READ_METHODS, SEND_RAW_TRANSACTION]);

function failure(id: Id, code: number, message: string, data?: unknown): Reply {
  return { jsonrpc: "2.0", id, error: data === undefined ? { code, message } : { code, message, data } };
}

/** Turns a provider error into a JSON-RPC error object, keeping its code and data (revert data). */
function toReplyError(id: Id, err: unknown): Reply {
  const e = err as { code?: unknown; message?: unknown; data?: unknown };
  const code = Number.isInteger(e.code) ? (e.code as number) : RPC_CODES.internal;
  const message = typeof e.message === "string" ? e.message : "internal error";
  return failure(id, code, message, e.data);
}

async function handleOne(provider: Eip1193Provider, call: unknown): Promise<Reply | undefined> {
  if (typeof call !== "object" || call === null || Array.isArray(call)) {
    return failure(null, RPC_CODES.invalidRequest, "a request must be a JSON object");
  }
  const { jsonrpc, method, params, id } = call as Record<string, unknown>;
  const replyId: Id = typeof id === "string" || typeof id === "number" ? id : null;
  if (jsonrpc !== "2.0" || typeof method !== "string") {
    return failure(replyId, RPC_CODES.invalidRequest, 'a request needs "jsonrpc": "2.0" and a string "method"');
  }
  if (params !== undefined && !Array.isArray(params)) {
    return failure(replyId, RPC_CODES.invalidParams, "params must be an array");
  }
  const notification = !("id" in call);
  let reply: Reply;
  if (!ALLOWED.has(method)) {
    reply = failure(replyId, RPC_CODES.methodNotFound, `method ${method} is not available on this endpoint`);
  } else {
    try {
      reply = { jsonrpc: "2.0", id: replyId, result: (await provider.request({ method, params: params ?? [] })) ?? null };
    } catch (err) {
      reply = toReplyError(replyId, err);
    }
  }
  return notification ? undefined : reply;
}

async function handleBody(provider: Eip1193Provider, body: string, maxBatch: number): Promise<unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return failure(null, RPC_CODES.parseError, "the body is not valid JSON");
  }
  if (!Array.isArray(parsed)) return handleOne(provider, parsed);
  if (parsed.length === 0) return failure(null, RPC_CODES.invalidRequest, "an empty batch");
  if (parsed.length > maxBatch) return failure(null, RPC_CODES.invalidRequest, `a batch holds at most ${maxBatch} requests`);
  // In order, not in parallel: a batch of sends must reach the chain in the order given.
  const replies: Reply[] = [];
  for (const call of parsed) {
    const reply = await handleOne(provider, call);
    if (reply !== undefined) replies.push(reply);
  }
  return replies.length === 0 ? undefined : replies;
}

function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "access-control-allow-origin": "*" });
  res.end(payload === undefined ? "" : JSON.stringify(payload));
}

/** Serves `provider` at http://host:port/ until `close()`. */
export function serveRpc(provider: Eip1193Provider, options: RpcServerOptions): Promise<RpcServer> {
  const host = options.host ?? "127.0.0.1";
  const limit = options.maxBodyBytes ?? 1024 * 1024;
  const maxBatch = options.maxBatch ?? 100;
  const server = createServer((req, res) => {
    if (req.method === "OPTIONS") {
      // CORS preflight: browser wallets and dapps read a local chain from a page's origin.
      res.writeHead(204, {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": "POST, OPTIONS",
        "access-control-allow-headers": "content-type",
      });
      res.end();
      return;
    }
    if (req.method !== "POST") {
      send(res, 405, failure(null, RPC_CODES.invalidRequest, "JSON-RPC requests are POSTed"));
      return;
    }
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      send(res, 413, failure(null, RPC_CODES.invalidRequest, `the body exceeds ${limit} bytes`));
      req.resume();
      return;
    }
    readBody(req, limit)
      .then(async (body) => {
        if (body === null) return send(res, 413, failure(null, RPC_CODES.invalidRequest, `the body exceeds ${limit} bytes`));
        const payload = await handleBody(provider, body, maxBatch);
        send(res, payload === undefined ? 204 : 200, payload);
      })
      .catch((err: unknown) => {
        if (!res.headersSent) send(res, 500, failure(null, RPC_CODES.internal, (err as Error).message));
      });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
