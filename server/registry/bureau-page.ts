/**
 * The finance bureau's console under /bureau: sign-in, then the overview, issuers, relying parties,
 * bills, reconciliation and the audit log (console-*.ts). Server-rendered, no script, no external
 * asset, a strict CSP with a per-response style nonce, usable at 390 px. Every link, form, redirect
 * and the cookie path carry the path of PUBLIC_BASE_URL, so the console works behind a proxy.
 *
 * Sign-in posts the bureau API key once; the browser then holds only an opaque session token in an
 * HttpOnly, SameSite=Strict cookie (Secure when PUBLIC_BASE_URL is https). Sessions live in the
 * database (bureau-sessions.ts): one sign-in holds on every replica and across restarts, and ends at
 * once when the key is revoked.
 *
 * Every form that changes state is protected against cross-site request forgery twice over: a token
 * in a hidden field — before sign-in the double-submit of a random pre-session cookie, after it the
 * session's own synchronizer token — and the browser's word on where the form came from (Origin,
 * Sec-Fetch-Site) must be this site. A refused form is 403 (CSRF_REJECTED). Every action is audited
 * by the registry functions it calls, the same as the JSON API's.
 */
import crypto from "node:crypto";
import express, { Router, type Request, type RequestHandler, type Response } from "express";
import { RateLimiter, clientKey } from "../http/rate-limit";
import { ApiError } from "../http/errors";
import { sendProblem } from "../http/problem";
import { basePathOf } from "../http/html";
import { escapeHtml, render, template } from "./page-template";
import { audit } from "../store/institutions";
import { BureauSessions, newToken, SESSION_MS, type Session } from "./bureau-sessions";
import { overviewRoutes } from "./console-overview";
import { issuerConsole } from "./console-issuers";
import { recordsConsole } from "./console-records";
import { partiesConsole } from "./console-parties";

import type { BureauPageDeps, ConsoleCtx } from "./console-context";
import { formField } from "../http/input";

export type { BureauPageDeps, ConsoleCtx };

const COOKIE = "lp_bureau";
const CSRF_COOKIE = "lp_bureau_csrf";

function cookieOf(req: Request, name: string): string | undefined {
  return new RegExp(`(?:^|;\\s*)${name}=([A-Za-z0-9_-]{43})(?:;|$)`).exec(req.get("cookie") ?? "")?.[1];
}

function sameToken(given: unknown, expected: string | undefined): boolean {
  if (typeof given !== "string" || !expected) return false;
  const a = crypto.createHash("sha256").update(given).digest();
  const b = crypto.createHash("sha256").update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

const hidden = (token: string) => `<input type="hidden" name="csrf" value="${escapeHtml(token)}">`;

const NAV: Array<[string, string, string]> = [
  ["", "概览", "Overview"],
  ["/issuers", "开票单位", "Issuers"],
  ["/relying-parties", "用票单位", "Relying parties"],
  ["/bills", "票据", "Bills"],
  ["/reconciliation", "对账", "Reconciliation"],
  ["/audit", "审计日志", "Audit log"],
];

export function bureauPage(d: BureauPageDeps): Router {
  const r = Router();
  const sessions = new BureauSessions(d.db);
  const failures = new RateLimiter(10, 60_000, { store: d.limits, name: "bureau-sign-in" });
  const home = `${basePathOf(d.publicBaseUrl)}/bureau`;

  const frame = (res: Response, status: number, title: string, body: string, s?: Session, active?: string) => {
    const nonce = crypto.randomBytes(16).toString("base64");
    res.setHeader(
      "Content-Security-Policy",
      `default-src 'none'; style-src 'nonce-${nonce}'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    );
    res.setHeader("Cache-Control", "no-store");
    // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" with every form
    res.setHeader("Referrer-Policy", "same-origin");
    const logout = s ? `<form method="post" action="${home}/logout">${hidden(s.csrf)}<button type="submit">退出 Sign out</button></form>` : "";
    const nav = s
      ? `<nav class="tabs">${NAV.map(([p, zh, en]) => `<a href="${home}${p}"${p === active ? ' aria-current="page"' : ""}>${zh} <span>${en}</span></a>`).join("")}</nav>`
      : "";
    res
      .status(status)
      .type("html")
      .send(render("layout.html", { title, nonce, css: template("bureau.css"), body, logout, nav, home }));
  };

  const cookie = (name: string, value: string, maxAge: number) =>
    `${name}=${value}; Path=${home}; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${d.secureCookies ? "; Secure" : ""}`;
  /** The pre-session token: the cookie the browser holds, or a new one set now. */
  const preSessionToken = (req: Request, res: Response): string => {
    const held = cookieOf(req, CSRF_COOKIE);
    if (held) return held;
    const token = newToken();
    res.append("Set-Cookie", cookie(CSRF_COOKIE, token, SESSION_MS / 1000));
    return token;
  };
  const login = (req: Request, res: Response, status: number, error = "") =>
    frame(
      res,
      status,
      "登录 Sign in",
      render("login.html", {
        action: `${home}/login`,
        csrf: hidden(preSessionToken(req, res)),
        error: error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : "",
      }),
    );

  const publicOrigin = d.publicBaseUrl ? new URL(d.publicBaseUrl).origin : undefined;
  /** The browser's word on where the form came from: absent (not a browser), or this site. */
  const fromThisSite = (req: Request): boolean => {
    const site = req.get("sec-fetch-site");
    if (site !== undefined && site !== "same-origin") return false;
    const origin = req.get("origin");
    if (origin === undefined || origin === publicOrigin) return true;
    try {
      return origin !== "null" && new URL(origin).host === req.get("host");
    } catch {
      return false;
    }
  };
  const refuse = (req: Request, res: Response) => {
    if (req.accepts(["html", "json"]) === "json") return sendProblem(res, new ApiError("CSRF_REJECTED"), req.path);
    const body = `<section class="card narrow"><h1>请求被拒绝 Request refused</h1><p class="error" role="alert">表单已失效或来自其他网站，请返回后重新提交。The form has expired or came from another site; go back and submit it again.</p><p><a href="${home}">返回 Back</a></p></section>`;
    frame(res, 403, "请求被拒绝 Request refused", body);
  };

  const form = express.urlencoded({ extended: false, limit: "8kb" });
  const signedIn: RequestHandler = async (req, res, next) => {
    const s = await sessions.get(cookieOf(req, COOKIE));
    if (!s) {
      if (req.method === "GET") return login(req, res, 200);
      return refuse(req, res);
    }
    res.locals.session = s;
    next();
  };
  const checkCsrf: RequestHandler = (req, res, next) => {
    const s = res.locals.session as Session;
    if (!fromThisSite(req) || !sameToken(formField(req, "csrf"), s.csrf)) return refuse(req, res);
    next();
  };
  const ctx: ConsoleCtx = {
    d,
    home,
    page: (res, status, title, body, active) => frame(res, status, title, body, res.locals.session as Session | undefined, active),
    session: (res) => res.locals.session as Session,
    csrfField: (res) => hidden((res.locals.session as Session).csrf),
    actor: (req, res) => ({ institutionId: (res.locals.session as Session).institutionId, ip: req.ip ?? null }),
    protect: [form, signedIn, checkCsrf],
    signedIn,
  };

  r.post("/bureau/login", form, async (req, res) => {
    const body = (req.body ?? {}) as { csrf?: unknown; key?: unknown };
    if (!fromThisSite(req) || !sameToken(body.csrf, cookieOf(req, CSRF_COOKIE))) return refuse(req, res);
    const key = typeof body.key === "string" ? body.key.trim() : "";
    const principal = /^[A-Za-z0-9_-]{8,200}$/.test(key) ? await d.keys.resolve(key) : null;
    if (!principal || principal.institution.role !== "bureau") {
      const wait = await failures.hit(clientKey(req.ip));
      if (wait > 0) res.setHeader("Retry-After", String(wait));
      return login(
        req,
        res,
        wait > 0 ? 429 : 401,
        wait > 0 ? "尝试次数过多，请稍后再试 Too many attempts; wait a minute" : "密钥无效 The key is not a valid bureau key",
      );
    }
    const token = await sessions.create(principal.keyId, principal.institution.id);
    await audit(d.db, { actor: principal.institution.id, ip: req.ip ?? null, action: "bureau.sign_in", subject: principal.keyId, detail: {} });
    res.append("Set-Cookie", cookie(COOKIE, token, SESSION_MS / 1000));
    res.redirect(303, home);
  });

  r.post("/bureau/logout", form, async (req, res) => {
    // signed in: the session's token; not signed in (nothing to end): the pre-session token
    const token = cookieOf(req, COOKIE);
    const s = await sessions.get(token);
    if (!fromThisSite(req) || !sameToken(formField(req, "csrf"), s ? s.csrf : cookieOf(req, CSRF_COOKIE))) return refuse(req, res);
    if (token) await sessions.end(token);
    if (s) await audit(d.db, { actor: s.institutionId, ip: req.ip ?? null, action: "bureau.sign_out", subject: s.keyId, detail: {} });
    res.append("Set-Cookie", cookie(COOKIE, "", 0));
    res.redirect(303, home);
  });

  r.use("/bureau", overviewRoutes(ctx), issuerConsole(ctx), partiesConsole(ctx), recordsConsole(ctx));
  return r;
}
