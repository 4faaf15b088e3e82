/**
 * The bureau's and the relying parties' areas, built from the system's parts so that system.ts only
 * mounts them: API routers by path, and the bureau page. (Voiding and reimbursement marks are
 * lifecycle/areas.ts, from the same deps.)
 */
import type { Router } from "express";
import type { Provider } from "ethers";
import type { Db } from "../store/database";
import type { SignerSet } from "../anchoring/signers";
import type { BillDomain } from "../issuance/signing";
import type { KeyResolver } from "./api-keys";
import { Registrar } from "./registrar";
import { issuerRoutes } from "./issuer-routes";
import { relyingPartyRoutes } from "./relying-parties";
import { reconciliationRunner, registryRoutes } from "./registry-routes";
import { auditRoutes } from "./audit-routes";
import { bureauPage } from "./bureau-page";
import type { RateLimitStore } from "../http/rate-limit";

export interface AreaDeps {
  db: Db;
  provider: Provider;
  registry: string;
  signers: SignerSet;
  keys: KeyResolver;
  domain: BillDomain;
  baseUrl: string;
  confirmations: number;
  /** development chains fund new issuer accounts from the bureau */
  devChain: boolean;
  keystorePassword?: string;
  /** wakes the anchoring worker after new outbox entries */
  wake(): void;
  /** re-checks accounts the registry refused (after a reinstatement) */
  retryHeld(): void;
  rpcTimeoutMs: number;
  head(): Promise<number | null>;
  /** where rate-limit windows are counted (shared by replicas on PostgreSQL); default memory */
  limits?: RateLimitStore;
  /** reimbursement attempts per relying party per minute that may match no bill */
  markFailuresPerMin?: number;
}

async function bureauAccount(db: Db): Promise<string> {
  const row = await db
    .selectFrom("institutions")
    .select("account")
    .where("role", "=", "bureau")
    .where("account", "is not", null)
    .orderBy("created_at")
    .executeTakeFirst();
  if (!row?.account) throw new Error("no bureau institution with a chain account in the store");
  return row.account;
}

export function bureauAreas(d: AreaDeps): { api: Record<string, Router>; pages: Router[] } {
  const registrar = new Registrar({
    provider: d.provider,
    registry: d.registry,
    signers: d.signers,
    account: () => bureauAccount(d.db),
    confirmations: d.confirmations,
  });
  const registryDeps = { db: d.db, provider: d.provider, registry: d.registry, confirmations: d.confirmations };
  const reconcile = reconciliationRunner(registryDeps);
  const admin = {
    db: d.db,
    signers: d.signers,
    registrar,
    keys: d.keys,
    keystorePassword: d.keystorePassword,
    fundNewAccounts: d.devChain,
    onReinstated: () => d.retryHeld(),
  };
  return {
    api: {
      "/issuers": issuerRoutes(admin),
      "/relying-parties": relyingPartyRoutes(admin),
      "/registry": registryRoutes({ ...registryDeps, run: reconcile }),
      "/audit": auditRoutes(d.db),
    },
    pages: [
      bureauPage({
        db: d.db,
        keys: d.keys,
        registry: d.registry,
        secureCookies: d.baseUrl.startsWith("https://"),
        publicBaseUrl: d.baseUrl,
        limits: d.limits,
        admin,
        reconcile,
      }),
    ],
  };
}
