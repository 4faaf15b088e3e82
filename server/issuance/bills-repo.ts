/**
 * Reads and writes of bills that more than one area needs.
 */
import type { Db } from "../store/database";
import type { BillRow } from "../store/schema";
import type { AnchorProof, BillEnvelope } from "./model";

export async function findBill(db: Db, id: string): Promise<BillRow | undefined> {
  return db.selectFrom("bills").selectAll().where("id", "=", id).executeTakeFirst();
}

export interface AnchorInfo {
  root: string;
  txHash: string | null;
  blockNumber: number | null;
  confirmed: boolean;
}

export async function anchorOf(db: Db, bill: BillRow): Promise<AnchorInfo | null> {
  if (!bill.batch_id) return null;
  const b = await db.selectFrom("batches").select(["root", "tx_hash", "block_number", "state"]).where("id", "=", bill.batch_id).executeTakeFirst();
  if (!b) return null;
  return { root: b.root, txHash: b.tx_hash, blockNumber: b.block_number, confirmed: b.state === "confirmed" };
}

/** The stored envelope with its anchor proof, as embedded in the PDF. */
export async function envelopeOf(db: Db, bill: BillRow, chain: { chainId: number; registry: string }): Promise<BillEnvelope> {
  const env = JSON.parse(bill.envelope) as BillEnvelope;
  const a = await anchorOf(db, bill);
  let anchor: AnchorProof | null = null;
  if (a && a.confirmed && bill.proof && a.txHash && a.blockNumber !== null) {
    anchor = {
      chainId: chain.chainId,
      registry: chain.registry,
      root: a.root,
      proof: JSON.parse(bill.proof) as string[],
      txHash: a.txHash,
      blockNumber: a.blockNumber,
    };
  }
  return { ...env, anchor };
}
