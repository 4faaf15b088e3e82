/**
 * GET /bureau: the finance bureau's page — issuers, their figures, and bills issued per day.
 * Server-rendered, no script, no external asset, a strict CSP with a per-response style nonce.
 * Sign-in posts the bureau API key once; the browser then holds only an opaque session id in an
 * HttpOnly, SameSite=Strict cookie (Secure when PUBLIC_BASE_URL is https). Sessions live in this
 * process's memory for 8 hours and end at once when the key is revoked.
 *
 * Every form that changes state (sign-in, sign-out) is protected against cross-site request forgery
 * twice over: a token in a hidden field — before sign-in the double-submit of a random pre-session
 * cookie, after it the session's own synchronizer token — and the browser's word on where the form
 * came from (Origin, Sec-Fetch-Site) must be this site. The page's referrer policy is same-origin so
 * that the browser does send Origin with its forms. A refused form is 403 (CSRF_REJECTED).
 */
import crypto from "node:crypto";
import express, { Router, type Request, type Response } from "express";
import type { Db } from "../store/database";
import type { KeyResolver } from "./api-keys";
import { RateLimiter, clientKey, type RateLimitStore } from "../http/rate-limit";
import { ApiError } from "../http/errors";
import { sendProblem } from "../http/problem";
import { formatShanghaiTime, shanghaiDate } from "../format/time";
import { fenOfFormatted, formatFen } from "../issuance/money";
import { listIssuers } from "./issuer-views";
import { dailyIssued } from "./stats";
import { dailyChartSvg } from "./bureau-chart";
import { render, template } from "./page-template";
import { escapeHtml } from "../format/html";

const COOKIE = "lp_bureau";
const CSRF_COOKIE = "lp_bureau_csrf";
const SESSION_MS = 8 * 3_600_000;

interface Session {
  keyId: string;
  institutionId: string;
  expires: number;
  /** the synchronizer token of the session's forms */
  csrf: string;
}

export interface BureauPageDeps {
  db: Db;
  keys: KeyResolver;
  registry: string;
  secureCookies: boolean;
  /** PUBLIC_BASE_URL: a form posted from this origin is the site's own (as is one from the Host it was sent to) */
  publicBaseUrl?: string;
  /** where failed sign-ins are counted (shared by replicas on PostgreSQL); default memory */
  limits?: RateLimitStore;
}

function cookieOf(req: Request, name: string): string | undefined {
  const m = new RegExp(`(?:^|;\\s*)${name}=([A-Za-z0-9_-]{43})(?:;|$)`).exec(req.get("cookie") ?? "");
  return m?.[1];
}

function sessionIdOf(req: Request): string | undefined {
  return cookieOf(req, COOKIE);
}

const newToken = () => crypto.randomBytes(32).toString("base64url");

function sameToken(given: unknown, expected: string | undefined): boolean {
  if (typeof given !== "string" || !expected) return false;
  const a = crypto.createHash("sha256").update(given).digest();
  const b = crypto.createHash("sha256").update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

const hidden = (token: string) => `<input type="hidden" name="csrf" value="${escapeHtml(token)}">`;

/** `csrf`: the session's token when signed in (the sign-out form carries it). */
function page(res: Response, status: number, title: string, body: string, csrf?: string): void {
  const nonce = crypto.randomBytes(16).toString("base64");
  res.setHeader("Content-Security-Policy", `default-src 'none'; style-src 'nonce-${nonce}'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`);
  res.setHeader("Cache-Control", "no-store");
  // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" with every form
  res.setHeader("Referrer-Policy", "same-origin");
  const logout = csrf ? `<form method="post" action="/bureau/logout">${hidden(csrf)}<button type="submit">退出 Sign out</button></form>` : "";
  res.status(status).type("html").send(render("layout.html", { title, nonce, css: template("bureau.css"), body, logout }));
}

function issuerRows(issuers: Awaited<ReturnType<typeof listIssuers>>): string {
  return issuers
    .map((i) => {
      const ranges = i.ranges.map((r) => `${r.billCode} ${r.start}–${r.end} (余 ${r.remaining})`).map(escapeHtml).join("<br>");
      return (
        `<tr data-issuer="${escapeHtml(i.id)}"><td>${escapeHtml(i.name)}</td><td><code>${escapeHtml(i.creditCode)}</code></td><td>${i.kind === "medical" ? "医疗 medical" : "捐赠 donation"}</td>` +
        `<td class="state-${escapeHtml(i.status)}">${i.status === "active" ? "正常 active" : "暂停 suspended"}</td><td>${ranges}</td>` +
        `<td class="num">${i.bills.total - i.bills.red}</td><td class="num">${escapeHtml(i.bills.amount)}</td><td class="num">${i.bills.pending}</td><td class="num">${i.bills.voided}</td><td class="num">${i.bills.reimbursed}</td></tr>`
      );
    })
    .join("\n");
}

async function dashboard(d: BureauPageDeps, institutionId: string): Promise<string> {
  const now = new Date();
  const today = shanghaiDate(now);
  const [issuers, days, bureau] = await Promise.all([
    listIssuers(d.db),
    dailyIssued(d.db, today, 30),
    d.db.selectFrom("institutions").select("name").where("id", "=", institutionId).executeTakeFirst(),
  ]);
  const sum = (f: (i: (typeof issuers)[number]) => number) => issuers.reduce((s, i) => s + f(i), 0);
  const amount = issuers.reduce((s, i) => s + fenOfFormatted(i.bills.amount), 0n);
  return render("dashboard.html", {
    bureau: bureau?.name ?? "财政局",
    registry: d.registry,
    now: formatShanghaiTime(now),
    issuerCount: issuers.length,
    billCount: sum((i) => i.bills.total - i.bills.red),
    amount: formatFen(amount),
    pending: sum((i) => i.bills.pending),
    voided: sum((i) => i.bills.voided),
    reimbursed: sum((i) => i.bills.reimbursed),
    chart: dailyChartSvg(days),
    rows: issuerRows(issuers),
  });
}

export function bureauPage(d: BureauPageDeps): Router {
  const r = Router();
  const sessions = new Map<string, Session>();
  const failures = new RateLimiter(10, 60_000, { store: d.limits, name: "bureau-sign-in" });

  const current = async (req: Request): Promise<Session | undefined> => {
    const sid = sessionIdOf(req);
    const s = sid ? sessions.get(sid) : undefined;
    if (!sid || !s) return undefined;
    const key = await d.db.selectFrom("api_keys").select("revoked_at").where("id", "=", s.keyId).executeTakeFirst();
    if (s.expires < Date.now() || !key || key.revoked_at !== null) {
      sessions.delete(sid);
      return undefined;
    }
    return s;
  };
  const cookie = (name: string, value: string, maxAge: number) =>
    `${name}=${value}; Path=/bureau; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${d.secureCookies ? "; Secure" : ""}`;
  /** The pre-session token: the cookie the browser holds, or a new one set now. */
  const preSessionToken = (req: Request, res: Response): string => {
    const held = cookieOf(req, CSRF_COOKIE);
    if (held) return held;
    const token = newToken();
    res.append("Set-Cookie", cookie(CSRF_COOKIE, token, SESSION_MS / 1000));
    return token;
  };
  const login = (req: Request, res: Response, status: number, error = "") =>
    page(res, status, "登录 Sign in", render("login.html", { csrf: hidden(preSessionToken(req, res)), error: error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : "" }));

  const publicOrigin = d.publicBaseUrl ? new URL(d.publicBaseUrl).origin : undefined;
  /** The browser's word on where the form came from: absent (not a browser), or this site. */
  const fromThisSite = (req: Request): boolean => {
    const site = req.get("sec-fetch-site");
    if (site !== undefined && site !== "same-origin") return false;
    const origin = req.get("origin");
    if (origin === undefined) return true;
    if (origin === publicOrigin) return true;
    try {
      return origin !== "null" && new URL(origin).host === req.get("host");
    } catch {
      return false;
    }
  };
  const refuse = (req: Request, res: Response) => {
    if (req.accepts(["html", "json"]) === "json") return sendProblem(res, new ApiError("CSRF_REJECTED"), req.path);
    const body = `<section class="card narrow"><h1>请求被拒绝 Request refused</h1><p class="error" role="alert">表单已失效或来自其他网站，请返回后重新提交。The form has expired or came from another site; go back and submit it again.</p><p><a href="/bureau">返回 Back</a></p></section>`;
    page(res, 403, "请求被拒绝 Request refused", body);
  };

  r.get("/bureau", async (req, res) => {
    const s = await current(req);
    if (!s) return login(req, res, 200);
    page(res, 200, "监管 Supervision", await dashboard(d, s.institutionId), s.csrf);
  });

  const form = express.urlencoded({ extended: false, limit: "4kb" });

  r.post("/bureau/login", form, async (req, res) => {
    const body = (req.body ?? {}) as { csrf?: unknown; key?: unknown };
    if (!fromThisSite(req) || !sameToken(body.csrf, cookieOf(req, CSRF_COOKIE))) return refuse(req, res);
    const key = typeof body.key === "string" ? body.key.trim() : "";
    const principal = /^[A-Za-z0-9_-]{8,200}$/.test(key) ? await d.keys.resolve(key) : null;
    if (!principal || principal.institution.role !== "bureau") {
      const wait = await failures.hit(clientKey(req.ip));
      if (wait > 0) res.setHeader("Retry-After", String(wait));
      return login(req, res, wait > 0 ? 429 : 401, wait > 0 ? "尝试次数过多，请稍后再试 Too many attempts; wait a minute" : "密钥无效 The key is not a valid bureau key");
    }
    if (sessions.size > 1000) for (const [k, v] of sessions) if (v.expires < Date.now()) sessions.delete(k);
    const sid = newToken();
    sessions.set(sid, { keyId: principal.keyId, institutionId: principal.institution.id, expires: Date.now() + SESSION_MS, csrf: newToken() });
    res.append("Set-Cookie", cookie(COOKIE, sid, SESSION_MS / 1000));
    res.redirect(303, "/bureau");
  });

  r.post("/bureau/logout", form, async (req, res) => {
    // signed in: the session's token; not signed in (nothing to end): the pre-session token
    const s = await current(req);
    if (!fromThisSite(req) || !sameToken((req.body as { csrf?: unknown } | undefined)?.csrf, s ? s.csrf : cookieOf(req, CSRF_COOKIE))) return refuse(req, res);
    const sid = sessionIdOf(req);
    if (sid) sessions.delete(sid);
    res.append("Set-Cookie", cookie(COOKIE, "", 0));
    res.redirect(303, "/bureau");
  });

  return r;
}
