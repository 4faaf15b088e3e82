/**
 * The console's relying parties (insurers, employers, tax offices): the list with an admission form,
 * and each party's API keys (issue, revoke). The same functions as the JSON API (relying-parties.ts),
 * which write the audit entries.
 */
import { Router, type Request, type Response } from "express";
import { isoShanghai } from "../http/html";
import { escapeHtml as esc } from "./page-template";
import { parseInput, formField } from "../http/input";
import { keyBody } from "./issuer-routes";
import { admitRelyingParty, listRelyingParties, newPartyKey, partyKeys, relyingPartyBody, revokePartyKey } from "./relying-parties";
import { refusal } from "./console-issuers";
import type { ConsoleCtx } from "./console-context";

const keyOnce = (key: string) =>
  `<div class="once" role="status"><p>API 密钥（只显示这一次）The API key, shown this once:</p><code id="new-key">${esc(key)}</code></div>`;

export function partiesConsole(ctx: ConsoleCtx): Router {
  const r = Router();
  const list = `${ctx.home}/relying-parties`;
  const url = (id: string) => `${list}/${encodeURIComponent(id)}`;
  const who = (req: Request, res: Response) => ({ actor: ctx.session(res).institutionId, ip: req.ip ?? null });

  r.get("/relying-parties", ctx.signedIn, async (_req, res) => {
    const rows = (await listRelyingParties(ctx.d.db))
      .map(
        (p) =>
          `<tr data-party="${esc(p.id)}"><td><a href="${url(p.id)}">${esc(p.name)}</a></td><td><code>${esc(p.creditCode)}</code></td><td><code>${esc(p.account)}</code></td><td>${esc(isoShanghai(p.admittedAt))}</td></tr>`,
      )
      .join("");
    const form =
      `<section class="card"><h2>准入用票单位 Admit a relying party</h2><form method="post" action="${list}">${ctx.csrfField(res)}` +
      `<label for="rp-name">名称 <span>Name</span></label><input id="rp-name" name="name" required maxlength="100">` +
      `<label for="rp-credit">统一社会信用代码 <span>Credit code</span></label><input id="rp-credit" name="creditCode" required maxlength="18">` +
      `<button type="submit">准入 Admit</button></form></section>`;
    ctx.page(
      res,
      200,
      "用票单位 Relying parties",
      `<section class="card"><h1>用票单位 Relying parties</h1><div class="scroll"><table id="parties"><thead><tr><th>名称 Name</th><th>统一社会信用代码</th><th>账户 Account</th><th>准入 Admitted</th></tr></thead><tbody>${rows}</tbody></table></div></section>${form}`,
      "/relying-parties",
    );
  });

  r.post("/relying-parties", ...ctx.protect, async (req, res) => {
    try {
      const body = parseInput(relyingPartyBody, { name: formField(req, "name"), creditCode: formField(req, "creditCode") });
      const { party, key } = await admitRelyingParty(ctx.d.admin, body, who(req, res));
      ctx.page(
        res,
        201,
        "已准入 Admitted",
        `<section class="card"><h1>已准入 Admitted: ${esc(party.name)}</h1>${keyOnce(key.key)}<p><a href="${url(party.id)}">查看 Open the relying party</a></p></section>`,
        "/relying-parties",
      );
    } catch (err) {
      refusal(ctx, res, err, list);
    }
  });

  r.get("/relying-parties/:id", ctx.signedIn, async (req, res) => {
    let found;
    try {
      found = await partyKeys(ctx.d.db, String(req.params.id));
    } catch (err) {
      return refusal(ctx, res, err, list);
    }
    const { party, keys } = found;
    const here = url(party.id);
    const csrf = ctx.csrfField(res);
    const rows = keys
      .map(
        (k) =>
          `<tr data-key="${esc(k.id)}"><td>${esc(k.label)}</td><td>${esc(isoShanghai(k.createdAt))}</td><td>${k.revokedAt ? `已吊销 revoked ${esc(isoShanghai(k.revokedAt))}` : `<form method="post" action="${here}/keys/${encodeURIComponent(k.id)}/revoke" class="inline">${csrf}<button type="submit" class="danger">吊销 Revoke</button></form>`}</td></tr>`,
      )
      .join("");
    const body =
      `<section class="card"><h1>${esc(party.name)}</h1><p class="muted"><code>${esc(party.creditCode)}</code> · <code>${esc(party.account)}</code></p></section>` +
      `<section class="card"><h2>API 密钥 API keys</h2><div class="scroll"><table id="keys"><thead><tr><th>标签 Label</th><th>创建 Created</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>` +
      `<form method="post" action="${here}/keys">${csrf}<label for="label">标签 <span>Label</span></label><input id="label" name="label" maxlength="80" value="api key"><button type="submit">签发密钥 Issue a key</button></form></section>`;
    ctx.page(res, 200, party.name, body, "/relying-parties");
  });

  r.post("/relying-parties/:id/keys", ...ctx.protect, async (req, res) => {
    const id = String(req.params.id);
    try {
      const body = parseInput(keyBody, { label: formField(req, "label") || undefined });
      const key = await newPartyKey(ctx.d.admin, id, body.label, who(req, res));
      ctx.page(
        res,
        201,
        "完成 Done",
        `<section class="card"><h1>完成 Done</h1>${keyOnce(key.key)}<p><a href="${url(id)}">返回 Back to the relying party</a></p></section>`,
        "/relying-parties",
      );
    } catch (err) {
      refusal(ctx, res, err, url(id));
    }
  });

  r.post("/relying-parties/:id/keys/:keyId/revoke", ...ctx.protect, async (req, res) => {
    const id = String(req.params.id);
    try {
      await revokePartyKey(ctx.d.admin, id, String(req.params.keyId), who(req, res));
      res.redirect(303, url(id));
    } catch (err) {
      refusal(ctx, res, err, url(id));
    }
  });
  return r;
}
