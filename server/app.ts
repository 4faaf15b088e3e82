/**
 * Builds the Express app (no listen): security headers, body limits, authentication, the API areas,
 * the problem+json error handler last.
 */
import express, { type RequestHandler, type Router } from "express";
import type { Logger } from "pino";
import { authenticate } from "./http/auth";
import { requestLog } from "./http/request-log";
import { RateLimiter, type RateLimitStore } from "./http/rate-limit";
import { notFound, problemHandler } from "./http/problem";
import type { KeyResolver } from "./registry/api-keys";

export interface AppDeps {
  log: Logger;
  keys: KeyResolver;
  /** mounted under /api/v1, each at its path */
  api: Record<string, Router>;
  /** public routes at the root (verify page, docs) */
  pages?: Router[];
  ready(): Promise<{ ok: boolean; checks: Record<string, unknown> }>;
  /** failed authentications allowed per client per minute */
  authFailuresPerMin?: number;
  /** where rate-limit windows are counted (shared by replicas on PostgreSQL); default this process's memory */
  limits?: RateLimitStore;
  /** proxies whose X-Forwarded-For is believed (TRUST_PROXY); none by default */
  trustProxy?: string[];
  /** GET /metrics (Prometheus text), outside /api and its API keys */
  metrics?: RequestHandler;
}

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
  // API answers are data, never documents; pages replace this with their own policy.
  res.setHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  next();
};

export function buildApp(d: AppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // Only configured proxies may say who the client is: otherwise a forged X-Forwarded-For would give
  // every request a new address, and every per-client limit would be void.
  app.set("trust proxy", d.trustProxy?.length ? d.trustProxy : false);
  app.use(securityHeaders);
  app.use(requestLog(d.log));
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const r = await d.ready();
    res
      .status(r.ok ? 200 : 503)
      .setHeader("Cache-Control", "no-store")
      .json({ status: r.ok ? "ready" : "unready", checks: r.checks });
  });
  if (d.metrics) app.get("/metrics", d.metrics);
  app.use("/api", express.json({ limit: "1mb", type: ["application/json", "application/*+json"] }));
  app.use("/api", authenticate(d.keys, new RateLimiter(d.authFailuresPerMin ?? 30, 60_000, { store: d.limits, name: "auth-failure" })));
  for (const [path, router] of Object.entries(d.api)) app.use(`/api/v1${path}`, router);
  for (const r of d.pages ?? []) app.use(r);
  app.use(notFound);
  app.use(problemHandler(d.log));
  return app;
}
