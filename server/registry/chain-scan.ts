/**
 * Reads the registry's events (protocol v2: docs/PROTOCOL.md §7, contracts/IBillRegistry.sol) from the
 * chain into the chain_events table, in block ranges. The last scanned block is kept in settings
 * together with each range's events (one transaction), so a scan resumes where the previous one
 * stopped; a rescan starts over.
 */
import { getAddress, type Provider, type Log } from "ethers";
import type { Selectable } from "kysely";
import type { Db } from "../store/database";
import type { ChainEventsTable } from "../store/schema";
import { registryInterface } from "../chain";
import { getSetting, setSetting } from "../store/settings";

export const SCAN_CURSOR = "reconcile_scanned_block";
const SCAN_REGISTRY = "reconcile_registry";
/** first block to scan when nothing has been scanned yet (the registry's deployment block, if known) */
export const SCAN_FROM = "reconcile_from_block";

export interface ScanOptions {
  /** blocks per eth_getLogs request */
  chunk?: number;
  /** the newest block to read; default head − confirmations + 1 */
  confirmations?: number;
  rescan?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface ScanResult {
  from: number;
  to: number;
  head: number;
  events: number;
}

type EventRow = Selectable<ChainEventsTable>;

const hex = (v: unknown) => String(v).toLowerCase();
const address = (v: unknown) => getAddress(String(v));

/**
 * One registry v2 event as a row: the issuer account every fact is keyed by in `account`, the relying
 * party (marks) in `party`, roots and leaves lowercase, the rest in `data`. Events of other contracts
 * or unknown to this ABI are skipped.
 */
export function eventRow(log: Pick<Log, "topics" | "data" | "blockNumber" | "index" | "transactionHash">): EventRow | null {
  let parsed;
  try {
    parsed = registryInterface().parseLog({ topics: [...log.topics], data: log.data });
  } catch {
    return null;
  }
  if (!parsed) return null;
  // by field name, never by position
  const a: Record<string, unknown> = parsed.args.toObject();
  const base = {
    id: `${log.blockNumber}:${log.index}`,
    block_number: log.blockNumber,
    log_index: log.index,
    tx_hash: log.transactionHash,
    name: parsed.name,
    root: null,
    leaf: null,
    party: null,
  };
  const data = (v: Record<string, unknown>) => JSON.stringify(v);
  switch (parsed.name) {
    case "IssuerAdmitted":
      return {
        ...base,
        account: address(a.account),
        data: data({ kind: Number(a.kind), creditCodeHash: hex(a.creditCodeHash), registrar: address(a.registrar) }),
      };
    case "IssuerSuspended":
    case "IssuerReinstated":
      return { ...base, account: address(a.account), data: data({ registrar: address(a.registrar) }) };
    case "RangeAllotted":
      return {
        ...base,
        account: address(a.issuer),
        data: data({ billCode: String(a.billCode).padStart(8, "0"), first: Number(a.first), last: Number(a.last), registrar: address(a.registrar) }),
      };
    case "BatchAnchored":
      return { ...base, root: hex(a.root), account: address(a.issuer), data: data({ billCount: Number(a.billCount) }) };
    case "BillVoided":
      return { ...base, root: hex(a.root), leaf: hex(a.leaf), account: address(a.issuer), data: data({ reason: Number(a.reason) }) };
    case "BillReimbursed":
      return {
        ...base,
        root: hex(a.root),
        leaf: hex(a.leaf),
        account: address(a.issuer),
        party: address(a.party),
        data: data({ claimReference: hex(a.claimReference) }),
      };
    case "ReimbursementReleased":
      return { ...base, leaf: hex(a.leaf), account: address(a.issuer), party: address(a.party), data: "{}" };
    case "BillClaimed":
      return {
        ...base,
        root: hex(a.root),
        leaf: hex(a.leaf),
        account: address(a.issuer),
        party: address(a.party),
        data: data({ claimReference: hex(a.claimReference), amountFen: String(a.amountFen) }),
      };
    case "ClaimReleased":
      return {
        ...base,
        leaf: hex(a.leaf),
        account: address(a.issuer),
        party: address(a.party),
        data: data({ claimReference: hex(a.claimReference), amountFen: String(a.amountFen) }),
      };
    default:
      return null;
  }
}

async function startBlock(db: Db, registry: string, rescan: boolean): Promise<number> {
  const known = await getSetting(db, SCAN_REGISTRY);
  if (rescan || (known && known.toLowerCase() !== registry.toLowerCase())) {
    await db.deleteFrom("chain_events").execute();
    await db.deleteFrom("settings").where("key", "=", SCAN_CURSOR).execute();
  }
  await setSetting(db, SCAN_REGISTRY, registry);
  const cursor = await getSetting(db, SCAN_CURSOR);
  if (cursor !== undefined) return Number(cursor) + 1;
  return Number((await getSetting(db, SCAN_FROM)) ?? 0);
}

export async function scanRegistry(db: Db, provider: Provider, registry: string, o: ScanOptions = {}): Promise<ScanResult> {
  const chunk = o.chunk ?? 2_000;
  const head = await provider.getBlockNumber();
  const to = head - Math.max(1, o.confirmations ?? 1) + 1;
  const from = await startBlock(db, registry, o.rescan ?? false);
  let events = 0;
  for (let lo = from; lo <= to; lo += chunk) {
    const hi = Math.min(to, lo + chunk - 1);
    const logs = await provider.getLogs({ address: registry, fromBlock: lo, toBlock: hi });
    const rows = logs.map(eventRow).filter((r): r is EventRow => r !== null);
    await db.transaction().execute(async (trx) => {
      for (const r of rows)
        await trx
          .insertInto("chain_events")
          .values(r)
          .onConflict((oc) => oc.column("id").doNothing())
          .execute();
      await setSetting(trx, SCAN_CURSOR, String(hi));
    });
    events += rows.length;
    o.onProgress?.(hi - from + 1, to - from + 1);
  }
  return { from, to, head, events };
}
