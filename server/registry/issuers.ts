/**
 * Issuer administration by the finance bureau: admit (on chain, then in the store, with a first bill
 * range and API key), suspend and reinstate (on chain and off), further ranges, API keys, and the
 * listing with state, ranges and counts. Every change is written to the audit log.
 */
import { getAddress, isAddress } from "ethers";
import { z } from "zod";
import type { Db } from "../store/database";
import type { Institution } from "../store/schema";
import { ApiError } from "../http/errors";
import { allotRange } from "../issuance/numbering";
import { createKey, type SignerSet } from "../anchoring/signers";
import { createApiKey, revokeApiKey, type KeyResolver } from "./api-keys";
import { audit, createInstitution, findInstitution } from "../store/institutions";
import { isUniqueViolation } from "../issuance/service";
import type { Registrar } from "./registrar";
import { isValidCreditCode } from "../issuance/check-digits";
import { freeText } from "../issuance/free-text";

export interface IssuerDeps {
  db: Db;
  signers: SignerSet;
  registrar: Registrar;
  keys: KeyResolver;
  /** unlocks/locks new keys in the keystore; absent when the deployment has no keystore */
  keystorePassword?: string;
  /** development chains: new accounts get gas money from the bureau */
  fundNewAccounts: boolean;
  /** after a reinstatement: the anchoring worker re-checks the accounts the registry refused */
  onReinstated?: () => void;
}

export interface Actor {
  institutionId: string;
  ip: string | null;
}

export const billNo = z.number().int().min(1).max(9_999_999_999);
const rangeShape = z
  .object({ start: billNo.describe("The first bill number of the range."), end: billNo.describe("The last bill number (not below start).") })
  .strict()
  .refine((r) => r.end >= r.start, { message: "end must not be below start", path: ["end"] });
export const billCode = z
  .string()
  .regex(/^\d{8}$/, "must be 8 digits")
  .describe("票据代码, 8 digits.");

export const admitBody = z
  .object({
    name: freeText(100, { min: 2 }).describe("The institution's name, 2–100 characters."),
    creditCode: z
      .string()
      .trim()
      .toUpperCase()
      .refine(isValidCreditCode, "not a valid unified social credit code (GB 32100-2015 check character)")
      .describe("统一社会信用代码 (GB 32100)."),
    kind: z.enum(["medical", "donation"]).describe("The kind of bills it issues."),
    account: z
      .string()
      .refine((a) => isAddress(a), "must be a 0x-prefixed 20-byte address")
      .optional()
      .describe("Its own chain account; without it a key is made in the keystore."),
    billCode,
    range: rangeShape.describe("Its first bill-number range."),
  })
  .strict();

export type AdmitInput = z.output<typeof admitBody>;

async function rangeIsFree(db: Db, billCode: string, start: number, end: number): Promise<boolean> {
  const hit = await db
    .selectFrom("bill_ranges")
    .select("id")
    .where("bill_code", "=", billCode)
    .where("start_number", "<=", end)
    .where("end_number", ">=", start)
    .executeTakeFirst();
  return !hit;
}

async function assertNew(d: IssuerDeps, input: AdmitInput, account: string | undefined): Promise<void> {
  let q = d.db.selectFrom("institutions").select("id").where("credit_code", "=", input.creditCode);
  if (account)
    q = d.db
      .selectFrom("institutions")
      .select("id")
      .where((eb) => eb.or([eb("credit_code", "=", input.creditCode), eb("account", "=", account)]));
  if (await q.executeTakeFirst()) throw new ApiError("ISSUER_EXISTS");
  if (!(await rangeIsFree(d.db, input.billCode, input.range.start, input.range.end))) {
    throw new ApiError("INVALID_BODY", "the range overlaps a range already allotted for this bill code", {
      errors: [{ path: "range", code: "RANGE_OVERLAP", message: "overlaps an allotted range" }],
    });
  }
}

export async function chainAccount(
  d: Pick<IssuerDeps, "db" | "signers" | "keystorePassword">,
  given: string | undefined,
): Promise<{ account: string; created: boolean }> {
  if (given) {
    const account = getAddress(given);
    if (!d.signers.has(account)) {
      throw new ApiError("INVALID_BODY", "the service holds no signing key for this account; load it (keystore or SIGNER_PRIVATE_KEYS) or omit account", {
        errors: [{ path: "account", code: "NO_SIGNING_KEY", message: "no signing key loaded for this account" }],
      });
    }
    return { account, created: false };
  }
  if (!d.keystorePassword) throw new ApiError("INVALID_BODY", "no keystore is configured (KEYSTORE_PASSWORD): give the issuer's account");
  return { account: await createKey(d.db, d.signers, d.keystorePassword), created: true };
}

export async function admitIssuer(d: IssuerDeps, input: AdmitInput, actor: Actor): Promise<{ issuer: Institution; apiKey: string; txHash: string | null }> {
  await assertNew(d, input, input.account ? getAddress(input.account) : undefined);
  const { account, created } = await chainAccount(d, input.account);
  if (created && d.fundNewAccounts) await d.registrar.fund(account);
  const txHash = await d.registrar.admit(account, input.kind, input.creditCode);
  const rangeTx = await d.registrar.allot(account, input.billCode, input.range.start, input.range.end);
  // The institution, its range, its first key and the audit entry are written together, or not at all.
  const { issuer, key } = await d.db
    .transaction()
    .execute(async (trx) => {
      const issuer = await createInstitution(trx, { role: "issuer", name: input.name, creditCode: input.creditCode, billKind: input.kind, account });
      const rangeId = await allotRange(trx, {
        institutionId: issuer.id,
        billCode: input.billCode,
        start: input.range.start,
        end: input.range.end,
        txHash: rangeTx,
      });
      const key = await createApiKey(trx, issuer, "first key");
      await audit(trx, {
        actor: actor.institutionId,
        ip: actor.ip,
        action: "issuer.admit",
        subject: issuer.id,
        detail: { name: input.name, creditCode: input.creditCode, kind: input.kind, account, accountCreated: created, rangeId, keyId: key.id, txHash },
      });
      return { issuer, key };
    })
    .catch(async (err) => {
      const overlap = err instanceof ApiError && err.code === "VALIDATION_FAILED";
      if (!isUniqueViolation(err) && !overlap) throw err;
      // A concurrent admission took the credit code, the account or the range after the checks: what
      // was done on chain is recorded, and the caller learns why nothing was admitted.
      await audit(d.db, {
        actor: actor.institutionId,
        ip: actor.ip,
        action: "issuer.admit_refused",
        subject: account,
        detail: {
          name: input.name,
          creditCode: input.creditCode,
          kind: input.kind,
          account,
          txHash,
          rangeTx,
          why: overlap ? "range allotted meanwhile" : "credit code or account taken meanwhile",
        },
      });
      if (overlap)
        throw new ApiError("INVALID_BODY", "the range was allotted to another issuer meanwhile", {
          errors: [{ path: "range", code: "RANGE_OVERLAP", message: "overlaps an allotted range" }],
        });
      throw new ApiError("ISSUER_EXISTS", "An institution with this credit code or account was admitted meanwhile");
    });
  return { issuer, apiKey: key.key, txHash };
}

export async function findIssuer(db: Db, id: string): Promise<Institution & { account: string }> {
  const inst = await findInstitution(db, id);
  if (!inst || inst.role !== "issuer" || !inst.account) throw new ApiError("NOT_FOUND", "No issuer with this id");
  return inst as Institution & { account: string };
}

export async function setIssuerStatus(
  d: IssuerDeps,
  id: string,
  status: "active" | "suspended",
  actor: Actor,
  reason?: string,
): Promise<{ issuer: Institution; txHash: string | null }> {
  const inst = await findIssuer(d.db, id);
  const txHash = status === "suspended" ? await d.registrar.suspend(inst.account) : await d.registrar.reinstate(inst.account);
  await d.db.transaction().execute(async (trx) => {
    await trx.updateTable("institutions").set({ status }).where("id", "=", id).execute();
    await audit(trx, {
      actor: actor.institutionId,
      ip: actor.ip,
      action: status === "suspended" ? "issuer.suspend" : "issuer.reinstate",
      subject: id,
      detail: { account: inst.account, txHash, from: inst.status, ...(reason ? { reason } : {}) },
    });
  });
  d.keys.invalidate();
  if (status === "active") d.onReinstated?.();
  return { issuer: { ...inst, status }, txHash };
}

export async function addRange(d: IssuerDeps, id: string, r: { billCode: string; start: number; end: number }, actor: Actor): Promise<string> {
  const inst = await findIssuer(d.db, id);
  if (!(await rangeIsFree(d.db, r.billCode, r.start, r.end))) {
    throw new ApiError("INVALID_BODY", "the range overlaps a range already allotted for this bill code", {
      errors: [{ path: "start", code: "RANGE_OVERLAP", message: "overlaps an allotted range" }],
    });
  }
  const txHash = await d.registrar.allot(inst.account, r.billCode, r.start, r.end);
  const rangeId = await allotRange(d.db, { institutionId: id, ...r, txHash });
  await audit(d.db, { actor: actor.institutionId, ip: actor.ip, action: "issuer.range", subject: id, detail: { rangeId, ...r, txHash } });
  return rangeId;
}

export async function newIssuerKey(d: IssuerDeps, id: string, label: string, actor: Actor): Promise<{ id: string; key: string }> {
  const inst = await findIssuer(d.db, id);
  const key = await createApiKey(d.db, inst, label);
  await audit(d.db, { actor: actor.institutionId, ip: actor.ip, action: "key.create", subject: id, detail: { keyId: key.id, label } });
  return key;
}

export async function revokeIssuerKey(d: IssuerDeps, id: string, keyId: string, actor: Actor): Promise<void> {
  await findIssuer(d.db, id);
  const row = await d.db.selectFrom("api_keys").select(["id", "revoked_at"]).where("id", "=", keyId).where("institution_id", "=", id).executeTakeFirst();
  if (!row) throw new ApiError("NOT_FOUND", "No key with this id for this issuer");
  if (await revokeApiKey(d.db, keyId)) {
    await audit(d.db, { actor: actor.institutionId, ip: actor.ip, action: "key.revoke", subject: id, detail: { keyId } });
  }
  d.keys.invalidate();
}
