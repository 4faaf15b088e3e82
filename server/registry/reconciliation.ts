/**
 * Reconciliation of the store (the working copy) with the chain (the witness), over the registry v2
 * events that chain-scan.ts read. Every registry fact is keyed by its issuer account (docs/PROTOCOL.md
 * §1, §7): a batch by (issuer, root), a bill's marks by (issuer, leaf). So a store batch is compared
 * with the anchor of (its account, its root) only, and a store bill with the marks of (its issuer, its
 * leaf) only.
 *
 * The report separates two lists:
 * - `discrepancies`: the store and the chain disagree about the service's own data (its batches, its
 *   bills' marks, its issuers and their ranges), or the store holds a duplicate the chain cannot see
 *   (§11). Any discrepancy makes `clean` false;
 * - `notices`: what other accounts did that touches the service's data without changing it (a copied or
 *   front-run anchor of one of our roots, a mark on one of our leaves under another issuer account) and
 *   registry activity of accounts the store does not know. Information for the bureau; `clean` stays.
 *
 * Each entry names what differs precisely (root, leaf, account, the store's bill or batch, the range)
 * with both sides' values. Work still in the outbox, or confirmed after the scanned head, is "in
 * flight", not a discrepancy.
 */
import { getAddress, id as keccakUtf8, type Provider } from "ethers";
import type { Db } from "../store/database";
import { kindFromCode } from "../chain";
import { scanRegistry, type ScanOptions, type ScanResult } from "./chain-scan";
import { leafOf, verifyProof } from "../issuance/canonical";
import { openCommitment } from "../issuance/commitments";
import type { Bill } from "../issuance/model";
import { compareClaims } from "./claims-reconciliation";

export type DiscrepancyType =
  // anchors, by (issuer, root)
  | "ROOT_NOT_ON_CHAIN"
  | "ROOT_MISMATCH"
  | "UNKNOWN_ROOT_ON_CHAIN"
  | "FAILED_BATCH_ON_CHAIN"
  // marks, by (issuer, leaf)
  | "VOID_NOT_ON_CHAIN"
  | "VOID_NOT_IN_STORE"
  | "UNKNOWN_LEAF_ON_CHAIN"
  | "REIMBURSEMENT_MISMATCH"
  // claims in parts, per relying party, by (issuer, leaf): server/registry/claims-reconciliation.ts
  | "CLAIMS_MISMATCH"
  // issuers and their ranges
  | "ISSUER_NOT_ON_CHAIN"
  | "ISSUER_MISMATCH"
  | "UNKNOWN_ISSUER_ON_CHAIN"
  | "RANGE_NOT_ON_CHAIN"
  | "RANGE_MISMATCH"
  | "UNKNOWN_RANGE_ON_CHAIN"
  // duplicates the chain cannot see (docs/PROTOCOL.md §11)
  | "DUPLICATE_NUMBER"
  | "LEAF_ANCHORED_TWICE"
  // the stored bills themselves
  | "BILL_ALTERED_IN_STORE"
  | "PROOF_MISMATCH";

export type NoticeType =
  /** a root of a store batch anchored (also) by another account: a copy or a front-run, harmless */
  | "ROOT_ALSO_ANCHORED_BY_OTHER"
  /** a void or reimbursement mark on one of our leaves under another issuer account: ours is unaffected */
  | "MARK_UNDER_OTHER_ISSUER"
  /** a range allotted on chain to an account the store does not know as an issuer */
  | "RANGE_OF_UNKNOWN_ACCOUNT"
  /** roots anchored and marks made under an account the store does not know as an issuer */
  | "ACTIVITY_OF_UNKNOWN_ACCOUNT";

export interface Discrepancy {
  type: DiscrepancyType;
  root?: string;
  leaf?: string;
  billId?: string;
  batchId?: string;
  /** the issuer account the entry is about */
  account?: string;
  billCode?: string;
  billNumber?: string;
  store: unknown;
  chain: unknown;
}

export interface Notice {
  type: NoticeType;
  root?: string;
  leaf?: string;
  billId?: string;
  batchId?: string;
  /** the other account (the one that is not the store's issuer of the data) */
  account?: string;
  billCode?: string;
  store: unknown;
  chain: unknown;
}

export interface ReconciliationReport {
  registry: string;
  scan: ScanResult;
  checked: {
    batches: number;
    chainRoots: number;
    voids: number;
    reimbursements: number;
    /** bills with claims in parts, in the store or on chain */
    claims: number;
    issuers: number;
    bills: number;
    ranges: number;
    chainRanges: number;
  };
  inFlight: number;
  discrepancies: Discrepancy[];
  notices: Notice[];
  /**
   * Where bills issued twice would show (docs/PROTOCOL.md §11): numbers the store holds twice, leaves
   * anchored in two batches, and per issuer the roots it anchored outside the store (and their bills),
   * which the chain cannot open.
   */
  duplicates: {
    numbers: number;
    leaves: number;
    unknownRoots: Array<{ account: string; issuerId: string; roots: number; bills: number }>;
  };
  clean: boolean;
}

type Ev = {
  name: string;
  root: string | null;
  leaf: string | null;
  account: string | null;
  party: string | null;
  data: string;
  block_number: number;
  log_index: number;
  tx_hash: string;
};

const addr = (a: string | null | undefined) => (a ? getAddress(a) : null);
const hex = (h: string) => h.toLowerCase();
const pair = (account: string, hash: string) => `${getAddress(account)}|${hex(hash)}`;

interface StoreIssuer {
  id: string;
  account: string;
  bill_kind: string | null;
  status: string;
  credit_code: string | null;
}

/** Unknown accounts' activity, gathered across the comparisons and reported as one notice per account. */
type Activity = Map<string, { roots: number; bills: number; marks: number; firstBlock: number; lastBlock: number }>;

interface Ctx {
  db: Db;
  events: Ev[];
  /** the newest block the scan read: a store confirmation beyond it is in flight */
  scannedTo: number;
  issuers: Map<string, StoreIssuer>;
  /** (issuer, root) pairs anchored on chain */
  anchored: Set<string>;
  out: Discrepancy[];
  notices: Notice[];
  activity: Activity;
  unknownRoots: Map<string, { roots: number; bills: number }>;
}

function noteActivity(ctx: Ctx, account: string, e: Ev, what: { roots?: number; bills?: number; marks?: number }): void {
  const a = ctx.activity.get(account) ?? { roots: 0, bills: 0, marks: 0, firstBlock: e.block_number, lastBlock: e.block_number };
  a.roots += what.roots ?? 0;
  a.bills += what.bills ?? 0;
  a.marks += what.marks ?? 0;
  a.firstBlock = Math.min(a.firstBlock, e.block_number);
  a.lastBlock = Math.max(a.lastBlock, e.block_number);
  ctx.activity.set(account, a);
}

const evAt = (e: Ev) => ({ block: Number(e.block_number), txHash: e.tx_hash });

// ---- anchors ---------------------------------------------------------------------------------------

async function compareAnchors(ctx: Ctx): Promise<{ batches: number; chainRoots: number; inFlight: number }> {
  const batches = await ctx.db
    .selectFrom("batches")
    .select(["id", "root", "account", "state", "bill_count", "block_number"])
    .where("action", "=", "anchor")
    .orderBy("created_at")
    .execute();
  const chain = new Map<string, Ev>();
  for (const e of ctx.events) if (e.name === "BatchAnchored") chain.set(pair(e.account as string, e.root as string), e);
  for (const k of chain.keys()) ctx.anchored.add(k);
  const byPair = new Map<string, typeof batches>();
  const byRoot = new Map<string, typeof batches>();
  for (const b of batches) {
    const k = pair(b.account, b.root);
    byPair.set(k, [...(byPair.get(k) ?? []), b]);
    byRoot.set(hex(b.root), [...(byRoot.get(hex(b.root)) ?? []), b]);
  }
  let confirmed = 0;
  let inFlight = 0;
  for (const b of batches) {
    const k = pair(b.account, b.root);
    const c = chain.get(k);
    if (b.state === "failed") {
      // a later batch of the same bills may have taken the same root: the anchor is then that batch's
      const taken = (byPair.get(k) ?? []).some((o) => o.state !== "failed");
      if (c && !taken)
        ctx.out.push({
          type: "FAILED_BATCH_ON_CHAIN",
          root: b.root,
          batchId: b.id,
          account: addr(b.account)!,
          store: { state: b.state },
          chain: { issuer: addr(c.account), billCount: (JSON.parse(c.data) as { billCount: number }).billCount, ...evAt(c) },
        });
      continue;
    }
    if (b.state !== "confirmed") continue;
    if (b.block_number !== null && Number(b.block_number) > ctx.scannedTo) {
      inFlight++; // confirmed after the head this scan read
      continue;
    }
    confirmed++;
    const store = { issuer: addr(b.account), billCount: b.bill_count, block: b.block_number === null ? null : Number(b.block_number) };
    if (!c) {
      ctx.out.push({ type: "ROOT_NOT_ON_CHAIN", root: b.root, batchId: b.id, account: store.issuer!, store, chain: null });
      continue;
    }
    const onChain = { issuer: addr(c.account), billCount: (JSON.parse(c.data) as { billCount: number }).billCount, block: Number(c.block_number) };
    if (onChain.issuer !== store.issuer || onChain.billCount !== store.billCount || onChain.block !== store.block) {
      ctx.out.push({ type: "ROOT_MISMATCH", root: b.root, batchId: b.id, account: store.issuer!, store, chain: { ...onChain, txHash: c.tx_hash } });
    }
  }
  for (const [k, c] of chain) {
    if (byPair.has(k)) continue;
    const issuer = addr(c.account) as string;
    const root = c.root as string;
    const billCount = (JSON.parse(c.data) as { billCount: number }).billCount;
    const onChain = { issuer, billCount, ...evAt(c) };
    const ours = byRoot.get(root);
    if (ours) {
      // The root of one of our batches, anchored under another account: that account's own record,
      // which holds only our issuer's bills (a root fixes its leaves) and changes nothing of ours.
      const b = ours.find((o) => o.state === "confirmed") ?? ours[0];
      ctx.notices.push({
        type: "ROOT_ALSO_ANCHORED_BY_OTHER",
        root,
        batchId: b.id,
        account: issuer,
        store: { issuer: addr(b.account), batchId: b.id, state: b.state },
        chain: onChain,
      });
    } else if (ctx.issuers.has(issuer)) {
      ctx.out.push({ type: "UNKNOWN_ROOT_ON_CHAIN", root, account: issuer, store: null, chain: onChain });
      const u = ctx.unknownRoots.get(issuer) ?? { roots: 0, bills: 0 };
      ctx.unknownRoots.set(issuer, { roots: u.roots + 1, bills: u.bills + billCount });
    } else {
      noteActivity(ctx, issuer, c, { roots: 1, bills: billCount });
    }
  }
  return { batches: confirmed, chainRoots: chain.size, inFlight };
}

// ---- marks -----------------------------------------------------------------------------------------

interface ChainMarks {
  issuer: string;
  leaf: string;
  voided: Ev | null;
  /** the current reimbursement mark (null once released) */
  reimbursed: Ev | null;
  /** every root a mark event placed the leaf under */
  roots: Set<string>;
  events: Ev[];
}

function chainMarks(events: Ev[]): Map<string, ChainMarks> {
  const out = new Map<string, ChainMarks>();
  for (const e of events) {
    if (e.name !== "BillVoided" && e.name !== "BillReimbursed" && e.name !== "ReimbursementReleased") continue;
    const k = pair(e.account as string, e.leaf as string);
    const m = out.get(k) ?? { issuer: addr(e.account) as string, leaf: e.leaf as string, voided: null, reimbursed: null, roots: new Set<string>(), events: [] };
    m.events.push(e);
    if (e.root) m.roots.add(e.root);
    if (e.name === "BillVoided") m.voided = e;
    if (e.name === "BillReimbursed") m.reimbursed = e;
    if (e.name === "ReimbursementReleased") m.reimbursed = null;
    out.set(k, m);
  }
  return out;
}

interface StoreBill {
  id: string;
  leaf: string;
  status: string;
  voided_at: number | null;
  issuer: string;
  reimbursed_account: string | null;
  batch_id: string | null;
  root: string | null;
}

function storeBills(db: Db) {
  return db
    .selectFrom("bills")
    .innerJoin("institutions as iss", "iss.id", "bills.institution_id")
    .leftJoin("institutions as rp", "rp.id", "bills.reimbursed_by")
    .leftJoin("batches", "batches.id", "bills.batch_id")
    .select([
      "bills.id",
      "bills.leaf",
      "bills.status",
      "bills.voided_at",
      "iss.account as issuer",
      "rp.account as reimbursed_account",
      "bills.batch_id",
      "batches.root",
    ]);
}

async function billsByLeaf(db: Db, leaves: string[]): Promise<Map<string, StoreBill>> {
  const out = new Map<string, StoreBill>();
  for (let i = 0; i < leaves.length; i += 500) {
    const rows = await storeBills(db)
      .where("bills.leaf", "in", leaves.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(hex(r.leaf), { ...r, issuer: getAddress(r.issuer as string) });
  }
  return out;
}

/**
 * Bills with a void, reimbursement or release still in the outbox (or failed there), or whose mark was
 * confirmed after the head the scan read.
 */
async function markWork(db: Db, scannedTo: number): Promise<{ open: Set<string>; failedVoids: Map<string, string> }> {
  const rows = await db
    .selectFrom("outbox")
    .leftJoin("batches", "batches.id", "outbox.batch_id")
    .select(["outbox.bill_id", "outbox.action", "outbox.done_at", "outbox.error", "batches.block_number"])
    .where("outbox.action", "in", ["void", "reimburse", "release"])
    .where((eb) => eb.or([eb("outbox.done_at", "is", null), eb("outbox.error", "is not", null), eb("batches.block_number", ">", scannedTo)]))
    .execute();
  const open = new Set<string>();
  const failedVoids = new Map<string, string>();
  for (const r of rows) {
    if (r.done_at === null || (r.error === null && r.block_number !== null && Number(r.block_number) > scannedTo)) open.add(r.bill_id);
    else if (r.action === "void" && r.error !== null) failedVoids.set(r.bill_id, r.error);
  }
  return { open, failedVoids };
}

const markSummary = (m: ChainMarks | undefined) => ({
  voided: !!m?.voided,
  reimbursedBy: addr(m?.reimbursed?.party),
});

const eventSummary = (e: Ev) => ({ event: e.name, issuer: addr(e.account), party: addr(e.party), root: e.root, ...evAt(e) });

async function compareMarks(ctx: Ctx, marks: Map<string, ChainMarks>): Promise<{ voids: number; reimbursements: number; inFlight: number }> {
  const storeMarked = await ctx.db
    .selectFrom("bills")
    .select("leaf")
    .where((eb) => eb.or([eb("status", "=", "voided"), eb("reimbursed_by", "is not", null)]))
    .execute();
  const leaves = [...new Set([...[...marks.values()].map((m) => m.leaf), ...storeMarked.map((b) => hex(b.leaf))])];
  const bills = await billsByLeaf(ctx.db, leaves);
  const work = await markWork(ctx.db, ctx.scannedTo);
  // chain marks that are not of a store bill under its own issuer
  for (const m of marks.values()) {
    const bill = bills.get(m.leaf);
    if (bill && bill.issuer === m.issuer) continue;
    if (bill) {
      ctx.notices.push({
        type: "MARK_UNDER_OTHER_ISSUER",
        leaf: m.leaf,
        billId: bill.id,
        account: m.issuer,
        store: { issuer: bill.issuer },
        chain: { issuer: m.issuer, ...markSummary(m), events: m.events.map(eventSummary) },
      });
    } else if (ctx.issuers.has(m.issuer)) {
      ctx.out.push({
        type: "UNKNOWN_LEAF_ON_CHAIN",
        leaf: m.leaf,
        account: m.issuer,
        store: null,
        chain: { ...markSummary(m), roots: [...m.roots], events: m.events.map(eventSummary) },
      });
    } else {
      for (const e of m.events) noteActivity(ctx, m.issuer, e, { marks: 1 });
    }
  }
  // the store's bills against the marks of (their issuer, their leaf)
  let inFlight = 0;
  for (const bill of bills.values()) {
    const m = marks.get(pair(bill.issuer, bill.leaf));
    const storeMarks = bill.status === "voided" || bill.reimbursed_account !== null;
    if (!m && !storeMarks) continue;
    if (work.open.has(bill.id)) {
      inFlight++;
      continue;
    }
    const base = { leaf: bill.leaf, billId: bill.id, account: bill.issuer };
    if (bill.status === "voided" && !m?.voided)
      ctx.out.push({
        type: "VOID_NOT_ON_CHAIN",
        ...base,
        store: { status: bill.status, voidedAt: bill.voided_at, error: work.failedVoids.get(bill.id) ?? null },
        chain: { voided: false },
      });
    if (bill.status !== "voided" && m?.voided)
      ctx.out.push({
        type: "VOID_NOT_IN_STORE",
        ...base,
        store: { status: bill.status },
        chain: { voided: true, root: m.voided.root, reason: (JSON.parse(m.voided.data) as { reason: number }).reason, ...evAt(m.voided) },
      });
    const storeParty = addr(bill.reimbursed_account);
    const chainParty = addr(m?.reimbursed?.party);
    if (storeParty !== chainParty) {
      ctx.out.push({
        type: "REIMBURSEMENT_MISMATCH",
        ...base,
        store: { reimbursedBy: storeParty },
        chain: { reimbursedBy: chainParty, ...(m?.reimbursed ? { root: m.reimbursed.root, ...evAt(m.reimbursed) } : {}) },
      });
    }
  }
  const voids = ctx.events.filter((e) => e.name === "BillVoided").length;
  const reimbursements = [...marks.values()].filter((m) => m.reimbursed).length;
  return { voids, reimbursements, inFlight };
}

// ---- issuers and ranges ----------------------------------------------------------------------------

async function compareIssuers(ctx: Ctx): Promise<number> {
  type ChainIssuer = { kind: string | null; active: boolean; creditCodeHash: string };
  const chain = new Map<string, ChainIssuer>();
  for (const e of ctx.events) {
    const a = addr(e.account) as string;
    if (e.name === "IssuerAdmitted") {
      const d = JSON.parse(e.data) as { kind: number; creditCodeHash: string };
      chain.set(a, { kind: kindFromCode(d.kind), active: true, creditCodeHash: hex(d.creditCodeHash) });
    }
    if (e.name === "IssuerSuspended" && chain.has(a)) chain.set(a, { ...chain.get(a)!, active: false });
    if (e.name === "IssuerReinstated" && chain.has(a)) chain.set(a, { ...chain.get(a)!, active: true });
  }
  for (const [account, i] of ctx.issuers) {
    const store = { kind: i.bill_kind, active: i.status === "active", creditCodeHash: i.credit_code ? hex(keccakUtf8(i.credit_code)) : null };
    const c = chain.get(account);
    if (!c) ctx.out.push({ type: "ISSUER_NOT_ON_CHAIN", account, store: { id: i.id, ...store }, chain: null });
    else if (c.kind !== store.kind || c.active !== store.active || c.creditCodeHash !== store.creditCodeHash)
      ctx.out.push({ type: "ISSUER_MISMATCH", account, store: { id: i.id, ...store }, chain: c });
  }
  for (const [account, c] of chain) if (!ctx.issuers.has(account)) ctx.out.push({ type: "UNKNOWN_ISSUER_ON_CHAIN", account, store: null, chain: c });
  return ctx.issuers.size;
}

/**
 * The store's bill ranges (号段) against the registry's allotments. Ranges of one bill code never
 * overlap, on chain or in the store, so a store range matches the chain range of its code that overlaps
 * it, which must be the same issuer, first and last.
 */
async function compareRanges(ctx: Ctx): Promise<{ ranges: number; chainRanges: number }> {
  const store = await ctx.db
    .selectFrom("bill_ranges")
    .innerJoin("institutions", "institutions.id", "bill_ranges.institution_id")
    .select([
      "bill_ranges.id",
      "bill_ranges.institution_id",
      "institutions.account",
      "bill_ranges.bill_code",
      "bill_ranges.start_number",
      "bill_ranges.end_number",
      "bill_ranges.tx_hash",
    ])
    .orderBy("bill_ranges.bill_code")
    .orderBy("bill_ranges.start_number")
    .execute();
  type ChainRange = { issuer: string; billCode: string; first: number; last: number; registrar: string; block: number; txHash: string; ev: Ev };
  const chain: ChainRange[] = ctx.events
    .filter((e) => e.name === "RangeAllotted")
    .map((e) => {
      const d = JSON.parse(e.data) as { billCode: string; first: number; last: number; registrar: string };
      return {
        issuer: addr(e.account) as string,
        billCode: d.billCode,
        first: Number(d.first),
        last: Number(d.last),
        registrar: d.registrar,
        ...evAt(e),
        ev: e,
      };
    });
  const show = (c: ChainRange) => ({ issuer: c.issuer, first: c.first, last: c.last, registrar: c.registrar, block: c.block, txHash: c.txHash });
  const used = new Set<ChainRange>();
  for (const s of store) {
    const account = addr(s.account);
    const first = Number(s.start_number);
    const last = Number(s.end_number);
    const storeSide = { rangeId: s.id, issuerId: s.institution_id, issuer: account, first, last, txHash: s.tx_hash };
    const overlapping = chain.filter((c) => c.billCode === s.bill_code && c.first <= last && c.last >= first);
    for (const c of overlapping) used.add(c);
    if (overlapping.some((c) => c.issuer === account && c.first === first && c.last === last)) continue;
    const base = { billCode: s.bill_code, ...(account ? { account } : {}) };
    if (overlapping.length === 0) ctx.out.push({ type: "RANGE_NOT_ON_CHAIN", ...base, store: storeSide, chain: null });
    else ctx.out.push({ type: "RANGE_MISMATCH", ...base, store: storeSide, chain: overlapping.map(show) });
  }
  for (const c of chain) {
    if (used.has(c)) continue;
    if (ctx.issuers.has(c.issuer)) ctx.out.push({ type: "UNKNOWN_RANGE_ON_CHAIN", billCode: c.billCode, account: c.issuer, store: null, chain: show(c) });
    else ctx.notices.push({ type: "RANGE_OF_UNKNOWN_ACCOUNT", billCode: c.billCode, account: c.issuer, store: null, chain: show(c) });
  }
  return { ranges: store.length, chainRanges: chain.length };
}

// ---- duplicates ------------------------------------------------------------------------------------

/**
 * Numbers the store holds twice (its unique constraint should make this impossible), and leaves
 * anchored twice: one bill in two confirmed batches of the store, or its leaf placed by its own issuer's
 * marks under a root other than its batch's (an anchor outside the service holding the same bill).
 */
async function compareDuplicates(ctx: Ctx, marks: Map<string, ChainMarks>): Promise<{ numbers: number; leaves: number }> {
  const { db } = ctx;
  const numbers = await db
    .selectFrom("bills")
    .select(["bill_code", "bill_number"])
    .groupBy(["bill_code", "bill_number"])
    .having((eb) => eb.fn.countAll(), ">", 1)
    .orderBy("bill_code")
    .orderBy("bill_number")
    .execute();
  for (const n of numbers) {
    const held = await db
      .selectFrom("bills")
      .innerJoin("institutions", "institutions.id", "bills.institution_id")
      .select(["bills.id", "institutions.account", "bills.leaf", "bills.status", "bills.batch_id", "bills.created_at"])
      .where("bills.bill_code", "=", n.bill_code)
      .where("bills.bill_number", "=", n.bill_number)
      .orderBy("bills.created_at")
      .orderBy("bills.id")
      .execute();
    ctx.out.push({
      type: "DUPLICATE_NUMBER",
      billCode: n.bill_code,
      billNumber: n.bill_number,
      billId: held[held.length - 1].id,
      account: addr(held[0].account) ?? undefined,
      store: { bills: held.map((b) => ({ id: b.id, issuer: addr(b.account), leaf: b.leaf, status: b.status, batchId: b.batch_id })) },
      chain: null,
    });
  }

  // leaf → store batches (confirmed anchors) holding it
  const twiceInStore = await db
    .selectFrom("outbox")
    .innerJoin("bills", "bills.id", "outbox.bill_id")
    .innerJoin("batches", "batches.id", "outbox.batch_id")
    .select("bills.leaf")
    .where("outbox.action", "=", "anchor")
    .where("batches.action", "=", "anchor")
    .where("batches.state", "=", "confirmed")
    .groupBy("bills.leaf")
    .having((eb) => eb.fn.count("outbox.batch_id").distinct(), ">", 1)
    .execute();
  const storeBatches = new Map<string, Array<{ batchId: string; root: string; billId: string; issuer: string }>>();
  const twiceLeaves = twiceInStore.map((r) => r.leaf);
  for (let i = 0; i < twiceLeaves.length; i += 500) {
    const rows = await db
      .selectFrom("outbox")
      .innerJoin("bills", "bills.id", "outbox.bill_id")
      .innerJoin("batches", "batches.id", "outbox.batch_id")
      .select(["bills.leaf", "bills.id as bill_id", "batches.id as batch_id", "batches.root", "batches.account"])
      .where("outbox.action", "=", "anchor")
      .where("batches.action", "=", "anchor")
      .where("batches.state", "=", "confirmed")
      .where("bills.leaf", "in", twiceLeaves.slice(i, i + 500))
      .orderBy("batches.created_at")
      .execute();
    for (const r of rows) {
      const list = storeBatches.get(hex(r.leaf)) ?? [];
      if (!list.some((x) => x.batchId === r.batch_id)) list.push({ batchId: r.batch_id, root: hex(r.root), billId: r.bill_id, issuer: getAddress(r.account) });
      storeBatches.set(hex(r.leaf), list);
    }
  }

  // leaf → the roots of its own issuer that hold it on chain: its anchored batch root, and the roots
  // its issuer's marks placed it under
  const ownMarks = [...marks.values()].filter((m) => m.roots.size > 0);
  const bills = await billsByLeaf(
    db,
    ownMarks.map((m) => m.leaf),
  );
  const chainRoots = new Map<string, { bill: StoreBill; roots: string[] }>();
  for (const m of ownMarks) {
    const bill = bills.get(m.leaf);
    if (!bill || bill.issuer !== m.issuer) continue;
    const roots = new Set(m.roots);
    if (bill.root && ctx.anchored.has(pair(bill.issuer, bill.root))) roots.add(hex(bill.root));
    if (roots.size > 1) chainRoots.set(m.leaf, { bill, roots: [...roots] });
  }

  const leaves = [...new Set([...storeBatches.keys(), ...chainRoots.keys()])].sort();
  for (const leaf of leaves) {
    const s = storeBatches.get(leaf);
    const c = chainRoots.get(leaf);
    ctx.out.push({
      type: "LEAF_ANCHORED_TWICE",
      leaf,
      billId: c?.bill.id ?? s![0].billId,
      account: c?.bill.issuer ?? s![0].issuer,
      ...(c?.bill.batch_id ? { batchId: c.bill.batch_id } : {}),
      store: s ? { batches: s.map(({ batchId, root }) => ({ batchId, root })) } : { batchId: c!.bill.batch_id, root: c!.bill.root },
      chain: c ? { roots: c.roots } : null,
    });
  }
  return { numbers: numbers.length, leaves: leaves.length };
}

// ---- the stored bills ------------------------------------------------------------------------------

/**
 * Every anchored bill in the store still hashes to its stored hash, and its leaf and proof still lead
 * to its batch's root: an edit of a stored bill (amount, payer…) is caught here, not only per bill
 * when someone verifies it. Batch by batch, so memory stays bounded.
 */
async function compareBillContents(ctx: Ctx): Promise<number> {
  const batches = await ctx.db
    .selectFrom("batches")
    .select(["id", "root", "account"])
    .where("action", "=", "anchor")
    .where("state", "=", "confirmed")
    .execute();
  let checked = 0;
  for (const b of batches) {
    const bills = await ctx.db.selectFrom("bills").select(["id", "envelope", "bill_hash", "leaf", "proof"]).where("batch_id", "=", b.id).execute();
    for (const bill of bills) {
      checked++;
      const env = JSON.parse(bill.envelope) as { bill: Bill; salts?: Record<string, unknown>; withheld?: Record<string, unknown> };
      // an unhashable stored bill is itself the discrepancy reported next
      const opened = openCommitment(env.bill as unknown as Record<string, unknown>, env.salts ?? {}, env.withheld ?? {});
      const hash = opened.ok ? opened.billHash : null;
      if (hash !== bill.bill_hash)
        ctx.out.push({
          type: "BILL_ALTERED_IN_STORE",
          billId: bill.id,
          batchId: b.id,
          account: addr(b.account)!,
          store: { billHash: bill.bill_hash },
          chain: { recomputed: hash },
        });
      const proof = JSON.parse(bill.proof ?? "[]") as string[];
      if (leafOf(bill.bill_hash) !== bill.leaf || !verifyProof(b.root, bill.leaf, proof)) {
        ctx.out.push({
          type: "PROOF_MISMATCH",
          billId: bill.id,
          batchId: b.id,
          root: b.root,
          leaf: bill.leaf,
          account: addr(b.account)!,
          store: { proof },
          chain: { root: b.root },
        });
      }
    }
  }
  return checked;
}

// ---- the report ------------------------------------------------------------------------------------

export async function reconcile(db: Db, provider: Provider, registry: string, o: ScanOptions = {}): Promise<ReconciliationReport> {
  const scan = await scanRegistry(db, provider, registry, o);
  const events = (await db
    .selectFrom("chain_events")
    .select(["name", "root", "leaf", "account", "party", "data", "block_number", "log_index", "tx_hash"])
    .orderBy("block_number")
    .orderBy("log_index")
    .execute()) as Ev[];
  const issuerRows = await db
    .selectFrom("institutions")
    .select(["id", "account", "bill_kind", "status", "credit_code"])
    .where("role", "=", "issuer")
    .where("account", "is not", null)
    .execute();
  const ctx: Ctx = {
    db,
    events: events.map((e) => ({ ...e, block_number: Number(e.block_number), root: e.root && hex(e.root), leaf: e.leaf && hex(e.leaf) })),
    scannedTo: scan.to,
    issuers: new Map(issuerRows.map((i) => [getAddress(i.account as string), { ...i, account: getAddress(i.account as string) }])),
    anchored: new Set(),
    out: [],
    notices: [],
    activity: new Map(),
    unknownRoots: new Map(),
  };
  const marks = chainMarks(ctx.events);
  const anchors = await compareAnchors(ctx);
  const markCounts = await compareMarks(ctx, marks);
  const issuers = await compareIssuers(ctx);
  const ranges = await compareRanges(ctx);
  const duplicates = await compareDuplicates(ctx, marks);
  const bills = await compareBillContents(ctx);
  const claims = await compareClaims(db, ctx.events, ctx.scannedTo);
  ctx.out.push(...claims.out);
  for (const [account, a] of ctx.activity) ctx.notices.push({ type: "ACTIVITY_OF_UNKNOWN_ACCOUNT", account, store: null, chain: a });
  return {
    registry,
    scan,
    checked: {
      batches: anchors.batches,
      chainRoots: anchors.chainRoots,
      voids: markCounts.voids,
      reimbursements: markCounts.reimbursements,
      claims: claims.checked,
      issuers,
      bills,
      ...ranges,
    },
    inFlight: markCounts.inFlight + anchors.inFlight + claims.inFlight,
    discrepancies: ctx.out,
    notices: ctx.notices,
    duplicates: {
      ...duplicates,
      unknownRoots: [...ctx.unknownRoots].map(([account, u]) => ({ account, issuerId: ctx.issuers.get(account)!.id, ...u })),
    },
    clean: ctx.out.length === 0,
  };
}
