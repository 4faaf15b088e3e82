/**
 * Reconciliation of the store (the working copy) with the chain (the witness), over the events that
 * chain-scan.ts read. Each discrepancy names what differs precisely: the root or leaf, the store's
 * bill or batch, and both sides' values. Work still in the outbox is "in flight", not a discrepancy.
 */
import { getAddress, type Provider } from "ethers";
import type { Db } from "../store/database";
import { kindFromCode } from "../chain";
import { scanRegistry, type ScanOptions, type ScanResult } from "./chain-scan";
import { leafOf, verifyProof } from "../issuance/canonical";
import { openCommitment } from "../issuance/commitments";
import type { Bill } from "../issuance/model";

export type DiscrepancyType =
  | "ROOT_NOT_ON_CHAIN" | "ROOT_MISMATCH" | "UNKNOWN_ROOT_ON_CHAIN" | "FAILED_BATCH_ON_CHAIN"
  | "VOID_NOT_ON_CHAIN" | "VOID_NOT_IN_STORE" | "UNKNOWN_LEAF_ON_CHAIN" | "REIMBURSEMENT_MISMATCH"
  | "ISSUER_NOT_ON_CHAIN" | "ISSUER_MISMATCH" | "UNKNOWN_ISSUER_ON_CHAIN"
  | "BILL_ALTERED_IN_STORE" | "PROOF_MISMATCH";

export interface Discrepancy {
  type: DiscrepancyType;
  root?: string;
  leaf?: string;
  billId?: string;
  batchId?: string;
  account?: string;
  store: unknown;
  chain: unknown;
}

export interface ReconciliationReport {
  registry: string;
  scan: ScanResult;
  checked: { batches: number; chainRoots: number; voids: number; reimbursements: number; issuers: number; bills: number };
  inFlight: number;
  discrepancies: Discrepancy[];
  clean: boolean;
}

type Ev = { name: string; root: string | null; leaf: string | null; account: string | null; data: string; block_number: number; tx_hash: string };
const addr = (a: string | null) => (a ? getAddress(a) : null);

async function compareAnchors(db: Db, events: Ev[], out: Discrepancy[]): Promise<{ batches: number; chainRoots: number }> {
  const batches = await db.selectFrom("batches").select(["id", "root", "account", "state", "bill_count", "block_number"]).where("action", "=", "anchor").execute();
  const chain = new Map(events.filter((e) => e.name === "BatchAnchored").map((e) => [e.root as string, e]));
  const known = new Set<string>();
  for (const b of batches) {
    known.add(b.root);
    const c = chain.get(b.root);
    if (b.state === "failed") {
      if (c) out.push({ type: "FAILED_BATCH_ON_CHAIN", root: b.root, batchId: b.id, store: { state: b.state }, chain: { issuer: addr(c.account), block: Number(c.block_number), txHash: c.tx_hash } });
      continue;
    }
    if (b.state !== "confirmed") continue;
    const store = { issuer: addr(b.account), billCount: b.bill_count, block: b.block_number === null ? null : Number(b.block_number) };
    if (!c) {
      out.push({ type: "ROOT_NOT_ON_CHAIN", root: b.root, batchId: b.id, store, chain: null });
      continue;
    }
    const onChain = { issuer: addr(c.account), billCount: JSON.parse(c.data).billCount as number, block: Number(c.block_number) };
    if (onChain.issuer !== store.issuer || onChain.billCount !== store.billCount || onChain.block !== store.block) {
      out.push({ type: "ROOT_MISMATCH", root: b.root, batchId: b.id, store, chain: onChain });
    }
  }
  for (const [root, c] of chain) {
    if (!known.has(root)) out.push({ type: "UNKNOWN_ROOT_ON_CHAIN", root, store: null, chain: { issuer: addr(c.account), block: Number(c.block_number), txHash: c.tx_hash } });
  }
  return { batches: batches.filter((b) => b.state === "confirmed").length, chainRoots: chain.size };
}

interface BillMarks {
  id: string;
  leaf: string;
  status: string;
  voided_at: number | null;
  reimbursed_account: string | null;
}

async function billsByLeaf(db: Db, leaves: string[]): Promise<Map<string, BillMarks>> {
  const out = new Map<string, BillMarks>();
  for (let i = 0; i < leaves.length; i += 500) {
    const rows = await db
      .selectFrom("bills")
      .leftJoin("institutions", "institutions.id", "bills.reimbursed_by")
      .select(["bills.id", "bills.leaf", "bills.status", "bills.voided_at", "institutions.account as reimbursed_account"])
      .where("bills.leaf", "in", leaves.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.leaf, r);
  }
  return out;
}

/** Bills with a void, reimbursement or release still in the outbox (or failed there). */
async function markWork(db: Db): Promise<{ open: Set<string>; failedVoids: Map<string, string> }> {
  const rows = await db.selectFrom("outbox").select(["bill_id", "action", "done_at", "error"]).where("action", "in", ["void", "reimburse", "release"]).where((eb) => eb.or([eb("done_at", "is", null), eb("error", "is not", null)])).execute();
  const open = new Set<string>();
  const failedVoids = new Map<string, string>();
  for (const r of rows) {
    if (r.done_at === null) open.add(r.bill_id);
    else if (r.action === "void") failedVoids.set(r.bill_id, r.error as string);
  }
  return { open, failedVoids };
}

async function compareMarks(db: Db, events: Ev[], out: Discrepancy[]): Promise<{ voids: number; reimbursements: number; inFlight: number }> {
  const voided = new Map(events.filter((e) => e.name === "BillVoided").map((e) => [e.leaf as string, e]));
  const reimbursed = new Map<string, string | null>();
  for (const e of events) {
    if (e.name === "BillReimbursed") reimbursed.set(e.leaf as string, addr(e.account));
    if (e.name === "ReimbursementReleased") reimbursed.set(e.leaf as string, null);
  }
  const storeVoided = await db.selectFrom("bills").select("leaf").where("status", "=", "voided").execute();
  const storeReimbursed = await db.selectFrom("bills").select("leaf").where("reimbursed_by", "is not", null).execute();
  const leaves = [...new Set([...voided.keys(), ...reimbursed.keys(), ...storeVoided.map((b) => b.leaf), ...storeReimbursed.map((b) => b.leaf)])];
  const bills = await billsByLeaf(db, leaves);
  const work = await markWork(db);
  let inFlight = 0;
  for (const leaf of leaves) {
    const bill = bills.get(leaf);
    if (!bill) {
      out.push({ type: "UNKNOWN_LEAF_ON_CHAIN", leaf, store: null, chain: { voided: voided.has(leaf), reimbursedBy: reimbursed.get(leaf) ?? null } });
      continue;
    }
    if (work.open.has(bill.id)) {
      inFlight++;
      continue;
    }
    const chainVoid = voided.get(leaf);
    if (bill.status === "voided" && !chainVoid) out.push({ type: "VOID_NOT_ON_CHAIN", leaf, billId: bill.id, store: { status: bill.status, voidedAt: bill.voided_at, error: work.failedVoids.get(bill.id) ?? null }, chain: { voided: false } });
    if (bill.status !== "voided" && chainVoid) out.push({ type: "VOID_NOT_IN_STORE", leaf, billId: bill.id, store: { status: bill.status }, chain: { voided: true, block: Number(chainVoid.block_number), txHash: chainVoid.tx_hash } });
    const storeParty = addr(bill.reimbursed_account);
    const chainParty = reimbursed.get(leaf) ?? null;
    if (storeParty !== chainParty) out.push({ type: "REIMBURSEMENT_MISMATCH", leaf, billId: bill.id, store: { reimbursedBy: storeParty }, chain: { reimbursedBy: chainParty } });
  }
  return { voids: voided.size, reimbursements: [...reimbursed.values()].filter(Boolean).length, inFlight };
}

async function compareIssuers(db: Db, events: Ev[], out: Discrepancy[]): Promise<number> {
  const chain = new Map<string, { kind: string | null; active: boolean }>();
  for (const e of events) {
    const a = addr(e.account) as string;
    if (e.name === "IssuerAdmitted") chain.set(a, { kind: kindFromCode(JSON.parse(e.data).kind), active: true });
    if (e.name === "IssuerSuspended" && chain.has(a)) chain.set(a, { ...chain.get(a)!, active: false });
    if (e.name === "IssuerReinstated" && chain.has(a)) chain.set(a, { ...chain.get(a)!, active: true });
  }
  const issuers = await db.selectFrom("institutions").select(["id", "account", "bill_kind", "status"]).where("role", "=", "issuer").execute();
  const seen = new Set<string>();
  for (const i of issuers) {
    const account = addr(i.account) as string;
    seen.add(account);
    const store = { kind: i.bill_kind, active: i.status === "active" };
    const c = chain.get(account);
    if (!c) out.push({ type: "ISSUER_NOT_ON_CHAIN", account, store: { id: i.id, ...store }, chain: null });
    else if (c.kind !== store.kind || c.active !== store.active) out.push({ type: "ISSUER_MISMATCH", account, store: { id: i.id, ...store }, chain: c });
  }
  for (const [account, c] of chain) if (!seen.has(account)) out.push({ type: "UNKNOWN_ISSUER_ON_CHAIN", account, store: null, chain: c });
  return issuers.length;
}

/**
 * Every anchored bill in the store still hashes to its stored hash, and its leaf and proof still lead
 * to its batch's root: an edit of a stored bill (amount, payer…) is caught here, not only per bill
 * when someone verifies it. Batch by batch, so memory stays bounded.
 */
async function compareBillContents(db: Db, out: Discrepancy[]): Promise<number> {
  const batches = await db.selectFrom("batches").select(["id", "root"]).where("action", "=", "anchor").where("state", "=", "confirmed").execute();
  let checked = 0;
  for (const b of batches) {
    const bills = await db.selectFrom("bills").select(["id", "envelope", "bill_hash", "leaf", "proof"]).where("batch_id", "=", b.id).execute();
    for (const bill of bills) {
      checked++;
      const env = JSON.parse(bill.envelope) as { bill: Bill; salts?: Record<string, unknown>; withheld?: Record<string, unknown> };
      // an unhashable stored bill is itself the discrepancy reported next
      const opened = openCommitment(env.bill as unknown as Record<string, unknown>, env.salts ?? {}, env.withheld ?? {});
      const hash = opened.ok ? opened.billHash : null;
      if (hash !== bill.bill_hash) out.push({ type: "BILL_ALTERED_IN_STORE", billId: bill.id, batchId: b.id, store: { billHash: bill.bill_hash }, chain: { recomputed: hash } });
      const proof = JSON.parse(bill.proof ?? "[]") as string[];
      if (leafOf(bill.bill_hash) !== bill.leaf || !verifyProof(b.root, bill.leaf, proof)) {
        out.push({ type: "PROOF_MISMATCH", billId: bill.id, batchId: b.id, root: b.root, leaf: bill.leaf, store: { proof }, chain: { root: b.root } });
      }
    }
  }
  return checked;
}

export async function reconcile(db: Db, provider: Provider, registry: string, o: ScanOptions = {}): Promise<ReconciliationReport> {
  const scan = await scanRegistry(db, provider, registry, o);
  const events = (await db.selectFrom("chain_events").select(["name", "root", "leaf", "account", "data", "block_number", "tx_hash"]).orderBy("block_number").orderBy("log_index").execute()) as Ev[];
  const discrepancies: Discrepancy[] = [];
  const anchors = await compareAnchors(db, events, discrepancies);
  const marks = await compareMarks(db, events, discrepancies);
  const issuers = await compareIssuers(db, events, discrepancies);
  const bills = await compareBillContents(db, discrepancies);
  return {
    registry,
    scan,
    checked: { ...anchors, voids: marks.voids, reimbursements: marks.reimbursements, issuers, bills },
    inFlight: marks.inFlight,
    discrepancies,
    clean: discrepancies.length === 0,
  };
}
