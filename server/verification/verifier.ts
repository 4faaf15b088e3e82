/**
 * The verifier: one module for the service (QR page, PDF upload, manual check) and the CLI.
 *
 * verifyEnvelope never throws for anything a presented envelope, the chain or the store can do: a
 * tampered bill is a value (INVALID), a node that is down is a value (ERROR). The chain is the
 * witness; the store, when given, only adds what the chain may not know yet (a void not yet mined,
 * a reimbursement's institution name).
 */
import { ChainUnavailableError, type Evidence } from "../chain";
import type { AnchorProof, BillEnvelope } from "../issuance/model";
import type { ChainView, IssuerRecord } from "./chain-view";
import type { ChainFacts, FinalEvidence } from "./chain-facts";
import {
  admittedIssuerCheck, confirmationsOf, errored, failed, inclusionFromEvidence, integrityCheck, issuerFromEvidence,
  offlineInclusionFailure, pending, signatureCheck, skipped, verdictOf,
} from "./checks";
import { Lru } from "./cache";
import { parseAnchor, parseEnvelope } from "./envelope";
import { statusCheck, type ChainMarks } from "./status";
import { summaryOf } from "./summary";
import type { AnchorEvidence, BillSummary, Check, StoreState, StoreView, Verification } from "./types";

export interface VerifyContext {
  chain: ChainView;
  /** confirmations below this make an anchored bill PENDING */
  minConfirmations: number;
  /** the service's store; absent for the CLI, which trusts the chain alone */
  store?: StoreView;
  /** the chain reads with what may be remembered of them (chain-facts.ts); absent: every read goes to `chain` */
  facts?: ChainFacts;
}

/** A settled I/O step: its value, or the `error` check it becomes. */
type Settled<T> = { ok: true; value: T } | { ok: false; code: string; detail: string };

async function settle<T>(what: "chain" | "store", run: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    // Any failure to get an answer is "could not check" (ERROR), never "checked and wrong" (INVALID).
    if (err instanceof ChainUnavailableError) return { ok: false, code: err.code, detail: err.message };
    const code = what === "chain" ? "CHAIN_CALL_FAILED" : "STORE_UNAVAILABLE";
    return { ok: false, code, detail: `The ${what} could not be asked: ${(err as Error)?.message ?? String(err)}`.slice(0, 300) };
  }
}

const toIso = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString();

interface ChainFindings {
  inclusion: Check;
  issuer: Check;
  marks: Settled<ChainMarks> | null;
  anchor: AnchorEvidence | null;
}

/** The chain reads, through the verifier's ChainFacts when it has one (the service), else direct (the CLI). */
interface ChainReads {
  head(): Promise<number>;
  evidence(root: string, leaf: string, proof: string[]): Promise<Evidence>;
  wasIssuerAt(account: string, kind: BillEnvelope["bill"]["kind"], blockNumber: number): Promise<boolean>;
  issuerOf(account: string): Promise<IssuerRecord>;
  statusOf(leaf: string): Promise<ChainMarks>;
  finalEvidence(root: string, leaf: string): FinalEvidence | undefined;
  settle(root: string, leaf: string, ev: Evidence, head: number): void;
}

function readsOf(ctx: VerifyContext): ChainReads {
  if (ctx.facts) return ctx.facts;
  const c = ctx.chain;
  return {
    head: () => c.head(),
    evidence: (root, leaf, proof) => c.evidence(root, leaf, proof),
    wasIssuerAt: (account, kind, block) => c.wasIssuerAt(account, kind, block),
    issuerOf: (account) => c.issuerOf(account),
    statusOf: (leaf) => c.statusOf(leaf),
    finalEvidence: () => undefined,
    settle: () => undefined,
  };
}

type Failure = { ok: false; code: string; detail: string };

function chainErrorFindings(e: Failure, marks: Settled<ChainMarks>): ChainFindings {
  return { inclusion: errored("inclusion", e.code, e.detail), issuer: errored("issuer", e.code, "Not checked: the chain could not be asked"), marks, anchor: null };
}

/**
 * Inclusion and issuer for a bill that carries an anchor. A bill under a batch already seen final
 * needs only the head and its marks; otherwise one round: evidence(), the head, and wasIssuerAt at
 * the block the bill claims (asked again only when the chain records another block).
 */
async function anchoredFindings(env: BillEnvelope, ctx: VerifyContext): Promise<ChainFindings> {
  const a = env.anchor!;
  const offline = offlineInclusionFailure(env, ctx.chain);
  if (offline) return { inclusion: offline, issuer: skipped("issuer", "Not checked: the bill is not in the batch it names"), marks: null, anchor: null };
  const reads = readsOf(ctx);
  const { account } = env.bill.issuer;
  const kind = env.bill.kind;
  const known = reads.finalEvidence(a.root, env.leaf);
  if (known) {
    const [head, marks, was] = await Promise.all([
      settle("chain", () => reads.head()),
      settle("chain", () => reads.statusOf(env.leaf)),
      settle("chain", () => reads.wasIssuerAt(account, kind, known.batch.blockNumber)),
    ]);
    if (!head.ok) return chainErrorFindings(head, marks);
    return findingsOf(env, known, head.value, marks, was, ctx);
  }
  const [ev, head, claimed] = await Promise.all([
    settle("chain", () => reads.evidence(a.root, env.leaf, a.proof)),
    settle("chain", () => reads.head()),
    settle("chain", () => reads.wasIssuerAt(account, kind, a.blockNumber)),
  ]);
  if (!ev.ok || !head.ok) {
    const e = (!ev.ok ? ev : head) as Failure;
    return chainErrorFindings(e, e);
  }
  reads.settle(a.root, env.leaf, ev.value, head.value);
  const marks: Settled<ChainMarks> = { ok: true, value: ev.value.status };
  const block = ev.value.batch.blockNumber;
  const was = block === a.blockNumber ? claimed : await settle("chain", () => reads.wasIssuerAt(account, kind, block));
  return findingsOf(env, ev.value, head.value, marks, was, ctx);
}

function findingsOf(
  env: BillEnvelope,
  ev: Pick<Evidence, "batch" | "included"> & { issuer: Pick<Evidence["issuer"], "kind" | "creditCodeHash"> },
  head: number,
  marks: Settled<ChainMarks>,
  was: Settled<boolean>,
  ctx: VerifyContext,
): ChainFindings {
  const inclusion = inclusionFromEvidence(ev, head, ctx.minConfirmations);
  if (inclusion.status === "failed") return { inclusion, issuer: skipped("issuer", "Not checked: the batch is not on chain"), marks, anchor: null };
  const issuer = was.ok ? issuerFromEvidence(env, ev, was.value) : errored("issuer", was.code, was.detail);
  return { inclusion, issuer, marks, anchor: anchorEvidence(env, ev, head, ctx) };
}

function anchorEvidence(env: BillEnvelope, ev: Pick<Evidence, "batch">, head: number, ctx: VerifyContext): AnchorEvidence {
  const a = env.anchor!;
  return {
    root: a.root,
    txHash: a.txHash,
    blockNumber: ev.batch.blockNumber,
    blockTime: toIso(ev.batch.timestamp),
    confirmations: confirmationsOf(ev.batch.blockNumber, head),
    registry: ctx.chain.registry,
    chainId: ctx.chain.chainId ?? a.chainId,
  };
}

/** A bill with no anchor yet: pending inclusion, its issuer admitted now, its marks by leaf. */
async function unanchoredFindings(env: BillEnvelope, ctx: VerifyContext): Promise<ChainFindings> {
  const inclusion = pending("inclusion", "NOT_ANCHORED", "The bill is signed but not yet anchored on chain");
  const { account, creditCode } = env.bill.issuer;
  const reads = readsOf(ctx);
  const [record, marks, inStore] = await Promise.all([
    settle("chain", () => reads.issuerOf(account)),
    settle("chain", () => reads.statusOf(env.leaf)),
    ctx.store ? settle("store", () => ctx.store!.isAdmittedIssuer(account, env.bill.kind, creditCode)) : Promise.resolve({ ok: true, value: false } as const),
  ]);
  let issuer: Check;
  if (record.ok && inStore.ok) issuer = admittedIssuerCheck(env, record.value as IssuerRecord, inStore.value);
  else if (inStore.ok && inStore.value) issuer = admittedIssuerCheck(env, { kind: null, active: false, creditCodeHash: null }, true);
  else {
    const e = (!record.ok ? record : inStore) as { code: string; detail: string };
    issuer = errored("issuer", e.code, e.detail);
  }
  return { inclusion, issuer, marks, anchor: null };
}

function malformed(problems: string[]): Verification {
  const detail = `The bill data is not a lianpiao bill: ${problems.join("; ")}`;
  return {
    verdict: "INVALID",
    checks: [
      failed("integrity", "MALFORMED", detail),
      skipped("inclusion", "Not checked: the bill data is malformed"),
      skipped("issuer", "Not checked: the bill data is malformed"),
      skipped("status", "Not checked: the bill data is malformed"),
      skipped("signature", "Not checked: the bill data is malformed"),
    ],
    bill: null,
    anchor: null,
    reimbursement: null,
  };
}

/** Verifies an untrusted envelope (from a PDF, the store or anywhere). Never rejects. */
export async function verifyEnvelope(input: unknown, ctx: VerifyContext): Promise<Verification> {
  const parsed = parseEnvelope(input);
  if (!parsed.ok) return malformed(parsed.problems);
  const env = parsed.envelope;
  return verifyParsed(env, integrityCheck(env), summaryOf(env), ctx);
}

/** A stored envelope's text, parsed and checked without its anchor: a pure function of the text. */
type Prepared = { ok: true; envelope: BillEnvelope; integrity: Check; summary: BillSummary } | { ok: false; problems: string[] };

// keyed by the exact text, so a hit is what parsing that text again would give; frozen, as it is shared
const prepared = new Lru<string, Prepared>(4_096);
const validAnchors = new WeakSet<AnchorProof>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function prepare(text: string): Prepared {
  const hit = prepared.get(text);
  if (hit) return hit;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  // the anchor comes from the store at each scan (stored envelopes are written before anchoring)
  const parsed = parseEnvelope(value && typeof value === "object" ? { ...value, anchor: null } : value);
  const result: Prepared = parsed.ok
    ? { ok: true, envelope: parsed.envelope, integrity: integrityCheck(parsed.envelope), summary: summaryOf(parsed.envelope) }
    : { ok: false, problems: parsed.problems };
  prepared.set(text, deepFreeze(result));
  return result;
}

/**
 * Verifies a bill from the service's store: its stored envelope text with the anchor proof the
 * store holds for it. The same verification as verifyEnvelope({ ...JSON.parse(text), anchor }),
 * with the parse, schema and integrity work done once per distinct text.
 */
export async function verifyStored(text: string, anchor: AnchorProof | null, ctx: VerifyContext): Promise<Verification> {
  const p = prepare(text);
  if (!p.ok) return malformed(p.problems);
  if (anchor && !validAnchors.has(anchor)) {
    const a = parseAnchor(anchor);
    if (!a.ok) return malformed(a.problems);
    // a frozen anchor cannot change after this check: the same object need not be checked again
    if (Object.isFrozen(anchor) && Object.isFrozen(anchor.proof)) validAnchors.add(anchor);
  }
  return verifyParsed({ ...p.envelope, anchor }, p.integrity, p.summary, ctx);
}

async function verifyParsed(env: BillEnvelope, integrity: Check, summary: BillSummary, ctx: VerifyContext): Promise<Verification> {
  const chainId = ctx.chain.chainId;
  // the signature's domain is the chain's id: without it the signature can be neither passed nor failed
  const signature = chainId === null
    ? errored("signature", "CHAIN_UNREACHABLE", "Not checked: the chain's id could not be read")
    : signatureCheck(env, { chainId, verifyingContract: ctx.chain.registry });
  const { billCode, billNumber } = env.bill;
  const [found, stored] = await Promise.all([
    env.anchor ? anchoredFindings(env, ctx) : unanchoredFindings(env, ctx),
    ctx.store ? settle("store", () => ctx.store!.billState({ billCode, billNumber, leaf: env.leaf })) : Promise.resolve(null),
  ]);
  const status = await statusCheck(found.marks, stored as Settled<StoreState | null> | null, ctx.store);
  const checks = [integrity, found.inclusion, found.issuer, status.check, signature];
  const verdict = verdictOf(checks, status.void !== null);
  const base = { checks, bill: summary, anchor: found.anchor, reimbursement: status.reimbursement };
  // verdict first: it is what a person reading the JSON looks for
  if (verdict === "VOIDED") return { verdict, ...base, void: status.void! };
  return { verdict, ...base };
}

export type { Settled };
