/** What the bureau console's sections share (bureau-page.ts builds it; console-*.ts use it), apart so that they import no page. */
import type { Request, RequestHandler, Response } from "express";
import type { Db } from "../store/database";
import type { RateLimitStore } from "../http/rate-limit";
import type { KeyResolver } from "./api-keys";
import type { Session } from "./bureau-sessions";
import type { IssuerDeps } from "./issuers";
import type { ReconciliationReport } from "./reconciliation";

export interface BureauPageDeps {
  db: Db;
  keys: KeyResolver;
  registry: string;
  secureCookies: boolean;
  /** PUBLIC_BASE_URL: a form posted from this origin is the site's own (as is one from the Host it was sent to) */
  publicBaseUrl?: string;
  /** where failed sign-ins are counted (shared by replicas on PostgreSQL); default memory */
  limits?: RateLimitStore;
  /** the registry functions the JSON API uses (issuers.ts, relying-parties.ts) */
  admin: IssuerDeps;
  reconcile(rescan?: boolean): Promise<ReconciliationReport>;
}

/** What a console section needs: the deps, its paths, the page frame and the signed-in session. */
export interface ConsoleCtx {
  d: BureauPageDeps;
  /** the path of PUBLIC_BASE_URL + "/bureau" */
  home: string;
  page(res: Response, status: number, title: string, body: string, active?: string): void;
  /** the signed-in session (set by `signedIn`) */
  session(res: Response): Session;
  /** the hidden CSRF field of the session's forms */
  csrfField(res: Response): string;
  /** the audit actor of a console action */
  actor(req: Request, res: Response): { institutionId: string; ip: string | null };
  /** a state-changing form: signed in, from this site, with the session's token */
  protect: RequestHandler[];
  signedIn: RequestHandler;
}
