/**
 * The console's issuers: the list with an admission form, and each issuer with its actions — suspend,
 * reinstate, allot a number range (号段) or extend one (the next range after it), issue and revoke API
 * keys. Each action parses its form with the JSON API's schema and calls the same registry function
 * (issuers.ts), which writes the audit entry; the answer is a page.
 */
import { Router, type Request, type Response } from "express";
import { ApiError } from "../http/errors";
import { isoShanghai } from "../http/html";
import { escapeHtml as esc } from "./page-template";
import { admitBody, keyBody, rangeBody, statusBody } from "./issuer-routes";
import { admitIssuer, addRange, findIssuer, newIssuerKey, revokeIssuerKey, setIssuerStatus } from "./issuers";
import { issuerDetail, listIssuers } from "./issuer-views";
import { parseInput, formField } from "../http/input";
import type { ConsoleCtx } from "./console-context";

const field = (name: string, zh: string, en: string, attrs = "", value = "") =>
  `<label for="${name}">${esc(zh)} <span>${esc(en)}</span></label><input id="${name}" name="${name}" value="${esc(value)}" ${attrs}>`;

/** An action's refusal as a page: the API's code and message, each field's problem. */
export function refusal(ctx: ConsoleCtx, res: Response, err: unknown, back: string): void {
  if (!(err instanceof ApiError)) throw err;
  const errors = Array.isArray(err.extra.errors) ? (err.extra.errors as Array<{ path: string; message: string }>) : [];
  const list = errors.length ? `<ul>${errors.map((e) => `<li><code>${esc(e.path)}</code> ${esc(e.message)}</li>`).join("")}</ul>` : "";
  const body = `<section class="card"><h1>未完成 Not done</h1><div class="error" role="alert" data-code="${esc(err.code)}"><p>${esc(err.message)} <code>${esc(err.code)}</code></p>${list}</div><p><a href="${esc(back)}">返回 Back</a></p></section>`;
  ctx.page(res, err.status, "未完成 Not done", body, "/issuers");
}

/** A key is shown once, on the page that answers its creation. */
const keyOnce = (key: string) =>
  `<div class="once" role="status"><p>API 密钥（只显示这一次）The API key, shown this once:</p><code id="new-key">${esc(key)}</code></div>`;

export function issuerConsole(ctx: ConsoleCtx): Router {
  const r = Router();
  const admin = ctx.d.admin;
  const url = (id: string) => `${ctx.home}/issuers/${encodeURIComponent(id)}`;

  r.get("/issuers", ctx.signedIn, async (_req, res) => {
    const issuers = await listIssuers(ctx.d.db);
    const rows = issuers
      .map(
        (i) =>
          `<tr data-issuer="${esc(i.id)}"><td><a href="${url(i.id)}">${esc(i.name)}</a></td><td>${i.kind === "medical" ? "医疗 medical" : "捐赠 donation"}</td><td class="state-${esc(i.status)}">${i.status === "active" ? "正常 active" : "暂停 suspended"}</td><td class="num">${i.bills.issued}</td></tr>`,
      )
      .join("");
    const admit =
      `<section class="card"><h2>准入开票单位 Admit an issuer</h2><form method="post" action="${ctx.home}/issuers" class="grid-form">${ctx.csrfField(res)}` +
      field("name", "名称", "Name", 'required maxlength="100"') +
      field("creditCode", "统一社会信用代码", "Credit code", 'required maxlength="18"') +
      `<label for="kind">种类 <span>Kind</span></label><select id="kind" name="kind"><option value="medical">医疗收费票据 medical</option><option value="donation">捐赠票据 donation</option></select>` +
      field("billCode", "票据代码", "Bill code", 'required inputmode="numeric" pattern="\\d{8}"') +
      field("start", "起始号码", "First number", 'required inputmode="numeric"') +
      field("end", "终止号码", "Last number", 'required inputmode="numeric"') +
      `<button type="submit">准入 Admit</button></form></section>`;
    const body = `<section class="card"><h1>开票单位 Issuers</h1><div class="scroll"><table id="issuer-list"><thead><tr><th>名称 Name</th><th>种类 Kind</th><th>状态 State</th><th class="num">开具票据 Issued</th></tr></thead><tbody>${rows}</tbody></table></div></section>${admit}`;
    ctx.page(res, 200, "开票单位 Issuers", body, "/issuers");
  });

  r.post("/issuers", ...ctx.protect, async (req, res) => {
    const b = req.body as Record<string, string>;
    try {
      const input = parseInput(admitBody, {
        name: b.name,
        creditCode: b.creditCode,
        kind: b.kind,
        billCode: b.billCode,
        range: { start: Number(b.start), end: Number(b.end) },
      });
      const { issuer, apiKey } = await admitIssuer(admin, input, ctx.actor(req, res));
      const body = `<section class="card"><h1>已准入 Admitted: ${esc(issuer.name)}</h1>${keyOnce(apiKey)}<p><a href="${url(issuer.id)}">查看 Open the issuer</a></p></section>`;
      ctx.page(res, 201, "已准入 Admitted", body, "/issuers");
    } catch (err) {
      refusal(ctx, res, err, `${ctx.home}/issuers`);
    }
  });

  r.get("/issuers/:id", ctx.signedIn, async (req, res) => {
    let detail;
    try {
      detail = await issuerDetail(ctx.d.db, await findIssuer(ctx.d.db, String(req.params.id)));
    } catch (err) {
      return refusal(ctx, res, err, `${ctx.home}/issuers`);
    }
    const csrf = ctx.csrfField(res);
    const here = url(detail.id);
    // a range is extended by the next numbers after the last range of its bill code
    const last = new Map<string, number>();
    for (const g of detail.ranges) last.set(g.billCode, Math.max(last.get(g.billCode) ?? 0, g.end));
    const ranges = detail.ranges
      .map(
        (g) =>
          `<tr data-range="${esc(g.id)}"><td><code>${esc(g.billCode)}</code></td><td class="num">${g.start}</td><td class="num">${g.end}</td><td class="num">${g.used}</td><td class="num">${g.remaining}</td></tr>`,
      )
      .join("");
    const extend = [...last]
      .filter(([, end]) => end < 9_999_999_999)
      .map(([code, end]) => {
        const size = Math.max(...detail.ranges.filter((g) => g.billCode === code && g.end === end).map((g) => g.end - g.start + 1));
        return (
          `<form method="post" action="${here}/ranges" class="inline extend" data-code="${esc(code)}">${csrf}<input type="hidden" name="billCode" value="${esc(code)}"><input type="hidden" name="start" value="${end + 1}">` +
          `<label>${esc(code)} 自 ${end + 1} 延长至 <span>extend from ${end + 1} to</span><input name="end" required inputmode="numeric" value="${Math.min(end + size, 9_999_999_999)}"></label><button type="submit">延长号段 Extend</button></form>`
        );
      })
      .join("");
    const keys = detail.keys
      .map(
        (k) =>
          `<tr data-key="${esc(k.id)}"><td>${esc(k.label)}</td><td>${esc(isoShanghai(k.createdAt))}</td><td>${k.revokedAt ? `已吊销 revoked ${esc(isoShanghai(k.revokedAt))}` : `<form method="post" action="${here}/keys/${encodeURIComponent(k.id)}/revoke" class="inline">${csrf}<button type="submit" class="danger">吊销 Revoke</button></form>`}</td></tr>`,
      )
      .join("");
    const suspended = detail.status === "suspended";
    const state = `<form method="post" action="${here}/${suspended ? "reinstate" : "suspend"}">${csrf}${field("reason", "原因", "Reason (for the audit log)", 'maxlength="200"')}<button type="submit" class="${suspended ? "" : "danger"}">${suspended ? "恢复 Reinstate" : "暂停 Suspend"}</button></form>`;
    const body =
      `<section class="card"><h1>${esc(detail.name)}</h1><p class="muted"><code>${esc(detail.creditCode)}</code> · ${detail.kind === "medical" ? "医疗 medical" : "捐赠 donation"} · <span class="state-${esc(detail.status)}" id="issuer-state">${suspended ? "暂停 suspended" : "正常 active"}</span> · <code>${esc(detail.account)}</code></p>${state}</section>` +
      `<section class="card"><h2>号段 Number ranges</h2><div class="scroll"><table id="ranges"><thead><tr><th>票据代码</th><th class="num">起 Start</th><th class="num">止 End</th><th class="num">已用 Used</th><th class="num">剩余 Left</th></tr></thead><tbody>${ranges}</tbody></table></div>${extend}` +
      `<form method="post" action="${here}/ranges">${csrf}${field("billCode", "票据代码", "Bill code", 'required inputmode="numeric" pattern="\\d{8}"')}${field("start", "起始号码", "First number", 'required inputmode="numeric"')}${field("end", "终止号码", "Last number", 'required inputmode="numeric"')}<button type="submit">分配号段 Allot a range</button></form></section>` +
      `<section class="card"><h2>API 密钥 API keys</h2><div class="scroll"><table id="keys"><thead><tr><th>标签 Label</th><th>创建 Created</th><th></th></tr></thead><tbody>${keys}</tbody></table></div>` +
      `<form method="post" action="${here}/keys">${csrf}${field("label", "标签", "Label", 'maxlength="80"', "api key")}<button type="submit">签发密钥 Issue a key</button></form></section>`;
    ctx.page(res, 200, detail.name, body, "/issuers");
  });

  const act = (fn: (req: Request, res: Response, id: string) => Promise<string | void>) => async (req: Request, res: Response) => {
    const id = String(req.params.id);
    try {
      const shown = await fn(req, res, id);
      if (typeof shown === "string")
        return ctx.page(
          res,
          201,
          "完成 Done",
          `<section class="card"><h1>完成 Done</h1>${shown}<p><a href="${url(id)}">返回 Back to the issuer</a></p></section>`,
          "/issuers",
        );
      res.redirect(303, url(id));
    } catch (err) {
      refusal(ctx, res, err, url(id));
    }
  };
  for (const [path, status] of [
    ["suspend", "suspended"],
    ["reinstate", "active"],
  ] as const) {
    r.post(
      `/issuers/:id/${path}`,
      ...ctx.protect,
      act(async (req, res, id) => {
        const body = parseInput(statusBody, { reason: formField(req, "reason") || undefined });
        await setIssuerStatus(admin, id, status, ctx.actor(req, res), body.reason);
      }),
    );
  }
  r.post(
    "/issuers/:id/ranges",
    ...ctx.protect,
    act(async (req, res, id) => {
      const body = parseInput(rangeBody, { billCode: formField(req, "billCode"), start: Number(formField(req, "start")), end: Number(formField(req, "end")) });
      await addRange(admin, id, body, ctx.actor(req, res));
    }),
  );
  r.post(
    "/issuers/:id/keys",
    ...ctx.protect,
    act(async (req, res, id) => {
      const body = parseInput(keyBody, { label: formField(req, "label") || undefined });
      return keyOnce((await newIssuerKey(admin, id, body.label, ctx.actor(req, res))).key);
    }),
  );
  r.post(
    "/issuers/:id/keys/:keyId/revoke",
    ...ctx.protect,
    act(async (req, res, id) => {
      await revokeIssuerKey(admin, id, String(req.params.keyId), ctx.actor(req, res));
    }),
  );
  return r;
}
