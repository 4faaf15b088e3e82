/**
 * The holder's pages: the check page at `/` (five 查验 fields, PDF upload), and the verdict page
 * answered by the QR link (/v/:id?k=…), the fields (GET /check) and the upload (POST /check/pdf).
 * They call the same verifications as the JSON API (routes.ts, VerificationCore). No script; every
 * link and form under the path of PUBLIC_BASE_URL.
 */
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from "express";
import { basePathOf } from "../http/html";
import { clientKey } from "../http/rate-limit";
import type { Db } from "../store/database";
import { checkPage, linkNotFoundPage, MANUAL_FIELDS, type CheckPageInput, type ManualName } from "./check-page";
import { filePart } from "./multipart";
import { rateLimitedPage, verificationPage } from "./page";
import { manualCheckUrl, relatedBills } from "./related";
import { manualBody, sendPage, type VerificationCore } from "./routes";
import { textOf } from "../format/text";

export interface HolderPageDeps {
  db: Db;
  core: VerificationCore;
  publicBaseUrl?: string;
  maxPdfBytes?: number;
  /** the service renders OFD files: the holder's page links its download (GET /v/:id/ofd) */
  ofd?: boolean;
}

export function holderRoutes(d: HolderPageDeps): Router {
  const base = basePathOf(d.publicBaseUrl);
  const maxPdf = d.maxPdfBytes ?? 5 * 1024 * 1024;
  const r = Router();
  const limited: RequestHandler = async (req, res, next) => {
    const wait = await d.core.limiter.hit(clientKey(req.ip));
    if (wait === 0) return next();
    res.setHeader("Retry-After", String(wait));
    sendPage(res, 429, rateLimitedPage(wait, base));
  };
  const problem = (res: Response, status: number, p: Omit<CheckPageInput, "base">) => sendPage(res, status, checkPage({ base, ...p }));

  r.get("/", (_req, res) => sendPage(res, 200, checkPage({ base })));

  r.get("/v/:id", limited, async (req, res) => {
    const found = await d.core.scan(String(req.params.id), req.query.k);
    // unknown id, wrong key, missing key: one answer, byte for byte
    if (!found) return sendPage(res, 404, linkNotFoundPage(base));
    const related = await relatedBills(d.db, found.row, base);
    sendPage(
      res,
      200,
      verificationPage(found.v, new Date(), {
        base,
        related,
        holder: { billId: found.row.id, key: textOf(req.query.k) },
        ofdUrl: d.ofd ? `${base}/v/${encodeURIComponent(found.row.id)}/ofd?k=${encodeURIComponent(textOf(req.query.k))}` : undefined,
      }),
    );
  });

  r.get("/check", limited, async (req: Request, res) => {
    const q = req.query as Record<string, unknown>;
    const values: Partial<Record<ManualName, string>> = {};
    for (const f of MANUAL_FIELDS) if (typeof q[f.name] === "string") values[f.name] = (q[f.name] as string).trim();
    if (Object.keys(values).length === 0) return res.redirect(303, `${base}/`);
    const parsed = manualBody.safeParse(values);
    if (!parsed.success) {
      const bad = new Set(parsed.error.issues.map((i) => String(i.path[0] ?? "")));
      const fieldErrors = MANUAL_FIELDS.filter((f) => bad.has(f.name)).map((f): [string, string, string] => [
        f.name,
        `${f.zh}：应为${f.hintZh}`,
        `${f.en}: ${f.hintEn}`,
      ]);
      return problem(res, 400, { about: "manual", values, fieldErrors, message: ["请检查以下各项", "Please check these fields"] });
    }
    const found = await d.core.manual(parsed.data);
    if (!found) {
      return problem(res, 404, {
        about: "manual",
        values,
        message: ["没有与这五项信息都相符的票据。请核对票面后重试。", "No bill matches all five fields. Check them against the bill and try again."],
      });
    }
    const related = await relatedBills(d.db, found.row, base);
    sendPage(res, 200, verificationPage(found.v, new Date(), { base, related }));
  });

  const upload = express.raw({ type: () => true, limit: maxPdf + 64 * 1024 });
  r.post("/check/pdf", limited, upload, async (req, res) => {
    const part = filePart(req.get("content-type"), Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), "pdf");
    if (!part.ok) return problem(res, 400, { about: "pdf", message: ["请选择一个 PDF 文件再上传。", "Choose a PDF file, then upload it."] });
    const result = await d.core.pdf(part.data);
    if (!result.ok) {
      return problem(res, 422, {
        about: "pdf",
        message: ["这个文件不是本系统开具的电子票据 PDF，无法查验。", "This file is not an e-bill PDF issued by this service; it cannot be checked."],
      });
    }
    const b = result.envelope.bill;
    const related = result.row ? await relatedBills(d.db, result.row, base) : {};
    const refreshUrl = manualCheckUrl(base, {
      billCode: b.billCode,
      billNumber: b.billNumber,
      checkCode: b.checkCode,
      issueDate: String(b.issuedAt).slice(0, 10),
      total: b.total,
    });
    sendPage(res, 200, verificationPage(result.v, new Date(), { base, related, refreshUrl }));
  });

  // a file over the limit, or a body that cannot be read: a readable page, not a JSON problem
  const onError: ErrorRequestHandler = (err, req, res, next) => {
    if (req.path !== "/check/pdf" || res.headersSent) return next(err);
    const status = (err as { status?: number }).status;
    if (status === 413)
      return problem(res, 413, {
        about: "pdf",
        message: [`文件太大：最大 ${Math.round(maxPdf / 1048576)} MB。`, `The file is too large: at most ${Math.round(maxPdf / 1048576)} MB.`],
      });
    if (status && status >= 400 && status < 500)
      return problem(res, 400, { about: "pdf", message: ["无法读取上传的文件，请重试。", "The upload could not be read; try again."] });
    next(err);
  };
  r.use(onError);
  return r;
}
