/**
 * Relying parties (insurers, employers, tax offices) admitted by the bureau: the relying-party role on
 * chain for their account, an institution in the store, and API keys. Every change is audited.
 */
import { Router, type Request } from "express";
import { z } from "zod";
import { getAddress, isAddress } from "ethers";
import type { Db } from "../store/database";
import { isUniqueViolation } from "../issuance/service";
import type { Institution } from "../store/schema";
import { ApiError } from "../http/errors";
import { principalOf, requireRole } from "../http/auth";
import { isValidCreditCode } from "../issuance/check-digits";
import { createApiKey, revokeApiKey } from "./api-keys";
import { audit, createInstitution, findInstitution } from "../store/institutions";
import { keyBody } from "./issuer-routes";
import { chainAccount, type IssuerDeps } from "./issuers";
import { parseBody } from "../http/input";
import { freeText } from "../issuance/free-text";
import { isoTime } from "../format/time";

export const relyingPartyBody = z
  .object({
    name: freeText(100, { min: 2 }).describe("The relying party's name, 2–100 characters."),
    creditCode: z
      .string()
      .trim()
      .toUpperCase()
      .refine(isValidCreditCode, "not a valid unified social credit code (GB 32100-2015 check character)")
      .describe("统一社会信用代码 (GB 32100)."),
    account: z
      .string()
      .refine((a) => isAddress(a), "must be a 0x-prefixed 20-byte address")
      .optional()
      .describe("Its own chain account; without it a key is made in the keystore."),
  })
  .strict();

function present(i: Institution) {
  return { id: i.id, name: i.name, creditCode: i.credit_code, account: i.account, status: i.status, admittedAt: isoTime(i.created_at) };
}

async function findParty(db: Db, id: string): Promise<Institution> {
  const inst = await findInstitution(db, id);
  if (!inst || inst.role !== "relying_party") throw new ApiError("NOT_FOUND", "No relying party with this id");
  return inst;
}

/** 409 when the credit code or the chain account already belongs to an institution (of any role). */
async function assertFree(db: Db, creditCode: string, account: string | undefined): Promise<void> {
  if (await db.selectFrom("institutions").select("id").where("credit_code", "=", creditCode).executeTakeFirst()) {
    throw new ApiError("ISSUER_EXISTS", "An institution with this credit code exists");
  }
  if (account && (await db.selectFrom("institutions").select("id").where("account", "=", account).executeTakeFirst())) {
    throw new ApiError("ISSUER_EXISTS", `The account ${account} already belongs to an institution`, {
      errors: [{ path: "account", code: "ACCOUNT_IN_USE", message: "already belongs to an institution" }],
    });
  }
}

const actor = (req: Request) => ({ actor: principalOf(req).institution.id, ip: req.ip ?? null });

export async function listRelyingParties(db: Db) {
  const rows = await db.selectFrom("institutions").selectAll().where("role", "=", "relying_party").orderBy("created_at").execute();
  return rows.map(present);
}

/** A relying party's keys (without the secrets). */
export async function partyKeys(db: Db, id: string) {
  const party = await findParty(db, id);
  const keys = await db
    .selectFrom("api_keys")
    .select(["id", "label", "created_at", "revoked_at"])
    .where("institution_id", "=", party.id)
    .orderBy("created_at")
    .execute();
  return {
    party: present(party),
    keys: keys.map((k) => ({
      id: k.id,
      label: k.label,
      createdAt: isoTime(k.created_at),
      revokedAt: isoTime(k.revoked_at),
    })),
  };
}

export async function newPartyKey(d: IssuerDeps, id: string, label: string, who: { actor: string; ip: string | null }) {
  const party = await findParty(d.db, id);
  const key = await createApiKey(d.db, party, label);
  await audit(d.db, { ...who, action: "key.create", subject: party.id, detail: { keyId: key.id, label } });
  return key;
}

export async function revokePartyKey(d: IssuerDeps, id: string, keyId: string, who: { actor: string; ip: string | null }): Promise<void> {
  const party = await findParty(d.db, id);
  const row = await d.db.selectFrom("api_keys").select("id").where("id", "=", keyId).where("institution_id", "=", party.id).executeTakeFirst();
  if (!row) throw new ApiError("NOT_FOUND", "No key with this id for this relying party");
  if (await revokeApiKey(d.db, row.id)) await audit(d.db, { ...who, action: "key.revoke", subject: party.id, detail: { keyId: row.id } });
  d.keys.invalidate();
}

/** Admits a relying party (the API's and the console's one way): chain role, institution, first key, audit. */
export async function admitRelyingParty(d: IssuerDeps, body: z.output<typeof relyingPartyBody>, who: { actor: string; ip: string | null }) {
  // Everything the store would refuse is checked before the chain is touched.
  await assertFree(d.db, body.creditCode, body.account ? getAddress(body.account) : undefined);
  const { account, created } = await chainAccount(d, body.account);
  if (created && d.fundNewAccounts) await d.registrar.fund(account);
  const txHash = await d.registrar.grantRelyingParty(account);
  // The institution, its first key and the audit entry are written together, or not at all.
  const admitted = await d.db
    .transaction()
    .execute(async (trx) => {
      const party = await createInstitution(trx, { role: "relying_party", name: body.name, creditCode: body.creditCode, account });
      const key = await createApiKey(trx, party, "first key");
      await audit(trx, {
        ...who,
        action: "relying_party.admit",
        subject: party.id,
        detail: { name: body.name, account, accountCreated: created, keyId: key.id, txHash },
      });
      return { party, key };
    })
    .catch(async (err) => {
      if (!isUniqueViolation(err)) throw err;
      // A concurrent admission took the credit code or the account after the check: the chain
      // change made here is still recorded, and the caller learns why nothing was admitted.
      await audit(d.db, {
        ...who,
        action: "relying_party.admit_refused",
        subject: account,
        detail: { name: body.name, creditCode: body.creditCode, account, txHash, why: "credit code or account taken meanwhile" },
      });
      throw new ApiError("ISSUER_EXISTS", "An institution with this credit code or account was admitted meanwhile");
    });
  return { ...admitted, txHash };
}

export function relyingPartyRoutes(d: IssuerDeps): Router {
  const r = Router();
  r.use(requireRole("bureau"));

  r.post("/", async (req, res) => {
    const { party, key, txHash } = await admitRelyingParty(d, parseBody(relyingPartyBody, req), actor(req));
    res
      .status(201)
      .location(`/api/v1/relying-parties/${party.id}`)
      .json({ ...present(party), apiKey: key.key, txHash });
  });

  r.get("/", async (_req, res) => {
    res.json({ items: await listRelyingParties(d.db) });
  });

  r.post("/:id/keys", async (req, res) => {
    const body = parseBody(keyBody, req);
    const key = await newPartyKey(d, String(req.params.id), body.label, actor(req));
    res.status(201).json({ id: key.id, apiKey: key.key, label: body.label });
  });

  r.delete("/:id/keys/:keyId", async (req, res) => {
    await revokePartyKey(d, String(req.params.id), String(req.params.keyId), actor(req));
    res.status(204).end();
  });

  return r;
}
