/**
 * Relying parties (insurers, employers, tax offices) admitted by the bureau: the relying-party role on
 * chain for their account, an institution in the store, and API keys. Every change is audited.
 */
import { Router, type Request } from "express";
import { z } from "zod";
import { isAddress } from "ethers";
import type { Db } from "../store/database";
import type { Institution } from "../store/schema";
import { ApiError } from "../http/errors";
import { principalOf, requireRole } from "../http/auth";
import { isValidCreditCode } from "../issuance/check-digits";
import { createApiKey, revokeApiKey } from "./api-keys";
import { audit, createInstitution, findInstitution } from "./institutions";
import { keyBody } from "./issuer-routes";
import { chainAccount, type IssuerDeps } from "./issuers";
import { parseBody } from "./input";

export const relyingPartyBody = z
  .object({
    name: z.string().trim().min(2).max(100).describe("The relying party's name, 2–100 characters."),
    creditCode: z.string().trim().toUpperCase().refine(isValidCreditCode, "not a valid unified social credit code (GB 32100-2015 check character)").describe("统一社会信用代码 (GB 32100)."),
    account: z.string().refine((a) => isAddress(a), "must be a 0x-prefixed 20-byte address").optional().describe("Its own chain account; without it a key is made in the keystore."),
  })
  .strict();


function present(i: Institution) {
  return { id: i.id, name: i.name, creditCode: i.credit_code, account: i.account, status: i.status, admittedAt: new Date(i.created_at).toISOString() };
}

async function findParty(db: Db, id: string): Promise<Institution> {
  const inst = await findInstitution(db, id);
  if (!inst || inst.role !== "relying_party") throw new ApiError("NOT_FOUND", "No relying party with this id");
  return inst;
}

const actor = (req: Request) => ({ actor: principalOf(req).institution.id, ip: req.ip ?? null });

export function relyingPartyRoutes(d: IssuerDeps): Router {
  const r = Router();
  r.use(requireRole("bureau"));

  r.post("/", async (req, res) => {
    const body = parseBody(relyingPartyBody, req);
    const taken = await d.db.selectFrom("institutions").select("id").where("credit_code", "=", body.creditCode).executeTakeFirst();
    if (taken) throw new ApiError("ISSUER_EXISTS", "An institution with this credit code exists");
    const { account, created } = await chainAccount(d, body.account);
    if (created && d.fundNewAccounts) await d.registrar.fund(account);
    const txHash = await d.registrar.grantRelyingParty(account);
    const party = await createInstitution(d.db, { role: "relying_party", name: body.name, creditCode: body.creditCode, account });
    const key = await createApiKey(d.db, party, "first key");
    await audit(d.db, { ...actor(req), action: "relying_party.admit", subject: party.id, detail: { name: body.name, account, accountCreated: created, keyId: key.id, txHash } });
    res.status(201).location(`/api/v1/relying-parties/${party.id}`).json({ ...present(party), apiKey: key.key, txHash });
  });

  r.get("/", async (_req, res) => {
    const rows = await d.db.selectFrom("institutions").selectAll().where("role", "=", "relying_party").orderBy("created_at").execute();
    res.json({ items: rows.map(present) });
  });

  r.post("/:id/keys", async (req, res) => {
    const party = await findParty(d.db, String(req.params.id));
    const body = parseBody(keyBody, req);
    const key = await createApiKey(d.db, party, body.label);
    await audit(d.db, { ...actor(req), action: "key.create", subject: party.id, detail: { keyId: key.id, label: body.label } });
    res.status(201).json({ id: key.id, apiKey: key.key, label: body.label });
  });

  r.delete("/:id/keys/:keyId", async (req, res) => {
    const party = await findParty(d.db, String(req.params.id));
    const row = await d.db.selectFrom("api_keys").select("id").where("id", "=", String(req.params.keyId)).where("institution_id", "=", party.id).executeTakeFirst();
    if (!row) throw new ApiError("NOT_FOUND", "No key with this id for this relying party");
    if (await revokeApiKey(d.db, row.id)) await audit(d.db, { ...actor(req), action: "key.revoke", subject: party.id, detail: { keyId: row.id } });
    d.keys.invalidate();
    res.status(204).end();
  });

  return r;
}
