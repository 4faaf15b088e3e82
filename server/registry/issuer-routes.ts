/**
 * /api/v1/issuers (bureau key): admit, list, show, suspend, reinstate, ranges, API keys.
 */
import { Router, type Request } from "express";
import { z } from "zod";
import { requireRole, principalOf } from "../http/auth";
import {
  admitBody,
  admitIssuer,
  addRange,
  billCode,
  billNo,
  findIssuer,
  newIssuerKey,
  revokeIssuerKey,
  setIssuerStatus,
  type Actor,
  type IssuerDeps,
} from "./issuers";
import { issuerDetail, listIssuers } from "./issuer-views";
import { parseBody, parseQuery } from "../http/input";
import { freeText } from "../issuance/free-text";

export { admitBody };

export const rangeBody = z
  .object({ billCode, start: billNo.describe("The first bill number of the range."), end: billNo.describe("The last bill number (not below start).") })
  .strict()
  .refine((r) => r.end >= r.start, { message: "end must not be below start", path: ["end"] });
export const keyBody = z.object({ label: freeText(80).default("api key").describe("A label for the key, 1–80 characters.") }).strict();
export const statusBody = z.object({ reason: freeText(200, { allowEmpty: true }).optional().describe("Why, for the audit log.") }).strict();
export const issuerListQuery = z
  .object({
    kind: z.enum(["medical", "donation"]).optional().describe("Only issuers of this kind of bill."),
    status: z.enum(["active", "suspended"]).optional().describe("Only issuers in this state."),
  })
  .strict();

function actorOf(req: Request): Actor {
  return { institutionId: principalOf(req).institution.id, ip: req.ip ?? null };
}

export function issuerRoutes(d: IssuerDeps): Router {
  const r = Router();
  r.use(requireRole("bureau"));

  r.post("/", async (req, res) => {
    const body = parseBody(admitBody, req);
    const { issuer, apiKey, txHash } = await admitIssuer(d, body, actorOf(req));
    const detail = await issuerDetail(d.db, issuer);
    res
      .status(201)
      .location(`/api/v1/issuers/${issuer.id}`)
      .json({ ...detail, apiKey, txHash });
  });

  r.get("/", async (req, res) => {
    const q = parseQuery(issuerListQuery, req);
    res.json({ items: await listIssuers(d.db, q) });
  });

  r.get("/:id", async (req, res) => {
    const inst = await findIssuer(d.db, String(req.params.id));
    res.json({ ...(await issuerDetail(d.db, inst)), chain: await d.registrar.issuerState(inst.account) });
  });

  for (const [path, status] of [
    ["suspend", "suspended"],
    ["reinstate", "active"],
  ] as const) {
    r.post(`/:id/${path}`, async (req, res) => {
      const body = req.is("application/json") ? parseBody(statusBody, req) : {};
      const { issuer, txHash } = await setIssuerStatus(d, String(req.params.id), status, actorOf(req), body.reason);
      res.json({ ...(await issuerDetail(d.db, issuer)), txHash });
    });
  }

  r.post("/:id/ranges", async (req, res) => {
    const body = parseBody(rangeBody, req);
    const rangeId = await addRange(d, String(req.params.id), body, actorOf(req));
    const detail = await issuerDetail(d.db, await findIssuer(d.db, String(req.params.id)));
    res.status(201).json({ rangeId, ranges: detail.ranges });
  });

  r.post("/:id/keys", async (req, res) => {
    const body = req.is("application/json") ? parseBody(keyBody, req) : { label: "api key" };
    const key = await newIssuerKey(d, String(req.params.id), body.label, actorOf(req));
    res.status(201).json({ id: key.id, apiKey: key.key, label: body.label });
  });

  r.delete("/:id/keys/:keyId", async (req, res) => {
    await revokeIssuerKey(d, String(req.params.id), String(req.params.keyId), actorOf(req));
    res.status(204).end();
  });

  return r;
}
