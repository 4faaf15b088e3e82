/**
 * The registry's reads as plain typed values (docs/PROTOCOL.md §7), decoded by field name from the
 * ABI, never by position. Zero addresses and zero times of absent records become null, so callers test
 * `batch === null` or `reimbursedBy === null`, not against zero values.
 */
import { getAddress, type Provider, type Result } from "ethers";
import { KIND_CODE, kindFromCode, registryAt, registryInterface, type IssuerKind } from "./registry";

export interface IssuerRecord {
  kind: IssuerKind | null;
  active: boolean;
  /** block of admission; null for an account never admitted */
  admittedAt: number | null;
  creditCodeHash: string | null;
}

/** An issuer's record of a root it anchored. */
export interface BatchRecord {
  blockNumber: number;
  /** block time, unix seconds */
  timestamp: number;
  billCount: number;
}

export interface BillMarks {
  voided: boolean;
  voidReason: number;
  voidedAt: number | null;
  reimbursedBy: string | null;
  reimbursedAt: number | null;
  /** the sum of the open claims, in fen (docs/PROTOCOL.md §7, "Claims") */
  claimedFen: bigint;
  /** the claimable amount proven by the first claim; 0n before any claim */
  capFen: bigint;
  claimCount: number;
}

/** One open claim on a bill, as the registry holds it. */
export interface ClaimRecord {
  party: string;
  amountFen: bigint;
  /** block time, unix seconds */
  claimedAt: number;
  claimReference: string;
}

export interface AllotmentRecord {
  issuer: string;
  /** the 8-digit bill code */
  billCode: string;
  first: number;
  last: number;
  allottedAt: number;
}

/** What the registry says about one bill under its issuer, in one call. */
export interface Evidence {
  /** null when the issuer never anchored the root */
  batch: BatchRecord | null;
  status: BillMarks;
  issuer: IssuerRecord;
  included: boolean;
  activeAtAnchor: boolean;
  allottedAtAnchor: boolean;
}

export interface Eip712DomainRecord {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}

const ZERO_ADDRESS = `0x${"0".repeat(40)}`;
const ZERO_HASH = `0x${"0".repeat(64)}`;
const orNullAddress = (v: unknown) => (String(v) === ZERO_ADDRESS ? null : getAddress(String(v)));
const orNullTime = (v: unknown) => (Number(v) === 0 ? null : Number(v));

/** The 8-digit bill code and 10-digit bill number as the registry's integers. */
export const billCodeInt = (code: string): number => {
  if (!/^\d{8}$/.test(code)) throw new TypeError(`a bill code is 8 digits: ${code}`);
  return Number(code);
};
export const billNumberInt = (number: string): bigint => {
  if (!/^\d{10}$/.test(number)) throw new TypeError(`a bill number is 10 digits: ${number}`);
  return BigInt(number);
};

type Fields = Record<string, unknown>;

export function issuerRecordOf(r: Fields): IssuerRecord {
  const kind = kindFromCode(r.kind as bigint);
  return {
    kind,
    active: Boolean(r.active),
    admittedAt: kind === null ? null : Number(r.admittedAt),
    creditCodeHash: r.creditCodeHash === ZERO_HASH ? null : String(r.creditCodeHash),
  };
}

export function batchRecordOf(r: Fields): BatchRecord | null {
  return Number(r.blockNumber) === 0 ? null : { blockNumber: Number(r.blockNumber), timestamp: Number(r.timestamp), billCount: Number(r.billCount) };
}

export function marksOf(r: Fields): BillMarks {
  return {
    voided: Boolean(r.voided),
    voidReason: Number(r.voidReason),
    voidedAt: orNullTime(r.voidedAt),
    reimbursedBy: orNullAddress(r.reimbursedBy),
    reimbursedAt: orNullTime(r.reimbursedAt),
    claimedFen: BigInt((r.claimedFen as bigint | undefined) ?? 0n),
    capFen: BigInt((r.capFen as bigint | undefined) ?? 0n),
    claimCount: Number(r.claimCount ?? 0),
  };
}

export function allotmentRecordOf(r: Fields): AllotmentRecord | null {
  if (String(r.issuer) === ZERO_ADDRESS) return null;
  return {
    issuer: getAddress(String(r.issuer)),
    billCode: String(r.billCode).padStart(8, "0"),
    first: Number(r.first),
    last: Number(r.last),
    allottedAt: Number(r.allottedAt),
  };
}

export function evidenceOf(r: Fields): Evidence {
  return {
    batch: batchRecordOf(r.batch as Fields),
    status: marksOf(r.status as Fields),
    issuer: issuerRecordOf(r.issuer as Fields),
    included: Boolean(r.included),
    activeAtAnchor: Boolean(r.activeAtAnchor),
    allottedAtAnchor: Boolean(r.allottedAtAnchor),
  };
}

/** The one struct a view function returns, as an object keyed by field names (nested structs too). */
async function readStruct(call: Promise<Result>): Promise<Fields> {
  return ((await call)[0] as Result).toObject(true);
}

export interface RegistryReads {
  evidence(issuer: string, root: string, leaf: string, proof: string[], billCode: string, billNumber: string): Promise<Evidence>;
  statusOf(issuer: string, leaf: string): Promise<BillMarks>;
  issuerOf(account: string): Promise<IssuerRecord>;
  batchOf(issuer: string, root: string): Promise<BatchRecord | null>;
  allotmentOf(billCode: string, billNumber: string): Promise<AllotmentRecord | null>;
  wasIssuerAt(account: string, kind: IssuerKind, blockNumber: number): Promise<boolean>;
  hasRole(role: string, account: string): Promise<boolean>;
  domain(): Promise<Eip712DomainRecord>;
  claimsOf(issuer: string, leaf: string): Promise<ClaimRecord[]>;
  /** keccak256 of the issuer's SM2 seal key in force at `blockNumber` (null: the latest), or null when none was recorded */
  sealKeyAt(issuer: string, blockNumber: number | null): Promise<string | null>;
}

// "the key in force now": sealKeyAt with the largest block number takes the newest key
const LATEST = (1n << 256n) - 1n;

/** Typed reads of the registry at `address` (each one eth_call, through `provider`). */
export function registryReads(provider: Provider, address: string): RegistryReads {
  const c = registryAt(address, provider);
  const fn = (name: string) => c.getFunction(name);
  return {
    evidence: async (issuer, root, leaf, proof, code, number) =>
      evidenceOf(await readStruct(fn("evidence").staticCallResult(issuer, root, leaf, proof, billCodeInt(code), billNumberInt(number)))),
    statusOf: async (issuer, leaf) => marksOf(await readStruct(fn("statusOf").staticCallResult(issuer, leaf))),
    issuerOf: async (account) => issuerRecordOf(await readStruct(fn("issuerOf").staticCallResult(account))),
    batchOf: async (issuer, root) => batchRecordOf(await readStruct(fn("batchOf").staticCallResult(issuer, root))),
    allotmentOf: async (code, number) => allotmentRecordOf(await readStruct(fn("allotmentOf").staticCallResult(billCodeInt(code), billNumberInt(number)))),
    claimsOf: async (issuer, leaf) => {
      const list = (await fn("claimsOf").staticCallResult(issuer, leaf))[0] as Result;
      return [...list].map((c) => {
        const o = (c as Result).toObject();
        return {
          party: getAddress(String(o.party)),
          amountFen: BigInt(o.amountFen as bigint),
          claimedAt: Number(o.claimedAt),
          claimReference: String(o.claimReference),
        };
      });
    },
    wasIssuerAt: async (account, kind, block) => Boolean(await fn("wasIssuerAt").staticCall(account, KIND_CODE[kind], block)),
    hasRole: async (role, account) => Boolean(await fn("hasRole").staticCall(role, account)),
    sealKeyAt: async (issuer, block) => {
      const h = String(await fn("sealKeyAt").staticCall(issuer, block === null ? LATEST : block));
      return h === ZERO_HASH ? null : h;
    },
    domain: async () => {
      const d: Fields = (await fn("eip712Domain").staticCallResult()).toObject();
      return {
        name: String(d.name),
        version: String(d.version),
        chainId: BigInt(d.chainId as bigint),
        verifyingContract: getAddress(String(d.verifyingContract)),
      };
    },
  };
}

export { registryInterface };
