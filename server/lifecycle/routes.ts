/**
 * POST /api/v1/invoices/:id/void (issuer key) and /api/v1/reimbursements (relying-party key).
 */
import { Router, type Request, type Response } from "express";
import { ApiError } from "../http/errors";
import { z } from "zod";
import { principalOf, requireRole } from "../http/auth";
import type { IssueContext } from "../issuance/service";
import type { ChainMarksReader } from "./chain-marks";
import { billDetail, billSummary } from "../issuance/present";
import { anchorOf, findBill } from "../issuance/bills-repo";
import { parseBody } from "../http/input";
import { freeText } from "../issuance/free-text";
import { voidBill, voidBody } from "./void";
import { markBody, markReimbursed, releaseReimbursement } from "./reimbursement";
import { claimPart, hasOpenClaims, releaseClaim } from "./claims";
import type { RateLimiter } from "../http/rate-limit";

export interface LifecycleDeps extends IssueContext {
  baseUrl: string;
  head(): Promise<number | null>;
  chainMarks: ChainMarksReader;
}

export { voidBody, markBody };

export const releaseClaimBody = z.object({ reference: freeText(100).describe("The reference of the caller's own claim to release.") }).strict();

const numberParams = z.object({ billCode: z.string().regex(/^\d{8}$/), billNumber: z.string().regex(/^\d{10}$/) });

/** Mounted at /invoices/:id/void, beside the issuance router. */
export function voidRoutes(d: LifecycleDeps): Router {
  const r = Router({ mergeParams: true });
  r.post("/", requireRole("issuer"), async (req, res) => {
    // another issuer's bill is unknown to this caller, whatever the body says
    const own = await findBill(d.db, String(req.params.id));
    if (!own || own.institution_id !== principalOf(req).institution.id) throw new ApiError("NOT_FOUND", "No bill with this id");
    const body = parseBody(voidBody, req);
    const { bill, red } = await voidBill(d, principalOf(req).institution, String(req.params.id), body, req.ip ?? null);
    res.json({ ...billDetail(bill, d.baseUrl, await anchorOf(d.db, bill), await d.head()), redBill: billSummary(red, d.baseUrl) });
  });
  return r;
}

export interface ReimbursementDeps {
  db: IssueContext["db"];
  chainMarks: ChainMarksReader;
  onMarked?: (account: string) => void;
  /** attempts per party whose printed fields match no bill (a check-code oracle otherwise) */
  failures: RateLimiter;
}

export function reimbursementRoutes(d: ReimbursementDeps): Router {
  const r = Router();
  r.use(requireRole("relying_party"));

  r.post("/", async (req, res) => {
    const party = principalOf(req).institution;
    const body = parseBody(markBody, req);
    // Counted before the lookup, so that parallel guesses cannot slip past the limit; an attempt whose
    // fields match a bill (marked, or refused for another reason) is taken back.
    const wait = await d.failures.hit(party.id);
    if (wait > 0) {
      throw new ApiError("RATE_LIMITED", `Too many reimbursement attempts by this party matched no bill; retry in ${wait} s`, { retryAfter: wait });
    }
    let matched = true;
    try {
      // a claim in parts, or (no amount) a whole-bill mark; once a bill has claims, "the whole" is what remains
      const mark =
        body.amountFen !== undefined || (await hasOpenClaims(d, body.billCode, body.billNumber))
          ? await claimPart(d, party, body, req.ip ?? null)
          : await markReimbursed(d, party, body, req.ip ?? null);
      res.status(201).json(mark);
    } catch (err) {
      if (err instanceof ApiError && err.code === "BILL_NOT_FOUND") matched = false;
      throw err;
    } finally {
      if (matched) await d.failures.forgive(party.id);
    }
  });

  const release = async (req: Request, res: Response) => {
    const p = numberParams.safeParse(req.params);
    if (!p.success) throw new ApiError("BILL_NOT_FOUND");
    const mark = await releaseReimbursement(d, principalOf(req).institution, p.data.billCode, p.data.billNumber, req.ip ?? null);
    res.json({ ...mark, released: true });
  };
  r.delete("/:billCode/:billNumber", release);
  r.post("/:billCode/:billNumber/release", release);
  r.post("/:billCode/:billNumber/release-claim", async (req, res) => {
    const p = numberParams.safeParse(req.params);
    if (!p.success) throw new ApiError("BILL_NOT_FOUND");
    const body = parseBody(releaseClaimBody, req);
    const out = await releaseClaim(d, principalOf(req).institution, p.data.billCode, p.data.billNumber, body.reference, req.ip ?? null);
    res.json({ ...out, released: true });
  });
  return r;
}
