/**
 * The registry reads a verifier needs, each under a deadline. A node that is down or slow rejects
 * with ChainUnavailableError, which the verifier turns into an `error` check (verdict ERROR).
 */
import { getAddress, type Provider } from "ethers";
import { KIND_CODE, kindFromCode, readEvidence, registryAt, registryInterface, withTimeout, type Evidence, type IssuerKind } from "../chain";

export interface IssuerRecord {
  kind: IssuerKind | null;
  active: boolean;
  creditCodeHash: string | null;
}

export interface BillMarks {
  voided: boolean;
  voidReason: number;
  voidedAt: number | null;
  reimbursedBy: string | null;
  reimbursedAt: number | null;
}

export interface ChainView {
  /** null when the node could not even be asked for it (the CLI with a dead --rpc) */
  chainId: number | null;
  registry: string;
  evidence(root: string, leaf: string, proof: string[]): Promise<Evidence>;
  wasIssuerAt(account: string, kind: IssuerKind, blockNumber: number): Promise<boolean>;
  issuerOf(account: string): Promise<IssuerRecord>;
  statusOf(leaf: string): Promise<BillMarks>;
  head(): Promise<number>;
}

/** A chain that cannot be reached: every read rejects with `err`, so every chain check says ERROR. */
export function unreachableChain(registry: string, err: Error, chainId: number | null = null): ChainView {
  const fail = () => Promise.reject(err);
  return { chainId, registry, evidence: fail, wasIssuerAt: fail, issuerOf: fail, statusOf: fail, head: fail };
}

const ZERO_ADDRESS = `0x${"0".repeat(40)}`;
const ZERO_HASH = `0x${"0".repeat(64)}`;

const orNull = (v: unknown) => (String(v) === ZERO_ADDRESS || String(v) === ZERO_HASH || Number(v) === 0 ? null : v);

/** A ChainView over any ethers provider (the embedded chain's, or an RPC node's). */
export function chainView(provider: Provider, registry: string, chainId: number, timeoutMs = 8_000): ChainView {
  const contract = registryAt(registry, provider);
  const call = <T>(what: string, p: () => Promise<T>) => withTimeout(Promise.resolve().then(p), timeoutMs, what);
  return {
    chainId,
    registry,
    evidence: (root, leaf, proof) => call("registry evidence()", () => readEvidence(contract, root, leaf, proof)),
    wasIssuerAt: (account, kind, blockNumber) =>
      call("registry wasIssuerAt()", async () => Boolean(await contract.getFunction("wasIssuerAt").staticCall(account, KIND_CODE[kind], blockNumber))),
    issuerOf: (account) =>
      call("registry issuerOf()", async () => {
        const r = await contract.getFunction("issuerOf").staticCall(account);
        return { kind: kindFromCode(r[0]), active: Boolean(r[1]), creditCodeHash: orNull(String(r[3])) as string | null };
      }),
    // statusOf is read at nearly every scan: encoded and decoded by hand (decodeMarks), not through Contract
    statusOf: (leaf) =>
      call("registry statusOf()", async () => {
        if (!/^0x[0-9a-fA-F]{64}$/.test(leaf)) throw new TypeError(`leaf must be 32-byte hex: ${leaf}`);
        return decodeMarks(await provider.call({ to: registry, data: `${STATUS_OF}${leaf.slice(2)}` }));
      }),
    head: () => call("eth_blockNumber", () => provider.getBlockNumber()),
  };
}

const STATUS_OF = registryInterface().getFunction("statusOf")!.selector;
const UINT40 = (1n << 40n) - 1n;

/**
 * statusOf()'s answer: five 32-byte words (bool voided, uint8 voidReason, uint40 voidedAt, address
 * reimbursedBy, uint40 reimbursedAt), read as the ABI decoder reads them (high bits masked). Anything
 * else (a revert's data, a short answer) goes to the ABI decoder, which throws as before.
 */
export function decodeMarks(data: string): BillMarks {
  // an address word with high bits set is refused by the ABI decoder: left to it, to throw as before
  if (!/^0x[0-9a-fA-F]{320}$/.test(data) || !/^0{24}$/.test(data.slice(194, 218))) {
    const r = registryInterface().decodeFunctionResult("statusOf", data)[0];
    return {
      voided: Boolean(r[0]),
      voidReason: Number(r[1]),
      voidedAt: orNull(Number(r[2])) as number | null,
      reimbursedBy: orNull(String(r[3])) as string | null,
      reimbursedAt: orNull(Number(r[4])) as number | null,
    };
  }
  const word = (i: number) => BigInt(`0x${data.slice(2 + 64 * i, 66 + 64 * i)}`);
  const by = word(3);
  return {
    voided: word(0) !== 0n,
    voidReason: Number(word(1) & 0xffn),
    voidedAt: orNull(Number(word(2) & UINT40)) as number | null,
    reimbursedBy: by === 0n ? null : getAddress(`0x${by.toString(16).padStart(40, "0")}`),
    reimbursedAt: orNull(Number(word(4) & UINT40)) as number | null,
  };
}
