/**
 * /api/v1/registry (bureau key): figures, the bill search (JSON or CSV), reconciliation with the chain.
 */
import { Router } from "express";
import { z } from "zod";
import type { Provider } from "ethers";
import type { Db } from "../store/database";
import { requireRole } from "../http/auth";
import { ApiError } from "../http/errors";
import { asChainUnavailable } from "../chain";
import { parseQuery } from "../http/input";
import { billFilters } from "../issuance/routes";
import { registryStats } from "./stats";
import { XLSX_TYPE, searchBills, streamBillsCsv, streamBillsXlsx } from "./bills-export";
import { reconcile, type ReconciliationReport } from "./reconciliation";

export interface RegistryRouteDeps {
  db: Db;
  provider: Provider;
  registry: string;
  confirmations: number;
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD");
const kind = z.enum(["medical", "donation"]).optional();

export const statsQuery = z
  .object({ kind, issuerId: z.string().max(64).optional(), from: day.optional(), to: day.optional(), groupBy: z.enum(["day", "month"]).default("day") })
  .strict();

/** GET /api/v1/registry/bills: the issuer's filters, and the bureau's own; any other parameter is 400 UNKNOWN_QUERY_PARAMETER. */
export const registryBillsQuery = z
  .object({
    ...billFilters,
    issuerId: z.string().max(64).optional().describe("Only this issuer's bills."),
    reimbursed: z
      .enum(["true", "false"])
      .transform((v) => v === "true")
      .optional()
      .describe("Only reimbursed (true) or unreimbursed (false) bills."),
    limit: z.coerce.number().int().min(1).max(500).default(100).describe("JSON page size, 1–500 (default 100); exports hold every match."),
    after: z.string().max(80).optional().describe("The nextCursor of the previous JSON page."),
    format: z.enum(["json", "csv", "xlsx"]).optional().describe("json, csv (RFC 4180) or xlsx; or ask with Accept: text/csv or the XLSX media type."),
  })
  .strict();
const billsQuery = registryBillsQuery;

export const reconQuery = z
  .object({
    rescan: z
      .enum(["true", "false"])
      .transform((v) => v === "true")
      .optional(),
  })
  .strict();

/** One reconciliation at a time per process: concurrent callers (the API, the console) share it. */
export function reconciliationRunner(d: RegistryRouteDeps): (rescan?: boolean) => Promise<ReconciliationReport> {
  let running: Promise<ReconciliationReport> | null = null;
  return async (rescan) => {
    running ??= reconcile(d.db, d.provider, d.registry, { confirmations: d.confirmations, rescan }).finally(() => (running = null));
    try {
      return await running;
    } catch (err) {
      const down = asChainUnavailable(err, "reconciliation");
      if (down) throw new ApiError("CHAIN_UNAVAILABLE", down.message);
      throw err;
    }
  };
}

export function registryRoutes(d: RegistryRouteDeps & { run?: ReturnType<typeof reconciliationRunner> }): Router {
  const r = Router();
  r.use(requireRole("bureau"));
  const run = d.run ?? reconciliationRunner(d);

  r.get("/stats", async (req, res) => {
    const q = parseQuery(statsQuery, req);
    res.json({ groupBy: q.groupBy, ...(await registryStats(d.db, q)) });
  });

  r.get("/bills", async (req, res) => {
    const q = parseQuery(billsQuery, req);
    const format =
      q.format ??
      ({ "text/csv": "csv", [XLSX_TYPE]: "xlsx" } as Record<string, string>)[String(req.accepts(["application/json", "text/csv", XLSX_TYPE]))] ??
      "json";
    if (format === "csv") return streamBillsCsv(d.db, q, res);
    if (format === "xlsx") return streamBillsXlsx(d.db, q, res);
    res.json(await searchBills(d.db, q));
  });

  r.get("/reconciliation", async (req, res) => {
    const q = parseQuery(reconQuery, req);
    res.json(await run(q.rescan));
  });

  return r;
}
