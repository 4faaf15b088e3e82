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
  registryErrorOf,
  type IssuerKind,
  type RegistryArtifact,
  type RegistryError,
} from "./registry";
export {
  registryReads,
  billCodeInt,
  billNumberInt,
  evidenceOf,
  marksOf,
  issuerRecordOf,
  batchRecordOf,
  allotmentRecordOf,
  type RegistryReads,
  type Evidence,
  type IssuerRecord,
  type BatchRecord,
  type BillMarks,
  type ClaimRecord,
  type AllotmentRecord,
  type Eip712DomainRecord,
} from "./registry-reads";
export { serveRpc, type RpcServer, type RpcServerOptions } from "./rpc-server";
