/**
 * Reconciliation of claims in parts (docs/PROTOCOL.md §7, "Claims"), per relying party: for every bill
 * with claims in the store or on chain, the sum of each party's open claims in the store against the
 * sum of its BillClaimed less its ClaimReleased events under (issuer, leaf). A bill whose claim or
 * release is still being written (or was confirmed after the head the scan read) is counted in flight.
 */
import { getAddress } from "ethers";
import type { Db } from "../store/database";

interface ClaimEvent {
  name: string;
  leaf: string | null;
  account: string | null;
  party: string | null;
  data: string;
}

export interface ClaimsMismatch {
  type: "CLAIMS_MISMATCH";
  leaf: string;
  billId?: string;
  account: string;
  /** fen by party account */
  store: Record<string, number>;
  chain: Record<string, number>;
}

const key = (issuer: string, leaf: string) => `${getAddress(issuer)}:${leaf.toLowerCase()}`;

function chainSums(events: ClaimEvent[]): Map<string, { issuer: string; leaf: string; parties: Map<string, bigint> }> {
  const out = new Map<string, { issuer: string; leaf: string; parties: Map<string, bigint> }>();
  for (const e of events) {
    if ((e.name !== "BillClaimed" && e.name !== "ClaimReleased") || !e.account || !e.leaf || !e.party) continue;
    const k = key(e.account, e.leaf);
    const m = out.get(k) ?? { issuer: getAddress(e.account), leaf: e.leaf.toLowerCase(), parties: new Map() };
    const amount = BigInt((JSON.parse(e.data) as { amountFen: string }).amountFen);
    const party = getAddress(e.party);
    m.parties.set(party, (m.parties.get(party) ?? 0n) + (e.name === "BillClaimed" ? amount : -amount));
    out.set(k, m);
  }
  return out;
}

const nonZero = (m: Map<string, bigint>) => Object.fromEntries([...m].filter(([, v]) => v !== 0n).map(([p, v]) => [p, Number(v)]));

export async function compareClaims(db: Db, events: ClaimEvent[], scannedTo: number): Promise<{ checked: number; inFlight: number; out: ClaimsMismatch[] }> {
  const chain = chainSums(events);
  const rows = await db
    .selectFrom("claims")
    .innerJoin("bills", "bills.id", "claims.bill_id")
    .innerJoin("institutions as iss", "iss.id", "bills.institution_id")
    .innerJoin("institutions as rp", "rp.id", "claims.party_id")
    .select(["bills.id as bill_id", "bills.leaf", "iss.account as issuer", "rp.account as party", "claims.amount_fen", "claims.released_at"])
    .execute();
  const store = new Map<string, { billId: string; issuer: string; leaf: string; parties: Map<string, bigint> }>();
  for (const r of rows) {
    if (!r.issuer || !r.party) continue;
    const k = key(r.issuer, r.leaf);
    const m = store.get(k) ?? { billId: r.bill_id, issuer: getAddress(r.issuer), leaf: r.leaf.toLowerCase(), parties: new Map() };
    const party = getAddress(r.party);
    if (r.released_at === null) m.parties.set(party, (m.parties.get(party) ?? 0n) + BigInt(r.amount_fen));
    store.set(k, m);
  }
  const work = await db
    .selectFrom("outbox")
    .leftJoin("batches", "batches.id", "outbox.batch_id")
    .select(["outbox.bill_id"])
    .where("outbox.action", "in", ["claim", "release_claim"])
    .where((eb) => eb.or([eb("outbox.done_at", "is", null), eb("batches.block_number", ">", scannedTo)]))
    .execute();
  const open = new Set(work.map((w) => w.bill_id));
  const out: ClaimsMismatch[] = [];
  let inFlight = 0;
  for (const k of new Set([...chain.keys(), ...store.keys()])) {
    const s = store.get(k);
    const c = chain.get(k);
    if (s && open.has(s.billId)) {
      inFlight++;
      continue;
    }
    const sv = nonZero(s?.parties ?? new Map<string, bigint>());
    const cv = nonZero(c?.parties ?? new Map<string, bigint>());
    if (JSON.stringify(Object.entries(sv).sort()) !== JSON.stringify(Object.entries(cv).sort())) {
      out.push({ type: "CLAIMS_MISMATCH", leaf: (s ?? c)!.leaf, ...(s ? { billId: s.billId } : {}), account: (s ?? c)!.issuer, store: sv, chain: cv });
    }
  }
  return { checked: chain.size + [...store.keys()].filter((k) => !chain.has(k)).length, inFlight, out };
}
