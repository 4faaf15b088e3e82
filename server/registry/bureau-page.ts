/**
 * GET /bureau: the finance bureau's page — issuers, their figures, and bills issued per day.
 * Server-rendered, no script, no external asset, a strict CSP with a per-response style nonce.
 * Sign-in posts the bureau API key once; the browser then holds only an opaque session id in an
 * HttpOnly, SameSite=Strict cookie. Sessions live in this process's memory for 8 hours and end at
 * once when the key is revoked.
 */
import crypto from "node:crypto";
import express, { Router, type Request, type Response } from "express";
import type { Db } from "../store/database";
import type { KeyResolver } from "./api-keys";
import { RateLimiter, clientKey, type RateLimitStore } from "../http/rate-limit";
import { formatShanghaiTime } from "../issuance/compose";
import { fenOfFormatted, formatFen } from "../issuance/money";
import { listIssuers } from "./issuer-views";
import { dailyIssued } from "./stats";
import { dailyChartSvg } from "./bureau-chart";
import { escapeHtml, render, template } from "./page-template";

const COOKIE = "lp_bureau";
const SESSION_MS = 8 * 3_600_000;

interface Session {
  keyId: string;
  institutionId: string;
  expires: number;
}

export interface BureauPageDeps {
  db: Db;
  keys: KeyResolver;
  registry: string;
  secureCookies: boolean;
  /** where failed sign-ins are counted (shared by replicas on PostgreSQL); default memory */
  limits?: RateLimitStore;
}

function sessionIdOf(req: Request): string | undefined {
  const m = new RegExp(`(?:^|;\\s*)${COOKIE}=([A-Za-z0-9_-]{43})(?:;|$)`).exec(req.get("cookie") ?? "");
  return m?.[1];
}

function page(res: Response, status: number, title: string, body: string, signedIn: boolean): void {
  const nonce = crypto.randomBytes(16).toString("base64");
  res.setHeader("Content-Security-Policy", `default-src 'none'; style-src 'nonce-${nonce}'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`);
  res.setHeader("Cache-Control", "no-store");
  const logout = signedIn ? `<form method="post" action="/bureau/logout"><button type="submit">退出 Sign out</button></form>` : "";
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
  const today = formatShanghaiTime(now).slice(0, 10);
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
  const cookie = (value: string, maxAge: number) =>
    `${COOKIE}=${value}; Path=/bureau; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${d.secureCookies ? "; Secure" : ""}`;
  const login = (res: Response, status: number, error = "") =>
    page(res, status, "登录 Sign in", render("login.html", { error: error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : "" }), false);

  r.get("/bureau", async (req, res) => {
    const s = await current(req);
    if (!s) return login(res, 200);
    page(res, 200, "监管 Supervision", await dashboard(d, s.institutionId), true);
  });

  r.post("/bureau/login", express.urlencoded({ extended: false, limit: "4kb" }), async (req, res) => {
    const key = typeof req.body?.key === "string" ? req.body.key.trim() : "";
    const principal = /^[A-Za-z0-9_-]{8,200}$/.test(key) ? await d.keys.resolve(key) : null;
    if (!principal || principal.institution.role !== "bureau") {
      const wait = await failures.hit(clientKey(req.ip));
      if (wait > 0) res.setHeader("Retry-After", String(wait));
      return login(res, wait > 0 ? 429 : 401, wait > 0 ? "尝试次数过多，请稍后再试 Too many attempts; wait a minute" : "密钥无效 The key is not a valid bureau key");
    }
    if (sessions.size > 1000) for (const [k, v] of sessions) if (v.expires < Date.now()) sessions.delete(k);
    const sid = crypto.randomBytes(32).toString("base64url");
    sessions.set(sid, { keyId: principal.keyId, institutionId: principal.institution.id, expires: Date.now() + SESSION_MS });
    res.setHeader("Set-Cookie", cookie(sid, SESSION_MS / 1000));
    res.redirect(303, "/bureau");
  });

  r.post("/bureau/logout", (req, res) => {
    const sid = sessionIdOf(req);
    if (sid) sessions.delete(sid);
    res.setHeader("Set-Cookie", cookie("", 0));
    res.redirect(303, "/bureau");
  });

  return r;
}
