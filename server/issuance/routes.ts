/**
 * /api/v1/invoices: thin HTTP over the issuance service.
 */
import { Router } from "express";
import { z } from "zod";
import { withholdNames, type Withholdable } from "./redaction";
import type { Response } from "express";
import type { Db } from "../store/database";
import { ApiError } from "../http/errors";
import { principalOf, requireRole } from "../http/auth";
import { anchorOf, envelopeOf, findBill } from "./bills-repo";
import { billDetail, billSummary } from "./present";
import { issueBill, type IssueContext } from "./service";
import type { BillRow } from "../store/schema";
import type { Request } from "express";
import { crashPoint } from "../observability/crash";
import { envelopeWithoutPersonalData, maskedBill } from "./masking";
import { parseQuery } from "../http/input";

export interface InvoiceRouteDeps extends IssueContext {
  baseUrl: string;
  head(): Promise<number | null>;
  renderPdf(bill: BillRow): Promise<Buffer>;
  /** answers a redacted copy of the bill (server/verification/copies.ts, injected by the wiring: it renders PDFs) */
  sendCopy(res: Response, bill: BillRow, names: readonly Withholdable[], format: "pdf" | "json"): Promise<void>;
  /** the bill's OFD file (GB/T 33190), signed with its issuer's SM2 key */
  renderOfd(bill: BillRow): Promise<Buffer>;
  chain: { chainId: number; registry: string };
}

export const copyQuery = z.strictObject({
  withhold: z.string().max(200).describe("The fields to withhold, comma separated: idNumber, items (the totals stay), payerName (a donation receipt's donor)."),
  format: z
    .enum(["pdf", "json"])
    .default("pdf")
    .describe("pdf (the copy as a PDF whose QR code is the copy's own link) or json (the copy's envelope with its document record)."),
});

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD");
const d = <T extends z.ZodType>(t: T, description: string): T => t.describe(description);

/** Filters of a bill search, the same for an issuer's list and the bureau's registry search. */
export const billFilters = {
  kind: d(z.enum(["medical", "donation"]), "Only this kind of bill.").optional(),
  status: d(z.enum(["pending", "anchored", "voided"]), "Only bills in this state.").optional(),
  billCode: d(z.string().regex(/^\d{8}$/, "must be 8 digits"), "票据代码, exactly.").optional(),
  billNumber: d(z.string().regex(/^\d{10}$/, "must be 10 digits"), "票据号码, exactly (all 10 digits, leading zeros included).").optional(),
  businessSerial: d(z.string().trim().min(1).max(40), "业务流水号 as sent on the bill, exactly.").optional(),
  visitNumber: d(z.string().trim().min(1).max(40), "门诊号 / 住院号 as sent on the bill, exactly.").optional(),
  payerName: d(z.string().trim().min(1).max(100), "The payer's (or donor's) name as sent on the bill, exactly (NFC).").optional(),
  from: d(day, "Issued on or after this day (YYYY-MM-DD, Asia/Shanghai).").optional(),
  to: d(day, "Issued on or before this day (YYYY-MM-DD, Asia/Shanghai).").optional(),
};

/** GET /api/v1/invoices: every parameter it takes; any other is 400 UNKNOWN_QUERY_PARAMETER. */
export const invoiceListQuery = z
  .object({
    ...billFilters,
    limit: d(z.coerce.number().int().min(1).max(200).default(50), "Page size, 1–200 (default 50)."),
    before: d(z.string().max(80), "The nextCursor of the previous page.").optional(),
  })
  .strict();

export type BillFilterValues = { [K in keyof typeof billFilters]?: z.output<(typeof billFilters)[K]> };

/** The filters on a query of `bills` (columns of migration 006). */
export function applyBillFilters<Q extends { where(...a: unknown[]): Q }>(q: Q, f: BillFilterValues, table = "bills"): Q {
  const c = (col: string) => `${table}.${col}`;
  if (f.kind) q = q.where(c("kind"), "=", f.kind);
  if (f.status) q = q.where(c("status"), "=", f.status);
  if (f.billCode) q = q.where(c("bill_code"), "=", f.billCode);
  if (f.billNumber) q = q.where(c("bill_number"), "=", f.billNumber);
  if (f.businessSerial) q = q.where(c("business_serial"), "=", f.businessSerial);
  if (f.visitNumber) q = q.where(c("visit_number"), "=", f.visitNumber);
  if (f.payerName) q = q.where(c("holder_name"), "=", f.payerName.normalize("NFC"));
  if (f.from) q = q.where(c("issue_date"), ">=", f.from);
  if (f.to) q = q.where(c("issue_date"), "<=", f.to);
  return q;
}

/** The bill if the caller may see it: its issuer, or the bureau. Others get 404, not 403: no existence leak. */
export async function visibleBill(db: Db, req: Request, id: string): Promise<BillRow> {
  const p = principalOf(req);
  const bill = await findBill(db, id);
  if (!bill) throw new ApiError("NOT_FOUND", "No bill with this id");
  if (p.institution.role === "bureau") return bill;
  if (p.institution.role === "issuer" && bill.institution_id === p.institution.id) return bill;
  throw new ApiError("NOT_FOUND", "No bill with this id");
}

function isIssuerOf(req: Request, bill: BillRow): boolean {
  const p = principalOf(req);
  return p.institution.role === "issuer" && p.institution.id === bill.institution_id;
}

export function invoiceRoutes(d: InvoiceRouteDeps): Router {
  const r = Router();

  r.post("/", requireRole("issuer"), async (req, res) => {
    if (!req.is("application/json")) throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Send the bill as application/json");
    const key = req.get("idempotency-key");
    const { bill, replayed } = await issueBill(d, principalOf(req).institution, req.body, key);
    if (replayed) res.setHeader("Idempotent-Replayed", "true");
    res.on("finish", () => crashPoint("bill-accepted"));
    res.status(201).location(`/api/v1/invoices/${bill.id}`).json(billSummary(bill, d.baseUrl));
  });

  r.get("/", requireRole("issuer", "bureau"), async (req, res) => {
    const q = { data: parseQuery(invoiceListQuery, req) };
    const p = principalOf(req);
    let sel = d.db
      .selectFrom("bills")
      .selectAll()
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(q.data.limit + 1);
    if (p.institution.role === "issuer") sel = sel.where("institution_id", "=", p.institution.id);
    sel = applyBillFilters(sel, q.data);
    if (q.data.before) {
      const [at, id] = q.data.before.split("_");
      if (!/^\d+$/.test(at) || !id) throw new ApiError("INVALID_QUERY", "before: use the nextCursor of the previous page");
      sel = sel.where((eb) => eb.or([eb("created_at", "<", Number(at)), eb.and([eb("created_at", "=", Number(at)), eb("id", "<", id)])]));
    }
    const rows = await sel.execute();
    const page = rows.slice(0, q.data.limit);
    const last = page[page.length - 1];
    res.json({ items: page.map((b) => billSummary(b, d.baseUrl)), nextCursor: rows.length > q.data.limit && last ? `${last.created_at}_${last.id}` : null });
  });

  // The issuer sees its own bill in full; the bureau sees the holder's name and ID number masked (masking.ts).
  r.get("/:id", requireRole("issuer", "bureau"), async (req, res) => {
    const bill = await visibleBill(d.db, req, String(req.params.id));
    const detail = billDetail(bill, d.baseUrl, await anchorOf(d.db, bill), await d.head());
    res.json(isIssuerOf(req, bill) ? detail : { ...detail, bill: maskedBill(detail.bill) });
  });

  // The machine-readable bill (as embedded in the PDF): enough to verify it against the chain alone.
  // The bureau's copy withholds the holder's name and ID number; their commitments stay, so it still verifies.
  r.get("/:id/envelope", requireRole("issuer", "bureau"), async (req, res) => {
    const bill = await visibleBill(d.db, req, String(req.params.id));
    const envelope = await envelopeOf(d.db, bill, d.chain);
    res.json(isIssuerOf(req, bill) ? envelope : envelopeWithoutPersonalData(envelope));
  });

  // A redacted copy for the holder (or anyone the issuer gives it to): only the bill's own issuer.
  r.get("/:id/copy", requireRole("issuer"), async (req, res) => {
    const bill = await visibleBill(d.db, req, String(req.params.id));
    if (!isIssuerOf(req, bill)) throw new ApiError("NOT_FOUND", "No bill with this id");
    const q = parseQuery(copyQuery, req);
    await d.sendCopy(res, bill, withholdNames(q.withhold), q.format);
  });

  r.get("/:id/pdf", requireRole("issuer", "bureau"), async (req, res) => {
    const bill = await visibleBill(d.db, req, String(req.params.id));
    const pdf = await d.renderPdf(bill);
    res.type("application/pdf").setHeader("Content-Disposition", `inline; filename="${bill.bill_code}-${bill.bill_number}.pdf"`).send(pdf);
  });

  r.get("/:id/ofd", requireRole("issuer", "bureau"), async (req, res) => {
    const bill = await visibleBill(d.db, req, String(req.params.id));
    const ofd = await d.renderOfd(bill);
    res.type("application/ofd").setHeader("Content-Disposition", `inline; filename="${bill.bill_code}-${bill.bill_number}.ofd"`).send(ofd);
  });

  return r;
}
