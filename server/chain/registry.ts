import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Contract, Interface, type ContractRunner, type InterfaceAbi } from "ethers";

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

/** A custom error of the registry (or of AccessControl), with its arguments by name. */
export interface RegistryError {
  name: string;
  args: Record<string, unknown>;
}

/** Revert data in an error of ethers or of the node, however deep it sits. */
function revertData(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e instanceof Object && depth < 6; depth++) {
    const o = e as { data?: unknown; error?: unknown; info?: { error?: unknown }; cause?: unknown };
    if (typeof o.data === "string" && /^0x[0-9a-fA-F]{8}/.test(o.data)) return o.data;
    if (o.data instanceof Object && typeof (o.data as { data?: unknown }).data === "string") return (o.data as { data: string }).data;
    e = o.error ?? o.info?.error ?? o.cause;
  }
  return null;
}

/**
 * The registry's custom error behind a failed call or send (`{ name: "BillRegistryRootAlreadyAnchored",
 * args: { issuer, root } }`), or null when `err` carries no revert data the registry knows. Told apart
 * by the error's selector, never by message text.
 */
export function registryErrorOf(err: unknown): RegistryError | null {
  const data = revertData(err);
  if (data === null) return null;
  const parsed = registryInterface().parseError(data);
  if (parsed === null) return null;
  const args: Record<string, unknown> = {};
  for (const [i, input] of parsed.fragment.inputs.entries()) args[input.name || String(i)] = parsed.args[i] as unknown;
  return { name: parsed.name, args };
}
