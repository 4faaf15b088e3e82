// The chain layer's public surface: providers, the embedded chain, its RPC endpoint, registry bindings.
export { TEST_MNEMONIC, DEV_DERIVATION_PATH, DEV_ACCOUNT_BALANCE, devWallets, devWallet } from "./accounts";
export { openEmbeddedChain, EMBEDDED_CHAIN_ID, type EmbeddedChain, type EmbeddedChainOptions } from "./embedded";
export { ChainUnavailableError, EmbeddedChainError, RpcError, RPC_CODES } from "./errors";
export type { ChainUnavailableCode, EmbeddedChainErrorCode } from "./errors";
export { READ_METHODS, type Eip1193Provider } from "./methods";
export { connectRpc, withTimeout, asChainUnavailable, type ConnectOptions } from "./provider";
export {
  KIND_CODE,
  kindFromCode,
  loadRegistryArtifact,
  loadRegistryAbi,
  registryInterface,
  registryAt,
  decodeEvidence,
  readEvidence,
  registryErrorOf,
  type IssuerKind,
  type Evidence,
  type RegistryArtifact,
} from "./registry";
export { serveRpc, type RpcServer, type RpcServerOptions } from "./rpc-server";
