/**
 * Issuing a bill: validate → number → compose → salt, hash, sign → store the bill and its outbox
 * entry in one transaction. Anchoring happens later, from the outbox.
 */
import crypto from "node:crypto";
import type { Db } from "../store/database";
import { inGroupCommit } from "../store/group-commit";
import type { BillRow, Institution } from "../store/schema";
import { ApiError } from "../http/errors";
import type { BaseWallet } from "ethers";
import { takeBillNumber } from "./numbering";
import { parseInvoiceRequest } from "./schema";
import { composeBill, type ComposeContext } from "./compose";
import { canonicalJson } from "./canonical";
import { sealBill } from "./seal";
import type { BillDomain } from "./signing";
import { newBillId, newCheckCode, newVerifyKey } from "./check-code";
import { toFen } from "./money";
import type { Bill } from "./model";

/** The issuers' signing keys by chain account (anchoring/signers.ts SignerSet, injected at wiring). */
export interface IssuerKeys {
  get(account: string): BaseWallet;
}

export interface IssueContext {
  db: Db;
  signers: IssuerKeys;
  domain: BillDomain;
  /** called after a bill is committed, to wake the anchoring worker */
  onIssued?: (account: string) => void;
}

export interface IssueResult {
  bill: BillRow;
  replayed: boolean;
}

function requestHash(body: unknown): string {
  return crypto
    .createHash("sha256")
    .update(canonicalJson(body ?? null))
    .digest("hex");
}

function assertCanIssue(inst: Institution, kind: string): asserts inst is Institution & { account: string } {
  if (inst.status !== "active") throw new ApiError("ISSUER_SUSPENDED");
  if (!inst.account) throw new ApiError("FORBIDDEN", "This institution has no chain account");
  if (inst.bill_kind !== kind) {
    throw new ApiError("VALIDATION_FAILED", `This issuer is admitted for ${inst.bill_kind} bills, not ${kind}`, {
      errors: [{ path: "kind", code: "KIND_NOT_ADMITTED", message: `admitted kind is ${inst.bill_kind}` }],
    });
  }
}

async function replay(db: Db, inst: Institution, key: string, hash: string): Promise<IssueResult | undefined> {
  const prior = await db.selectFrom("bills").selectAll().where("institution_id", "=", inst.id).where("idempotency_key", "=", key).executeTakeFirst();
  if (!prior) return undefined;
  if (prior.request_hash !== hash) throw new ApiError("IDEMPOTENCY_CONFLICT");
  return { bill: prior, replayed: true };
}

export interface RecordOptions {
  idempotencyKey?: string | null;
  requestHash?: string | null;
  /** for a red bill (红字票据): the id of the bill it cancels */
  redOfId?: string | null;
}

/**
 * Inside the caller's transaction: takes the next bill number, composes the bill with `compose`,
 * salts, hashes and signs it, and stores it with its "anchor" outbox entry. Shared by issuing and by
 * voiding (the red bill).
 */
export async function recordBill(
  trx: Db,
  ctx: Pick<IssueContext, "signers" | "domain">,
  inst: Institution & { account: string },
  compose: (c: ComposeContext) => Bill,
  opts: RecordOptions = {},
): Promise<BillRow> {
  const no = await takeBillNumber(trx, inst.id);
  const now = new Date();
  const bill = compose({
    ...no,
    checkCode: newCheckCode(),
    issuedAt: now,
    issuer: { name: inst.name, creditCode: inst.credit_code ?? "", account: inst.account },
  });
  const envelope = sealBill(bill, ctx.signers.get(inst.account), ctx.domain);
  const row: BillRow = {
    id: newBillId(),
    institution_id: inst.id,
    kind: bill.kind,
    bill_code: no.billCode,
    bill_number: no.billNumber,
    check_code: bill.checkCode,
    issued_at: now.getTime(),
    issue_date: bill.issuedAt.slice(0, 10),
    // red bills (红字票据) carry negative amounts
    total_fen: bill.total.startsWith("-") ? -Number(toFen(bill.total.slice(1))) : Number(toFen(bill.total)),
    status: "pending",
    envelope: JSON.stringify(envelope),
    bill_hash: envelope.billHash,
    leaf: envelope.leaf,
    verify_key: newVerifyKey(),
    idempotency_key: opts.idempotencyKey ?? null,
    request_hash: opts.requestHash ?? null,
    batch_id: null,
    proof: null,
    void_reason: null,
    voided_at: null,
    red_of_id: opts.redOfId ?? null,
    claimed_fen: 0,
    reimbursed_by: null,
    reimbursed_at: null,
    reimbursement_ref: null,
    created_at: now.getTime(),
    business_serial: bill.businessSerial ?? null,
    visit_number: bill.kind === "medical" ? bill.visitNumber : null,
    holder_name: (bill.kind === "medical" ? bill.payer.name : bill.donor.name) ?? null,
  };
  await trx.insertInto("bills").values(row).execute();
  await trx
    .insertInto("outbox")
    .values({ bill_id: row.id, account: inst.account, action: "anchor", payload: "{}", created_at: row.created_at, batch_id: null, done_at: null, error: null })
    .execute();
  return row;
}

export async function issueBill(ctx: IssueContext, inst: Institution, body: unknown, idempotencyKey?: string): Promise<IssueResult> {
  if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) throw new ApiError("INVALID_IDEMPOTENCY_KEY");
  const parsed = parseInvoiceRequest(body);
  if (!parsed.ok)
    throw new ApiError("VALIDATION_FAILED", `${parsed.issues.length} problem(s): ${parsed.issues[0].path}: ${parsed.issues[0].message}`, {
      errors: parsed.issues,
    });
  const input = parsed.value;
  assertCanIssue(inst, input.kind);
  const hash = idempotencyKey ? requestHash(body) : null;
  if (idempotencyKey && hash) {
    const prior = await replay(ctx.db, inst, idempotencyKey, hash);
    if (prior) return prior;
  }
  try {
    // One transaction per bill, sharing its COMMIT (fsync) with concurrent issues on SQLite.
    const bill = await inGroupCommit(ctx.db, (trx) =>
      recordBill(trx, ctx, inst, (c) => composeBill(input, c), { idempotencyKey: idempotencyKey ?? null, requestHash: hash }),
    );
    ctx.onIssued?.(inst.account);
    return { bill, replayed: false };
  } catch (err) {
    // A concurrent request with the same Idempotency-Key won the unique constraint: answer as it did.
    if (idempotencyKey && hash && isUniqueViolation(err)) {
      const prior = await replay(ctx.db, inst, idempotencyKey, hash);
      if (prior) return prior;
    }
    throw err;
  }
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === "23505" || e?.code === "SQLITE_CONSTRAINT_UNIQUE" || /UNIQUE constraint failed/.test(e?.message ?? "");
}
