/**
 * JSON-RPC methods that read the chain without changing it. The embedded chain and the RPC server
 * both allow exactly these (plus `eth_sendRawTransaction`, which the embedded chain journals): every
 * other method could change state behind the journal's back (evm_*, hardhat_*), sign with keys the
 * node holds (eth_sendTransaction, eth_sign), or is costly for an open endpoint (debug_*).
 */
export const READ_METHODS: ReadonlySet<string> = new Set([
  "web3_clientVersion",
  "web3_sha3",
  "net_version",
  "net_listening",
  "net_peerCount",
  "eth_chainId",
  "eth_syncing",
  "eth_mining",
  "eth_accounts",
  "eth_blockNumber",
  "eth_gasPrice",
  "eth_maxPriorityFeePerGas",
  "eth_feeHistory",
  "eth_blobBaseFee",
  "eth_call",
  "eth_estimateGas",
  "eth_createAccessList",
  "eth_getBalance",
  "eth_getCode",
  "eth_getStorageAt",
  "eth_getTransactionCount",
  "eth_getProof",
  "eth_getBlockByNumber",
  "eth_getBlockByHash",
  "eth_getBlockTransactionCountByHash",
  "eth_getBlockTransactionCountByNumber",
  "eth_getTransactionByHash",
  "eth_getTransactionByBlockHashAndIndex",
  "eth_getTransactionByBlockNumberAndIndex",
  "eth_getTransactionReceipt",
  "eth_getLogs",
  // Filters live in the node's memory only; they change no chain state.
  "eth_newFilter",
  "eth_newBlockFilter",
  "eth_newPendingTransactionFilter",
  "eth_getFilterChanges",
  "eth_getFilterLogs",
  "eth_uninstallFilter",
]);

export const SEND_RAW_TRANSACTION = "eth_sendRawTransaction";

/** The minimal EIP-1193 shape the chain layer speaks. */
export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] | Record<string, unknown> }): Promise<unknown>;
}
