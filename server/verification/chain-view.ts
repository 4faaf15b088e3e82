/**
 * The registry reads a verifier needs, each under a deadline. A node that is down or slow rejects
 * with ChainUnavailableError, which the verifier turns into an `error` check (verdict ERROR).
 * Every read about a bill names the bill's own issuer account (docs/PROTOCOL.md §7).
 */
import type { Provider } from "ethers";
import { registryReads, withTimeout, type AllotmentRecord, type BillMarks, type Eip712DomainRecord, type Evidence, type IssuerRecord } from "../chain";

export type { BillMarks, IssuerRecord, AllotmentRecord, Eip712DomainRecord };

export interface ChainView {
  /** null when the node could not even be asked for it (the CLI with a dead --rpc) */
  chainId: number | null;
  registry: string;
  evidence(issuer: string, root: string, leaf: string, proof: string[], billCode: string, billNumber: string): Promise<Evidence>;
  issuerOf(account: string): Promise<IssuerRecord>;
  statusOf(issuer: string, leaf: string): Promise<BillMarks>;
  allotmentOf(billCode: string, billNumber: string): Promise<AllotmentRecord | null>;
  /** the registry's EIP-5267 domain: whose signatures it witnesses */
  domain(): Promise<Eip712DomainRecord>;
  /** keccak256 of the issuer's SM2 seal key at `block` (null: now), null when none recorded (docs/PROTOCOL.md §6.2) */
  sealKeyAt(issuer: string, block: number | null): Promise<string | null>;
  head(): Promise<number>;
}

/** A chain that cannot be reached: every read rejects with `err`, so every chain check says ERROR. */
export function unreachableChain(registry: string, err: Error, chainId: number | null = null): ChainView {
  const fail = () => Promise.reject(err);
  return { chainId, registry, evidence: fail, issuerOf: fail, statusOf: fail, allotmentOf: fail, domain: fail, sealKeyAt: fail, head: fail };
}

/** A ChainView over any ethers provider (the embedded chain's, or an RPC node's). */
export function chainView(provider: Provider, registry: string, chainId: number, timeoutMs = 8_000): ChainView {
  const reads = registryReads(provider, registry);
  const call = <T>(what: string, p: () => Promise<T>) => withTimeout(Promise.resolve().then(p), timeoutMs, what);
  return {
    chainId,
    registry,
    evidence: (issuer, root, leaf, proof, code, number) => call("registry evidence()", () => reads.evidence(issuer, root, leaf, proof, code, number)),
    issuerOf: (account) => call("registry issuerOf()", () => reads.issuerOf(account)),
    statusOf: (issuer, leaf) => call("registry statusOf()", () => reads.statusOf(issuer, leaf)),
    allotmentOf: (code, number) => call("registry allotmentOf()", () => reads.allotmentOf(code, number)),
    domain: () => call("registry eip712Domain()", () => reads.domain()),
    sealKeyAt: (issuer, block) => call("registry sealKeyAt()", () => reads.sealKeyAt(issuer, block)),
    head: () => call("eth_blockNumber", () => provider.getBlockNumber()),
  };
}
