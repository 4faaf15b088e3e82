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
import { DOMAIN_NAME, DOMAIN_VERSION } from "../issuance/signing";
import type { AllotmentRecord, ChainView, Eip712DomainRecord, IssuerRecord } from "./chain-view";
import type { BillRef, ChainFacts, FinalEvidence } from "./chain-facts";
import {
  admittedIssuerCheck,
  confirmationsOf,
  errored,
  failed,
  inclusionFromEvidence,
  integrityCheck,
  issuerFromEvidence,
  offlineInclusionFailure,
  pending,
  signatureCheck,
  skipped,
  sm2Check,
  verdictOf,
} from "./checks";
import { Lru } from "./cache";
import { parseAnchor, parseEnvelope } from "./envelope";
import { statusCheck, type ChainMarks } from "./status";
import { claimsSummary } from "./claims";
import { summaryOf } from "./summary";
import { NOTICE } from "./notice";
import type { AnchorEvidence, BillSummary, Check, Settled, StoreState, StoreView, Verification } from "./types";
import { isoChainTime } from "../format/time";

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

interface ChainFindings {
  inclusion: Check;
  issuer: Check;
  marks: Settled<ChainMarks> | null;
  anchor: AnchorEvidence | null;
}

/** The chain reads, through the verifier's ChainFacts when it has one (the service), else direct (the CLI). */
interface ChainReads {
  head(): Promise<number>;
  evidence(ref: BillRef, proof: string[]): Promise<Evidence>;
  issuerOf(account: string): Promise<IssuerRecord>;
  statusOf(issuer: string, leaf: string): Promise<ChainMarks>;
  allotmentOf(billCode: string, billNumber: string): Promise<AllotmentRecord | null>;
  domain(): Promise<Eip712DomainRecord>;
  sealKeyAt(issuer: string, block: number | null): Promise<string | null>;
  finalEvidence(ref: BillRef): FinalEvidence | undefined;
  settle(ref: BillRef, ev: Evidence, head: number): void;
}

function readsOf(ctx: VerifyContext): ChainReads {
  if (ctx.facts) return ctx.facts;
  const c = ctx.chain;
  return {
    head: () => c.head(),
    evidence: (r, proof) => c.evidence(r.issuer, r.root, r.leaf, proof, r.billCode, r.billNumber),
    issuerOf: (account) => c.issuerOf(account),
    statusOf: (issuer, leaf) => c.statusOf(issuer, leaf),
    allotmentOf: (code, number) => c.allotmentOf(code, number),
    domain: () => c.domain(),
    sealKeyAt: (issuer, block) => c.sealKeyAt(issuer, block),
    finalEvidence: () => undefined,
    settle: () => undefined,
  };
}

type Failure = { ok: false; code: string; detail: string };

function chainErrorFindings(e: Failure, marks: Settled<ChainMarks>): ChainFindings {
  return {
    inclusion: errored("inclusion", e.code, e.detail),
    issuer: errored("issuer", e.code, "Not checked: the chain could not be asked"),
    marks,
    anchor: null,
  };
}

const refOf = (env: BillEnvelope): BillRef => ({
  issuer: env.bill.issuer.account,
  root: env.anchor!.root,
  leaf: env.leaf,
  billCode: env.bill.billCode,
  billNumber: env.bill.billNumber,
});

/**
 * Inclusion and issuer for a bill that carries an anchor, all read under the bill's own issuer
 * account. A bill under a batch already seen final needs only the head and its marks; otherwise one
 * round: evidence() and the head.
 */
async function anchoredFindings(env: BillEnvelope, ctx: VerifyContext): Promise<ChainFindings> {
  const offline = offlineInclusionFailure(env, ctx.chain);
  if (offline) return { inclusion: offline, issuer: skipped("issuer", "Not checked: the bill is not in the batch it names"), marks: null, anchor: null };
  const reads = readsOf(ctx);
  const ref = refOf(env);
  const known = reads.finalEvidence(ref);
  if (known) {
    const [head, marks] = await Promise.all([settle("chain", () => reads.head()), settle("chain", () => reads.statusOf(ref.issuer, ref.leaf))]);
    if (!head.ok) return chainErrorFindings(head, marks);
    return findingsOf(env, known, head.value, marks, ctx);
  }
  const [ev, head] = await Promise.all([settle("chain", () => reads.evidence(ref, env.anchor!.proof)), settle("chain", () => reads.head())]);
  if (!ev.ok || !head.ok) {
    const e = (!ev.ok ? ev : head) as Failure;
    return chainErrorFindings(e, e);
  }
  reads.settle(ref, ev.value, head.value);
  return findingsOf(env, ev.value, head.value, { ok: true, value: ev.value.status }, ctx);
}

type EvidenceSeen = Omit<Evidence, "status" | "issuer"> & { issuer: Pick<Evidence["issuer"], "kind" | "creditCodeHash"> };

function findingsOf(env: BillEnvelope, ev: EvidenceSeen, head: number, marks: Settled<ChainMarks>, ctx: VerifyContext): ChainFindings {
  const inclusion = inclusionFromEvidence(ev, head, ctx.minConfirmations);
  if (inclusion.status === "failed")
    return { inclusion, issuer: skipped("issuer", "Not checked: the batch is not on chain under the bill's issuer"), marks, anchor: null };
  return { inclusion, issuer: issuerFromEvidence(env, ev), marks, anchor: anchorEvidence(env, ev.batch!, head, ctx) };
}

function anchorEvidence(env: BillEnvelope, batch: NonNullable<Evidence["batch"]>, head: number, ctx: VerifyContext): AnchorEvidence {
  const a = env.anchor!;
  return {
    root: a.root,
    txHash: a.txHash,
    issuer: env.bill.issuer.account,
    blockNumber: batch.blockNumber,
    blockTime: isoChainTime(batch.timestamp),
    confirmations: confirmationsOf(batch.blockNumber, head),
    registry: ctx.chain.registry,
    chainId: ctx.chain.chainId ?? a.chainId,
  };
}

/** A bill with no anchor yet: pending inclusion, its signer admitted now and holding its number, its marks. */
async function unanchoredFindings(env: BillEnvelope, ctx: VerifyContext): Promise<ChainFindings> {
  const inclusion = pending("inclusion", "NOT_ANCHORED", "The bill is signed but not yet anchored on chain");
  const { account, creditCode } = env.bill.issuer;
  const { billCode, billNumber } = env.bill;
  const reads = readsOf(ctx);
  const store = ctx.store;
  const [record, marks, allotment, inStore, storeAllots] = await Promise.all([
    settle("chain", () => reads.issuerOf(account)),
    settle("chain", () => reads.statusOf(account, env.leaf)),
    settle("chain", () => reads.allotmentOf(billCode, billNumber)),
    store ? settle("store", () => store.isAdmittedIssuer(account, env.bill.kind, creditCode)) : Promise.resolve({ ok: true, value: false } as const),
    store ? settle("store", () => store.allots(account, billCode, billNumber)) : Promise.resolve({ ok: true, value: false } as const),
  ]);
  const failure = [allotment, storeAllots, record, inStore].find((r): r is Failure => !r.ok);
  let issuer: Check;
  if (!failure) {
    const found = { onChain: allotment.ok ? (allotment.value?.issuer ?? null) : null, inStore: storeAllots.ok && storeAllots.value };
    issuer = admittedIssuerCheck(env, (record as { value: IssuerRecord }).value, (inStore as { value: boolean }).value, found);
  } else if (record.ok || !inStore.ok || !inStore.value || !allotment.ok || !storeAllots.ok) {
    issuer = errored("issuer", failure.code, failure.detail);
  } else {
    // the chain cannot be asked, but the service's register admits the signer and allots the number
    issuer = admittedIssuerCheck(env, { kind: null, active: false, admittedAt: null, creditCodeHash: null }, true, {
      onChain: null,
      inStore: storeAllots.value,
    });
  }
  return { inclusion, issuer, marks, anchor: null };
}

function malformed(problems: string[]): Verification {
  const detail = `The bill data is not a lianpiao bill: ${problems.join("; ")}`;
  return {
    verdict: "INVALID",
    notice: NOTICE,
    withheld: [],
    checks: [
      failed("integrity", "MALFORMED", detail),
      skipped("inclusion", "Not checked: the bill data is malformed"),
      skipped("issuer", "Not checked: the bill data is malformed"),
      skipped("status", "Not checked: the bill data is malformed"),
      skipped("signature", "Not checked: the bill data is malformed"),
      skipped("sm2", "Not checked: the bill data is malformed"),
    ],
    bill: null,
    anchor: null,
    reimbursement: null,
    claims: null,
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

/** The signature check under the registry's own EIP-712 domain (EIP-5267), which must be the one this verifier implements. */
async function signatureFinding(env: BillEnvelope, ctx: VerifyContext): Promise<Check> {
  const chainId = ctx.chain.chainId;
  // the signature's domain is the chain's id: without it the signature can be neither passed nor failed
  if (chainId === null) return errored("signature", "CHAIN_UNREACHABLE", "Not checked: the chain's id could not be read");
  const d = await settle("chain", () => readsOf(ctx).domain());
  if (!d.ok) return errored("signature", d.code, d.detail);
  const expected = { name: DOMAIN_NAME, version: DOMAIN_VERSION, chainId: BigInt(chainId), verifyingContract: ctx.chain.registry.toLowerCase() };
  const got = { ...d.value, verifyingContract: d.value.verifyingContract.toLowerCase() };
  if (
    got.name !== expected.name ||
    got.version !== expected.version ||
    got.chainId !== expected.chainId ||
    got.verifyingContract !== expected.verifyingContract
  ) {
    return errored(
      "signature",
      "DOMAIN_UNSUPPORTED",
      `The registry signs under the EIP-712 domain ${got.name} ${got.version} (chain ${got.chainId}), not ${DOMAIN_NAME} ${DOMAIN_VERSION}: this verifier cannot check it`,
    );
  }
  return signatureCheck(env, { chainId, verifyingContract: ctx.chain.registry });
}

/**
 * The SM2 seal against the key the registry recorded for the issuer when the batch was anchored (the
 * chain's block, not the envelope's claim); for a bill not anchored (or not found anchored), the key now.
 */
async function sm2Finding(env: BillEnvelope, at: number | null, ctx: VerifyContext): Promise<Check> {
  const chainId = ctx.chain.chainId;
  if (chainId === null) return errored("sm2", "CHAIN_UNREACHABLE", "Not checked: the chain's id could not be read");
  const recorded = await settle("chain", () => readsOf(ctx).sealKeyAt(env.bill.issuer.account, at));
  if (!recorded.ok) return errored("sm2", recorded.code, recorded.detail);
  return sm2Check(env, { chainId, registry: ctx.chain.registry }, recorded.value, at);
}

/** The service's register holds another bill under the same code and number: the number was used twice. */
function reusedNumber(env: BillEnvelope, issuer: Check, stored: Settled<StoreState | null> | null): Check {
  if (issuer.status === "failed" || !stored?.ok || !stored.value?.otherBill) return issuer;
  return failed(
    "issuer",
    "NUMBER_REUSED",
    `The service's register holds another bill under ${env.bill.billCode}-${env.bill.billNumber}: this number was used twice by its issuer`,
  );
}

async function verifyParsed(env: BillEnvelope, integrity: Check, summary: BillSummary, ctx: VerifyContext): Promise<Verification> {
  const { billCode, billNumber } = env.bill;
  const [found, stored, signature] = await Promise.all([
    env.anchor ? anchoredFindings(env, ctx) : unanchoredFindings(env, ctx),
    ctx.store ? settle("store", () => ctx.store!.billState({ billCode, billNumber, leaf: env.leaf })) : Promise.resolve(null),
    signatureFinding(env, ctx),
  ]);
  const [status, sm2] = await Promise.all([statusCheck(found.marks, stored, ctx.store), sm2Finding(env, found.anchor?.blockNumber ?? null, ctx)]);
  const checks = [integrity, found.inclusion, reusedNumber(env, found.issuer, stored), status.check, signature, sm2];
  const verdict = verdictOf(checks, status.void !== null);
  const claims = claimsSummary(env, found.marks?.ok ? found.marks.value : null, stored?.ok ? stored.value : null);
  const base = {
    notice: NOTICE,
    checks,
    bill: summary,
    anchor: found.anchor,
    reimbursement: status.reimbursement,
    claims,
    withheld: Object.keys(env.withheld),
  };
  // verdict first: it is what a person reading the JSON looks for
  if (verdict === "VOIDED") return { verdict, ...base, void: status.void! };
  return { verdict, ...base };
}
