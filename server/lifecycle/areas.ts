/**
 * The voiding and reimbursement areas, built from the system's parts (the same deps as the bureau's
 * areas, registry/areas.ts) so that system.ts only mounts them.
 */
import type { Router } from "express";
import type { AreaDeps } from "../registry/areas";
import { reimbursementRoutes, voidRoutes } from "./routes";
import { registryReads, withTimeout } from "../chain";
import { RateLimiter } from "../http/rate-limit";

export function lifecycleAreas(d: AreaDeps): Record<string, Router> {
  const reads = registryReads(d.provider, d.registry);
  const chainMarks = (issuer: string, leaf: string) => withTimeout(reads.statusOf(issuer, leaf), d.rpcTimeoutMs, "registry statusOf()");
  return {
    "/reimbursements": reimbursementRoutes({
      db: d.db,
      chainMarks,
      onMarked: () => d.wake(),
      failures: new RateLimiter(d.markFailuresPerMin ?? 20, 60_000, { store: d.limits, name: "mark-failure" }),
    }),
    "/invoices/:id/void": voidRoutes({
      db: d.db,
      signers: d.signers,
      domain: d.domain,
      onIssued: () => d.wake(),
      baseUrl: d.baseUrl,
      head: () => d.head(),
      chainMarks,
    }),
  };
}
