/**
 * The verifier: one module for the service (QR page, PDF upload, manual check) and the CLI.
 *
 * verifyEnvelope never throws for anything a presented envelope, the chain or the store can do: a
 * tampered bill is a value (INVALID), a node that is down is a value (ERROR). The chain is the
 * witness; the store, when given, only adds what the chain may not know yet (a void not yet mined,
 * a reimbursement's institution name).
 */
import { ChainUnavailableError, type Evidence } from "../chain";
import type { BillEnvelope } from "../issuance/model";
import type { ChainView, IssuerRecord } from "./chain-view";
import {
  admittedIssuerCheck, confirmationsOf, errored, failed, inclusionFromEvidence, integrityCheck, issuerFromEvidence, withPrintedQr,
  offlineInclusionFailure, pending, signatureCheck, skipped, verdictOf,
} from "./checks";
import { parseEnvelope } from "./envelope";
import type { PrintedQrFinding } from "./printed-qr";
import { statusCheck, type ChainMarks } from "./status";
import { summaryOf } from "./summary";
import type { AnchorEvidence, Check, StoreState, StoreView, Verification } from "./types";

export interface VerifyContext {
  chain: ChainView;
  /** confirmations below this make an anchored bill PENDING */
  minConfirmations: number;
  /** the service's store; absent for the CLI, which trusts the chain alone */
  store?: StoreView;
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

/** Inclusion and issuer for a bill that carries an anchor: one evidence() call, the head, wasIssuerAt. */
async function anchoredFindings(env: BillEnvelope, ctx: VerifyContext): Promise<ChainFindings> {
  const a = env.anchor!;
  const offline = offlineInclusionFailure(env, ctx.chain);
  if (offline) return { inclusion: offline, issuer: skipped("issuer", "Not checked: the bill is not in the batch it names"), marks: null, anchor: null };
  const [ev, head] = await Promise.all([
    settle("chain", () => ctx.chain.evidence(a.root, env.leaf, a.proof)),
    settle("chain", () => ctx.chain.head()),
  ]);
  if (!ev.ok || !head.ok) {
    const e = (!ev.ok ? ev : head) as { code: string; detail: string };
    return { inclusion: errored("inclusion", e.code, e.detail), issuer: errored("issuer", e.code, "Not checked: the chain could not be asked"), marks: e as Settled<ChainMarks>, anchor: null };
  }
  const inclusion = inclusionFromEvidence(ev.value, head.value, ctx.minConfirmations);
  const marks: Settled<ChainMarks> = { ok: true, value: ev.value.status };
  if (inclusion.status === "failed") return { inclusion, issuer: skipped("issuer", "Not checked: the batch is not on chain"), marks, anchor: null };
  return { inclusion, issuer: await issuerAtAnchoring(env, ev.value, ctx), marks, anchor: anchorEvidence(env, ev.value, head.value, ctx) };
}

async function issuerAtAnchoring(env: BillEnvelope, ev: Evidence, ctx: VerifyContext): Promise<Check> {
  const kind = env.bill.kind;
  const was = await settle("chain", () => ctx.chain.wasIssuerAt(env.bill.issuer.account, kind, ev.batch.blockNumber));
  if (!was.ok) return errored("issuer", was.code, was.detail);
  return issuerFromEvidence(env, ev, was.value);
}

function anchorEvidence(env: BillEnvelope, ev: Evidence, head: number, ctx: VerifyContext): AnchorEvidence {
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
  const [record, marks, inStore] = await Promise.all([
    settle("chain", () => ctx.chain.issuerOf(account)),
    settle("chain", () => ctx.chain.statusOf(env.leaf)),
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

/** What came with the envelope besides itself: for a PDF, what its printed QR code says. */
export interface Presented {
  printedQr?: PrintedQrFinding;
}

/** Verifies an untrusted envelope (from a PDF, the store or anywhere). Never rejects. */
export async function verifyEnvelope(input: unknown, ctx: VerifyContext, presented: Presented = {}): Promise<Verification> {
  const parsed = parseEnvelope(input);
  if (!parsed.ok) return malformed(parsed.problems);
  const env = parsed.envelope;
  const integrity = withPrintedQr(integrityCheck(env), presented.printedQr);
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
  const base = { checks, bill: summaryOf(env), anchor: found.anchor, reimbursement: status.reimbursement };
  // verdict first: it is what a person reading the JSON looks for
  if (verdict === "VOIDED") return { verdict, ...base, void: status.void! };
  return { verdict, ...base };
}

export type { Settled };
