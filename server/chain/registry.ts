import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Contract, Interface, ZeroAddress, type ContractRunner, type InterfaceAbi } from "ethers";

/** `IBillRegistry.Kind` codes; 0 is None (never admitted). */
export const KIND_CODE = { medical: 1, donation: 2 } as const;
export type IssuerKind = keyof typeof KIND_CODE;

export function kindFromCode(code: number | bigint): IssuerKind | null {
  switch (Number(code)) {
    case KIND_CODE.medical:
      return "medical";
    case KIND_CODE.donation:
      return "donation";
    default:
      return null;
  }
}

export interface RegistryArtifact {
  abi: InterfaceAbi;
  bytecode: string;
}

const ARTIFACT = join("artifacts", "contracts", "BillRegistry.sol", "BillRegistry.json");
let artifact: RegistryArtifact | undefined;
let iface: Interface | undefined;

/** Finds the artifact from this file upwards, so the lookup works from sources and from a build dir. */
function artifactPath(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, ARTIFACT);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) {
      throw new Error(`${ARTIFACT} not found above ${__dirname}: run \`npx hardhat compile\` first`);
    }
  }
}

/** The compiled registry (ABI and creation bytecode), read once per process. */
export function loadRegistryArtifact(): RegistryArtifact {
  if (artifact === undefined) {
    const json = JSON.parse(readFileSync(artifactPath(), "utf8")) as RegistryArtifact;
    artifact = { abi: json.abi, bytecode: json.bytecode };
  }
  return artifact;
}

export function loadRegistryAbi(): InterfaceAbi {
  return loadRegistryArtifact().abi;
}

/** The registry's ethers Interface (also decodes its custom errors). */
export function registryInterface(): Interface {
  iface ??= new Interface(loadRegistryAbi());
  return iface;
}

/** The registry at `address`; `runner` is a provider for reads or a signer for writes. */
export function registryAt(address: string, runner: ContractRunner | null = null): Contract {
  return new Contract(address, registryInterface(), runner);
}

/**
 * The registry's custom error behind a failed call or send (`{ name: "BillRegistryRootAlreadyAnchored",
 * args }`), or null when `err` carries no revert data the registry knows. ethers decodes reverts of
 * static calls only; a send fails in gas estimation with the raw data, which this reads.
 */
export function registryErrorOf(err: unknown): { name: string; args: unknown[] } | null {
  const e = err as { revert?: { name?: unknown; args?: unknown[] } | null; data?: unknown };
  if (e?.revert && typeof e.revert.name === "string") return { name: e.revert.name, args: [...(e.revert.args ?? [])] };
  if (typeof e?.data !== "string" || e.data.length < 10) return null;
  const parsed = registryInterface().parseError(e.data);
  return parsed === null ? null : { name: parsed.name, args: parsed.args.toArray() };
}

/**
 * What the registry says about one bill, as plain values. Zero addresses and zero times of absent
 * records become null, so callers test `batch.issuer === null`, not against the zero address.
 */
export interface Evidence {
  batch: { issuer: string | null; blockNumber: number; timestamp: number; billCount: number };
  status: {
    voided: boolean;
    voidReason: number;
    voidedAt: number | null;
    reimbursedBy: string | null;
    reimbursedAt: number | null;
  };
  issuer: { kind: IssuerKind | null; active: boolean; admittedAt: number | null; creditCodeHash: string | null };
  included: boolean;
}

const ZERO_HASH = `0x${"0".repeat(64)}`;

function address(value: unknown): string | null {
  const text = String(value);
  return text === ZeroAddress ? null : text;
}

function time(value: unknown): number | null {
  const n = Number(value);
  return n === 0 ? null : n;
}

/** Decodes the result of `evidence(root, leaf, proof)` (an ethers Result or plain arrays). */
export function decodeEvidence(result: ArrayLike<unknown>): Evidence {
  const [batch, status, issuer, included] = [result[0], result[1], result[2], result[3]] as [
    ArrayLike<unknown>,
    ArrayLike<unknown>,
    ArrayLike<unknown>,
    unknown,
  ];
  const kind = kindFromCode(issuer[0] as bigint);
  return {
    batch: {
      issuer: address(batch[0]),
      blockNumber: Number(batch[1]),
      timestamp: Number(batch[2]),
      billCount: Number(batch[3]),
    },
    status: {
      voided: Boolean(status[0]),
      voidReason: Number(status[1]),
      voidedAt: time(status[2]),
      reimbursedBy: address(status[3]),
      reimbursedAt: time(status[4]),
    },
    issuer: {
      kind,
      active: Boolean(issuer[1]),
      admittedAt: kind === null ? null : Number(issuer[2]),
      creditCodeHash: issuer[3] === ZERO_HASH ? null : String(issuer[3]),
    },
    included: Boolean(included),
  };
}

/** One `eth_call` that gathers a verifier's evidence for `leaf` under `root`. */
export async function readEvidence(registry: Contract, root: string, leaf: string, proof: string[]): Promise<Evidence> {
  const result = (await registry.getFunction("evidence").staticCall(root, leaf, proof)) as ArrayLike<unknown>;
  return decodeEvidence(result);
}
