/**
 * Errors of the chain layer. Each carries a stable string `code` so that callers (the verifier, the
 * anchoring worker, the HTTP error catalogue) branch on the code, never on message text.
 */

/** A JSON-RPC / EIP-1193 error: a numeric `code` and optional `data` (e.g. revert data). */
export class RpcError extends Error {
  override readonly name = "RpcError";
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** JSON-RPC and EIP-1193 codes used here. */
export const RPC_CODES = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  /** Execution reverted (eth_call, eth_estimateGas); `data` holds the revert data. */
  reverted: 3,
  /** Generic server error; what nodes answer for a transaction they reject (nonce, funds). */
  rejected: -32000,
  /** EIP-1193: the provider does not support the method. */
  unsupportedMethod: 4200,
  /** EIP-1193: the provider is disconnected from all chains. */
  disconnected: 4900,
} as const;

export type ChainUnavailableCode = "CHAIN_UNREACHABLE" | "CHAIN_TIMEOUT";

/**
 * The chain could not be asked: the node is down, refused the connection or did not answer in time.
 * A verification that hits this reports ERROR, never INVALID (SPEC §4).
 */
export class ChainUnavailableError extends Error {
  override readonly name = "ChainUnavailableError";
  constructor(
    readonly code: ChainUnavailableCode,
    message: string,
    readonly info?: { url?: string; timeoutMs?: number; cause?: unknown },
  ) {
    super(message);
  }
}

export type EmbeddedChainErrorCode = "CHAIN_JOURNAL_LOCKED" | "CHAIN_CONFIG_CHANGED" | "CHAIN_REPLAY_DIVERGED" | "CHAIN_CLOSED";

/** The embedded chain could not be opened or replayed as recorded. */
export class EmbeddedChainError extends Error {
  override readonly name = "EmbeddedChainError";
  constructor(
    readonly code: EmbeddedChainErrorCode,
    message: string,
    readonly info?: Record<string, unknown>,
  ) {
    super(message);
  }
}
