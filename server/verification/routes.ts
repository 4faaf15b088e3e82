/**
 * The public ways in (SPEC §4): the QR page GET /v/:id?k=…, POST /api/v1/verify (a PDF) and
 * POST /api/v1/verify/manual (the five 查验 fields). No API key; one per-client rate limit shared by
 * all three, counted before any lookup so that it also slows down key guessing.
 */
import express, { Router, type Request, type RequestHandler, type Response } from "express";
import { z } from "zod";
import { ApiError, type FieldIssue } from "../http/errors";
import { sendProblem } from "../http/problem";
import { RateLimiter, clientKey, type RateLimitStore } from "../http/rate-limit";
import { envelopeOf, findBill } from "../issuance/bills-repo";
import { parseAmount } from "../issuance/money";
import type { BillEnvelope } from "../issuance/model";
import type { RenderOptions } from "../pdf/render";
import { PdfParseBusyError, PdfParseTimeoutError } from "../pdf/parse-pool";
import { inThreadParser, type UploadParser } from "../pdf/upload-parser";
import { deliveredFile } from "../store/delivered-files";
import type { Db } from "../store/database";
import type { BillRow } from "../store/schema";
import type { ChainView } from "./chain-view";
import { ChainFacts } from "./chain-facts";
import type { MarksWatch } from "./marks-watch";
import { pageCsp, rateLimitedPage, verificationPage } from "./page";
import { linkNotFoundPage } from "./check-page";
import { basePathOf } from "../http/html";
import { fileCheck, withFileCheck, type FileCheckDeps } from "./file-check";
import { keyMatches } from "./printed-qr";
import { readOfd } from "../ofd/read";
import { ofdFileDeps } from "../ofd/file-format";
import { anchorProofOf, findBillForScan, findByNumber, scanStoreView, storeView } from "./store-view";
import type { Verification } from "./types";
import { copyOf, sendCopy, withholdNames, type CopyDeps } from "./copies";
import { copyMacMatches, parseWithhold } from "../issuance/redaction";
import { verifyEnvelope, verifyStored, type VerifyContext } from "./verifier";
import { printedFields } from "../issuance/printed-fields";

export interface VerificationDeps {
  db: Db;
  chain: ChainView;
  minConfirmations: number;
  ratePerMin: number;
  /** where the per-client windows are counted (shared by replicas on PostgreSQL); default memory */
  limits?: RateLimitStore;
  /** largest PDF accepted by POST /api/v1/verify, in bytes */
  maxPdfBytes?: number;
  /**
   * this service's PUBLIC_BASE_URL: the QR code printed on an uploaded PDF must point here. Without
   * it only the path of the printed link (/v/<id>?k=…) and the bill it names are checked.
   */
  publicBaseUrl?: string;
  /** renders an uploaded bill again to compare the files (the worker pool); default: in this thread */
  renderPdf?: (envelope: BillEnvelope, options: RenderOptions) => Promise<Buffer>;
  /** reads uploads (extract, hash, compare): the parse pool, off the request thread; default: in this thread */
  parser?: UploadParser;
  /** the registry's mark events, followed (marks-watch.ts): bills' marks are then re-read only when they change */
  marksWatch?: MarksWatch;
  /** the bill's OFD file as issued (signed with its issuer's SM2 key), for the holder's download; absent: no download */
  renderOfd?: (bill: BillRow) => Promise<Buffer>;
  /** re-creates an uploaded OFD package with its own SignedValue.dat (the worker pool); default: in this thread */
  renderOfdWith?: (envelope: BillEnvelope, verifyUrl: string, signedValue: Uint8Array) => Promise<Buffer>;
}

export const wantsJson = (req: Request) => req.accepts(["html", "json"]) === "json";

export function sendPage(res: Response, status: number, html: string): void {
  res.status(status).setHeader("Content-Security-Policy", pageCsp());
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("X-Robots-Tag", "noindex");
  res.type("html").send(html);
}

function rateLimit(limiter: RateLimiter, base: string | null): RequestHandler {
  return async (req, res, next) => {
    const wait = await limiter.hit(clientKey(req.ip));
    if (wait === 0) return next();
    res.setHeader("Retry-After", String(wait));
    if (base !== null && !wantsJson(req)) return sendPage(res, 429, rateLimitedPage(wait, base));
    sendProblem(res, new ApiError("RATE_LIMITED", `Too many verifications from this address; retry in ${wait} s`, { retryAfter: wait }));
  };
}

export const manualBody = z.strictObject({
  ...printedFields,
  issueDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD")
    .describe("开票日期 as printed, YYYY-MM-DD."),
  total: z
    .string()
    .refine((t) => parseAmount(t).ok, "must be a decimal amount with at most two fraction digits")
    .meta({ type: "string", pattern: "^(0|[1-9]\\d{0,11})(\\.\\d{1,2})?$", description: "The total as printed, a decimal string." }),
});
export type ManualFields = z.output<typeof manualBody>;

export function fieldIssues(err: z.ZodError): FieldIssue[] {
  return err.issues.map((i) => ({
    path: i.path.join(".") || "(body)",
    code: i.code === "unrecognized_keys" ? "UNKNOWN_FIELD" : "INVALID_VALUE",
    message: i.message,
  }));
}

/** All five printed fields must match; which one did not is never said. */
function manualMatches(bill: BillRow | undefined, m: ManualFields): bill is BillRow {
  const fen = parseAmount(m.total);
  const checks = [
    bill?.check_code.toUpperCase() === m.checkCode,
    bill?.issue_date === m.issueDate,
    fen.ok && bill !== undefined && BigInt(bill.total_fen) === fen.value,
  ];
  return bill !== undefined && checks.every(Boolean);
}

/** The verifications behind every way in, for the JSON API and the holder pages alike. */
export interface VerificationCore {
  limiter: RateLimiter;
  /** the QR link: undefined when the id is unknown or the key wrong (indistinguishable) */
  scan(id: string, key: unknown): Promise<{ v: Verification; row: BillRow } | undefined>;
  /** the five printed fields: undefined when no bill matches all five */
  manual(m: ManualFields): Promise<{ v: Verification; row: BillRow } | undefined>;
  /** an uploaded PDF: the stored bill when it is the very bill the file carries */
  pdf(body: Buffer): Promise<{ ok: true; v: Verification; envelope: BillEnvelope; row: BillRow | undefined } | { ok: false; code: string; message: string }>;
}

export function verificationRoutes(d: VerificationDeps): { page: Router; api: Router; core: VerificationCore } {
  const limiter = new RateLimiter(d.ratePerMin, 60_000, { store: d.limits, name: "verify" });
  const store = storeView(d.db);
  // what may be remembered of the chain's answers, and for how long: chain-facts.ts
  const facts = new ChainFacts(d.chain, { minConfirmations: d.minConfirmations, watch: d.marksWatch });
  const ctx: VerifyContext = { chain: d.chain, minConfirmations: d.minConfirmations, store, facts };
  const chainRef = { chainId: d.chain.chainId ?? 0, registry: d.chain.registry };
  const answer = (res: Response, v: Verification) => res.setHeader("Cache-Control", "no-store").json(v);
  const maxPdf = d.maxPdfBytes ?? 5 * 1024 * 1024;
  // pdfkit and the font load in the PDF worker threads; in this thread only when no pool is given
  const render = d.renderPdf ?? (async (envelope, o) => (await import("../pdf/render")).renderBillPdf(envelope, o));
  const parser = d.parser ?? inThreadParser;
  const files: FileCheckDeps = {
    render: (envelope, verifyUrl) => render(envelope, { verifyUrl }),
    compare: (pdf, reference) => parser.compare(pdf, reference),
    service: {
      findByNumber: (billCode, billNumber) => findByNumber(d.db, billCode, billNumber),
      delivered: (billId, sha256) => deliveredFile(d.db, billId, sha256),
      findBill: (id) => findBill(d.db, id),
      publicBaseUrl: d.publicBaseUrl,
    },
  };

  const core: VerificationCore = {
    limiter,
    async scan(id, key) {
      // one store read: the bill with its batch's anchor columns
      const scanned = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await findBillForScan(d.db, id) : undefined;
      if (!keyMatches(key, scanned?.row) || !scanned) return undefined;
      const v = await verifyStored(scanned.row.envelope, anchorProofOf(scanned, chainRef), { ...ctx, store: scanStoreView(d.db, store, scanned.row) });
      return { v, row: scanned.row };
    },
    async manual(m) {
      const bill = await findByNumber(d.db, m.billCode, m.billNumber);
      if (!manualMatches(bill, m)) return undefined;
      return { v: await verifyEnvelope(await envelopeOf(d.db, bill, chainRef), ctx), row: bill };
    },
    async pdf(body) {
      // read in the parse workers, off this thread, with a deadline (a crafted file throws FILE_TOO_COMPLEX)
      const { result: extracted, sha256 } = await parser.extract(body, { maxInputBytes: maxPdf }).catch(uploadFailure);
      if (!extracted.ok) return { ok: false, code: extracted.code, message: extracted.message };
      // the file must be exactly the file issued for the bill it carries, its printed link this bill's (file-check.ts)
      const [v, file] = await Promise.all([
        withStoredAnchor(d.db, extracted.envelope, chainRef).then((e) => verifyEnvelope(e, ctx)),
        fileCheck(body, extracted.envelope, files, { sha256 }),
      ]);
      const env = extracted.envelope as BillEnvelope;
      const row = typeof env?.bill?.billCode === "string" ? await findByNumber(d.db, env.bill.billCode, String(env.bill.billNumber)) : undefined;
      const same = row !== undefined && typeof env.leaf === "string" && row.leaf.toLowerCase() === env.leaf.toLowerCase();
      return { ok: true, v: withFileCheck(v, file), envelope: env, row: same ? row : undefined };
    },
  };
  /** An uploaded OFD package: the same checks and file rule as a PDF (server/ofd/file-format.ts). */
  async function verifyOfdUpload(body: Buffer): Promise<Verification> {
    const read = readOfd(body);
    if (!read.ok) throw new ApiError("OFD_INVALID", read.message, { extractCode: `OFD_${read.code}` });
    const [v, file] = await Promise.all([
      withStoredAnchor(d.db, read.attachment, chainRef).then((e) => verifyEnvelope(e, ctx)),
      fileCheck(body, read.attachment, { ...ofdFileDeps(read, d.renderOfdWith), service: files.service }),
    ]);
    return withFileCheck(v, file);
  }

  const page = Router();

  // The holder's redacted copies: whoever has the QR link (its key k) is the holder.
  const base = basePathOf(d.publicBaseUrl);
  const copies: CopyDeps = { db: d.db, chain: chainRef, baseUrl: d.publicBaseUrl ?? "", render };
  const byKey = async (id: string, k: unknown) => {
    const scanned = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await findBillForScan(d.db, id) : undefined;
    return keyMatches(k, scanned?.row) && scanned ? scanned : undefined;
  };
  for (const format of ["pdf", "json"] as const) {
    page.get(`/v/:id/copy.${format}`, rateLimit(limiter, base), async (req, res) => {
      const scanned = await byKey(String(req.params.id), req.query.k);
      if (!scanned) throw new ApiError("NOT_FOUND", "No bill at this address");
      await sendCopy(copies, res, scanned.row, withholdNames(req.query.withhold), format);
    });
  }
  // A copy's own link (its QR code): the verification of the copy, with what it withholds, and nothing more.
  page.get("/v/:id/copy", rateLimit(limiter, base), async (req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("X-Robots-Tag", "noindex");
    const parsed = parseWithhold(req.query.w);
    const scanned = /^[A-Za-z0-9_-]{1,64}$/.test(String(req.params.id)) ? await findBillForScan(d.db, String(req.params.id)) : undefined;
    if (!scanned || !parsed.ok || !copyMacMatches(scanned.row.verify_key, parsed.names, req.query.c)) {
      if (wantsJson(req)) return sendProblem(res, new ApiError("NOT_FOUND", "No bill at this address"));
      return sendPage(res, 404, linkNotFoundPage(base));
    }
    const { envelope } = await copyOf(copies, scanned.row, parsed.names);
    const v = await verifyEnvelope(envelope, { ...ctx, store: scanStoreView(d.db, store, scanned.row) });
    if (wantsJson(req)) return answer(res, v);
    sendPage(res, 200, verificationPage(v, new Date(), { base }));
  });
  // the JSON answer here; the page in holder-routes.ts
  page.get(
    "/v/:id",
    (req, _res, next) => next(wantsJson(req) ? undefined : "route"),
    rateLimit(limiter, null),
    async (req, res) => {
      res.setHeader("Cache-Control", "no-store");
      const found = await core.scan(String(req.params.id), req.query.k);
      // no `instance`: the answer must not even echo which id was asked for
      if (!found) return sendProblem(res, new ApiError("NOT_FOUND", "No bill at this address"));
      answer(res, found.v);
    },
  );

  // the holder's OFD copy of the bill: the same key as the page, the same answer for any wrong id or key
  page.get("/v/:id/ofd", rateLimit(limiter, base), async (req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("X-Robots-Tag", "noindex");
    const scanned = /^[A-Za-z0-9_-]{1,64}$/.test(String(req.params.id)) ? await findBillForScan(d.db, String(req.params.id)) : undefined;
    if (!d.renderOfd || !keyMatches(req.query.k, scanned?.row) || !scanned) return sendProblem(res, new ApiError("NOT_FOUND", "No bill at this address"));
    const ofd = await d.renderOfd(scanned.row);
    res.type("application/ofd").setHeader("Content-Disposition", `attachment; filename="${scanned.row.bill_code}-${scanned.row.bill_number}.ofd"`).send(ofd);
  });

  const api = Router();
  api.use(rateLimit(limiter, null));
  api.post("/", express.raw({ type: () => true, limit: maxPdf }), async (req, res) => {
    if (req.is("application/ofd")) return answer(res, await verifyOfdUpload(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)));
    if (!req.is("application/pdf"))
      throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Send the bill as the request body with Content-Type: application/pdf or application/ofd");
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const r = await core.pdf(body);
    if (!r.ok && r.code === "PDF_TOO_COMPLEX") throw new ApiError("FILE_TOO_COMPLEX", r.message, { limit: "objects" });
    if (!r.ok) throw new ApiError("PDF_INVALID", r.message, { extractCode: r.code });
    answer(res, r.v);
  });
  api.post("/manual", async (req, res) => {
    if (!req.is("application/json")) throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Send the five fields as application/json");
    const parsed = manualBody.safeParse(req.body ?? {});
    if (!parsed.success) throw new ApiError("INVALID_BODY", "Give billCode, billNumber, checkCode, issueDate and total", { errors: fieldIssues(parsed.error) });
    const found = await core.manual(parsed.data);
    if (!found) throw new ApiError("BILL_NOT_FOUND", "No bill matches these five fields");
    answer(res, found.v);
  });
  return { page, api, core };
}

/** The parse pool's refusals as problems: a parse past its deadline is the file's fault, a full queue the service's. */
function uploadFailure(err: unknown): never {
  if (err instanceof PdfParseTimeoutError) throw new ApiError("FILE_TOO_COMPLEX", `${err.message}: the file is not read further`, { limit: "time" });
  if (err instanceof PdfParseBusyError) throw new ApiError("SERVICE_BUSY", err.message, { retryAfter: 1 });
  throw err;
}

/**
 * A PDF saved before its bill was anchored carries no proof. When the store holds this very bill
 * (same code, number and leaf) anchored since, its proof is used, so the holder of an early PDF sees
 * VALID rather than a PENDING that never ends. The proof is still checked against the chain.
 */
async function withStoredAnchor(db: Db, envelope: unknown, chain: { chainId: number; registry: string }): Promise<unknown> {
  const e = envelope as Partial<BillEnvelope> | null;
  if (!e || typeof e !== "object" || e.anchor !== null || typeof e.leaf !== "string") return envelope;
  const b = e.bill as { billCode?: unknown; billNumber?: unknown } | undefined;
  if (typeof b?.billCode !== "string" || typeof b.billNumber !== "string") return envelope;
  const row = await findByNumber(db, b.billCode, b.billNumber);
  if (!row || row.leaf.toLowerCase() !== e.leaf.toLowerCase()) return envelope;
  const stored = await envelopeOf(db, row, chain);
  return stored.anchor ? { ...e, anchor: stored.anchor } : envelope;
}
