/**
 * The store as the verifier sees it: a bill's void and reimbursement state, whether an account is an
 * admitted issuer, and names for chain accounts. Queries throw when the database is unreachable;
 * the verifier turns that into ERROR.
 */
import type { AnchorProof } from "../issuance/model";
import type { Db } from "../store/database";
import type { BillRow } from "../store/schema";
import { Lru } from "./cache";
import type { StoreState, StoreView } from "./types";
import { isoTime } from "../format/time";

export async function findByNumber(db: Db, billCode: string, billNumber: string): Promise<BillRow | undefined> {
  return db.selectFrom("bills").selectAll().where("bill_code", "=", billCode).where("bill_number", "=", billNumber).executeTakeFirst();
}

/** A bill and its batch's anchor columns, in one query (the QR scan's only store read). */
export interface ScannedBill {
  row: BillRow;
  batch: { root: string; txHash: string | null; blockNumber: number | null; confirmed: boolean } | null;
}

export async function findBillForScan(db: Db, id: string): Promise<ScannedBill | undefined> {
  const r = await db
    .selectFrom("bills")
    .leftJoin("batches", "batches.id", "bills.batch_id")
    .selectAll("bills")
    .select(["batches.root as batch_root", "batches.tx_hash as batch_tx_hash", "batches.block_number as batch_block_number", "batches.state as batch_state"])
    .where("bills.id", "=", id)
    .executeTakeFirst();
  if (!r) return undefined;
  const { batch_root, batch_tx_hash, batch_block_number, batch_state, ...row } = r;
  const batch =
    batch_root == null
      ? null
      : { root: batch_root, txHash: batch_tx_hash ?? null, blockNumber: batch_block_number ?? null, confirmed: batch_state === "confirmed" };
  return { row, batch };
}

// the same columns always give the same proof: built once, frozen and shared (verifier.ts validates it once)
const anchors = new Lru<string, AnchorProof>(4_096);

/** The anchor proof a scanned bill's PDF carries: as envelopeOf() (issuance/bills-repo.ts) builds it. */
export function anchorProofOf(s: ScannedBill, chain: { chainId: number; registry: string }): AnchorProof | null {
  const a = s.batch;
  if (!a || !a.confirmed || !s.row.proof || !a.txHash || a.blockNumber === null) return null;
  const key = JSON.stringify([chain.chainId, chain.registry, a.root, a.txHash, a.blockNumber, s.row.proof]);
  const hit = anchors.get(key);
  if (hit) return hit;
  const proof = Object.freeze(JSON.parse(s.row.proof) as string[]) as string[];
  const anchor = Object.freeze({ chainId: chain.chainId, registry: chain.registry, root: a.root, proof, txHash: a.txHash, blockNumber: a.blockNumber });
  anchors.set(key, anchor);
  return anchor;
}

async function stateOfRow(db: Db, row: BillRow | undefined, leaf: string): Promise<StoreState | null> {
  if (!row) return null;
  // a stored bill with this number but another leaf is not the presented bill: the number was used twice
  if (row.leaf.toLowerCase() !== leaf.toLowerCase()) return { voided: null, reimbursed: null, otherBill: true };
  const voided = row.status === "voided" ? { reason: row.void_reason ?? "", at: isoTime(row.voided_at) } : null;
  const reimbursed = row.reimbursed_by
    ? { by: (await nameOfInstitution(db, row.reimbursed_by)) ?? row.reimbursed_by, at: isoTime(row.reimbursed_at) ?? "" }
    : null;
  const claims = Number(row.claimed_fen ?? 0) > 0 ? await openClaims(db, row.id) : [];
  return { voided, reimbursed, claims, otherBill: false };
}

/** The open claims on a bill, oldest first, with the claiming institutions' names. */
async function openClaims(db: Db, billId: string) {
  const rows = await db
    .selectFrom("claims")
    .innerJoin("institutions", "institutions.id", "claims.party_id")
    .select(["institutions.name", "claims.amount_fen", "claims.created_at"])
    .where("claims.bill_id", "=", billId)
    .where("claims.released_at", "is", null)
    .orderBy("claims.created_at")
    .execute();
  return rows.map((r) => ({ by: r.name, amountFen: Number(r.amount_fen), at: isoTime(r.created_at) }));
}

const nameOfInstitution = async (db: Db, id: string) =>
  (await db.selectFrom("institutions").select("name").where("id", "=", id).executeTakeFirst())?.name ?? null;

/**
 * The store view of one scan, whose bill row was read by this very request: its state is answered
 * from that row (read moments ago, as fresh as asking again), anything else from the store.
 */
export function scanStoreView(db: Db, base: StoreView, row: BillRow): StoreView {
  return {
    ...base,
    billState: (b) => (b.billCode === row.bill_code && b.billNumber === row.bill_number ? stateOfRow(db, row, b.leaf) : base.billState(b)),
  };
}

export function storeView(db: Db): StoreView {
  return {
    async billState({ billCode, billNumber, leaf }): Promise<StoreState | null> {
      return stateOfRow(db, await findByNumber(db, billCode, billNumber), leaf);
    },
    async isAdmittedIssuer(account, kind, creditCode) {
      const inst = await db
        .selectFrom("institutions")
        .select(["status", "bill_kind", "credit_code"])
        .where("account", "=", account)
        .where("role", "=", "issuer")
        .executeTakeFirst();
      return !!inst && inst.status === "active" && inst.bill_kind === kind && inst.credit_code === creditCode;
    },
    async allots(account, billCode, billNumber) {
      const n = Number(billNumber);
      const hit = await db
        .selectFrom("bill_ranges")
        .innerJoin("institutions", "institutions.id", "bill_ranges.institution_id")
        .select("bill_ranges.id")
        .where("institutions.account", "=", account)
        .where("bill_ranges.bill_code", "=", billCode)
        .where("bill_ranges.start_number", "<=", n)
        .where("bill_ranges.end_number", ">=", n)
        .executeTakeFirst();
      return hit !== undefined;
    },
    async nameOf(account) {
      return (await db.selectFrom("institutions").select("name").where("account", "=", account).executeTakeFirst())?.name ?? null;
    },
  };
}
