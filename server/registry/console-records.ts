/**
 * The console's records: the bill search with the API's filters and
 * its CSV/XLSX download, reconciliation (run, read the findings) and the audit log. Queries and
 * actions are the JSON API's own (bills-export.ts, relying-parties.ts, registry-routes.ts,
 * audit-routes.ts); parsing uses the API's schemas, so a bad filter reads the same.
 */
import { Router, type Request, type Response } from "express";
import { isoShanghai } from "../http/html";
import { escapeHtml as esc } from "./page-template";
import { parseInput, parseQuery, formField } from "../http/input";
import { registryBillsQuery } from "./registry-routes";
import { searchBills, streamBillsCsv, streamBillsXlsx } from "./bills-export";
import { auditEntries, auditQuery } from "./audit-routes";
import { refusal } from "./console-issuers";
import { audit } from "../store/institutions";
import type { ConsoleCtx } from "./console-context";

const FILTERS: Array<[string, string, string]> = [
  ["issuerId", "开票单位 ID", "Issuer id"],
  ["kind", "种类", "Kind"],
  ["status", "状态", "Status"],
  ["reimbursed", "已报销", "Reimbursed"],
  ["billCode", "票据代码", "Bill code"],
  ["billNumber", "票据号码", "Bill number"],
  ["businessSerial", "业务流水号", "Business serial"],
  ["visitNumber", "就诊号", "Visit number"],
  ["payerName", "交款人/捐赠人", "Payer or donor"],
  ["from", "开票日期自", "Issued from (YYYY-MM-DD)"],
  ["to", "开票日期至", "Issued to (YYYY-MM-DD)"],
];

const CHECKED: Record<string, string> = {
  batches: "批次",
  chainRoots: "链上批次根",
  voids: "冲红",
  reimbursements: "报销",
  issuers: "开票单位",
  bills: "票据",
  ranges: "号段",
  chainRanges: "链上号段",
};

const CHOICES: Record<string, Array<[string, string]>> = {
  kind: [
    ["medical", "医疗 medical"],
    ["donation", "捐赠 donation"],
  ],
  status: [
    ["pending", "待上链 pending"],
    ["anchored", "已上链 anchored"],
    ["voided", "已冲红 voided"],
  ],
  reimbursed: [
    ["true", "已报销/入账 yes"],
    ["false", "未报销/入账 no"],
  ],
};

/** The query's filters only (empty ones dropped): what the search form and the download links carry. */
function filtersOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name] of FILTERS) {
    const v = req.query[name];
    if (typeof v === "string" && v.trim() !== "") out[name] = v.trim();
  }
  return out;
}

export function recordsConsole(ctx: ConsoleCtx): Router {
  const r = Router();
  const { db } = ctx.d;

  const billsQuery = (req: Request, extra: Record<string, string> = {}) =>
    parseQuery(registryBillsQuery, { query: { ...filtersOf(req), ...extra } } as unknown as Request);

  r.get("/bills", ctx.signedIn, async (req, res) => {
    const filters = filtersOf(req);
    const qs = new URLSearchParams(filters).toString();
    const control = (n: string) => {
      const options = CHOICES[n];
      if (!options) return `<input id="q-${n}" name="${n}" value="${esc(filters[n] ?? "")}">`;
      // an unknown value is kept as an option, so that the API's refusal of it is what the page shows
      const all = filters[n] && !options.some(([v]) => v === filters[n]) ? [...options, [filters[n], filters[n]] as [string, string]] : options;
      return `<select id="q-${n}" name="${n}"><option value="">全部 all</option>${all.map(([v, label]) => `<option value="${esc(v)}"${filters[n] === v ? " selected" : ""}>${esc(label)}</option>`).join("")}</select>`;
    };
    const inputs = FILTERS.map(([n, zh, en]) => `<div><label for="q-${n}">${esc(zh)} <span>${esc(en)}</span></label>${control(n)}</div>`).join("");
    const search =
      `<section class="card"><h1>票据 Bills</h1><form method="get" action="${ctx.home}/bills" class="filters">${inputs}<div><button type="submit">查询 Search</button></div></form>` +
      `<p class="downloads">下载全部结果 Download every match: <a id="dl-csv" href="${ctx.home}/bills/export?${qs}${qs ? "&" : ""}format=csv">CSV</a> · <a id="dl-xlsx" href="${ctx.home}/bills/export?${qs}${qs ? "&" : ""}format=xlsx">XLSX</a></p></section>`;
    let found;
    try {
      found = await searchBills(db, billsQuery(req, typeof req.query.after === "string" ? { after: req.query.after } : {}));
    } catch (err) {
      return refusal(ctx, res, err, `${ctx.home}/bills`);
    }
    const rows = found.items
      .map(
        (b) =>
          `<tr data-bill="${esc(b.id)}"><td><code>${esc(b.billCode)}-${esc(b.billNumber)}</code></td><td>${esc(b.issuer.name)}</td><td>${esc(b.holder)}</td><td class="num">${esc(b.total)}</td><td>${esc(b.status)}${b.redOf ? ` · 红字 red of ${esc(b.redOf.billCode)}-${esc(b.redOf.billNumber)}` : ""}${b.reimbursement ? ` · 已报销 ${esc(b.reimbursement.by)}` : ""}</td><td>${esc(isoShanghai(b.issuedAt))}</td></tr>`,
      )
      .join("");
    const more = found.nextCursor
      ? `<p><a href="${ctx.home}/bills?${new URLSearchParams({ ...filters, after: found.nextCursor }).toString()}">下一页 Next page →</a></p>`
      : "";
    ctx.page(
      res,
      200,
      "票据 Bills",
      `${search}<section class="card"><div class="scroll"><table id="bills"><thead><tr><th>票据 Bill</th><th>开票单位 Issuer</th><th>交款人 Holder</th><th class="num">金额 Total</th><th>状态 State</th><th>开票时间 Issued</th></tr></thead><tbody>${rows}</tbody></table></div>${more}</section>`,
      "/bills",
    );
  });

  r.get("/bills/export", ctx.signedIn, async (req, res) => {
    const format = req.query.format === "xlsx" ? "xlsx" : "csv";
    let q;
    try {
      q = billsQuery(req);
    } catch (err) {
      return refusal(ctx, res, err, `${ctx.home}/bills`);
    }
    if (format === "xlsx") return streamBillsXlsx(db, q, res);
    return streamBillsCsv(db, q, res);
  });

  r.get("/reconciliation", ctx.signedIn, (_req, res) => {
    ctx.page(
      res,
      200,
      "对账 Reconciliation",
      `<section class="card"><h1>对账 Reconciliation</h1><p class="muted">将数据库与区块链逐项核对（可能需要一些时间）。Holds the database against the chain, entry by entry (this may take a while).</p>${runForm(ctx, res)}</section>`,
      "/reconciliation",
    );
  });
  r.post("/reconciliation", ...ctx.protect, async (req, res) => {
    try {
      const report = await ctx.d.reconcile(formField(req, "rescan") === "true");
      await audit(db, {
        actor: ctx.session(res).institutionId,
        ip: req.ip ?? null,
        action: "registry.reconcile",
        subject: ctx.d.registry,
        detail: { clean: report.clean, discrepancies: report.discrepancies.length, notices: report.notices.length },
      });
      const finding = (t: { type: string; billCode?: string; billNumber?: string; root?: string; account?: string }) =>
        `<li data-type="${esc(t.type)}"><code>${esc(t.type)}</code> ${esc([t.billCode && `${t.billCode}-${t.billNumber ?? ""}`, t.root, t.account].filter(Boolean).join(" · "))}</li>`;
      const checked = Object.entries(report.checked)
        .map(([k, v]) => `<div data-checked="${esc(k)}"><span class="n">${esc(v)}</span><span>${esc(CHECKED[k] ?? "")} ${esc(k)}</span></div>`)
        .join("");
      const verdict = report.clean
        ? `<p class="ok" id="recon-verdict" data-clean="true">一致：没有差异。Clean: no discrepancy.</p>`
        : `<p class="error" id="recon-verdict" data-clean="false">发现 ${report.discrepancies.length} 处差异。${report.discrepancies.length} discrepancies found.</p>`;
      const body =
        `<section class="card"><h1>对账结果 Reconciliation findings</h1>${verdict}<h2>已核对 Checked</h2><div class="figures">${checked}</div>` +
        `<h2>差异 Discrepancies</h2><ul id="discrepancies">${report.discrepancies.map(finding).join("") || "<li>无 None</li>"}</ul>` +
        `<h2>提示 Notices</h2><ul id="notices">${report.notices.map(finding).join("") || "<li>无 None</li>"}</ul>${runForm(ctx, res)}</section>`;
      ctx.page(res, 200, "对账结果 Reconciliation", body, "/reconciliation");
    } catch (err) {
      refusal(ctx, res, err, `${ctx.home}/reconciliation`);
    }
  });

  r.get("/audit", ctx.signedIn, async (req, res) => {
    const keep = (k: string) => (typeof req.query[k] === "string" && req.query[k] !== "" ? { [k]: String(req.query[k]) } : {});
    let log;
    try {
      log = await auditEntries(db, parseInput(auditQuery, { ...keep("action"), ...keep("subject"), ...keep("before"), limit: "50" }));
    } catch (err) {
      return refusal(ctx, res, err, `${ctx.home}/audit`);
    }
    const rows = log.items
      .map(
        (e) =>
          `<tr data-action="${esc(e.action)}"><td>${esc(isoShanghai(e.at))}</td><td>${esc(e.actor.name ?? e.actor.id)}</td><td><code>${esc(e.action)}</code></td><td><code>${esc(e.subject)}</code></td><td class="detail"><code>${esc(JSON.stringify(e.detail))}</code></td></tr>`,
      )
      .join("");
    const form = `<form method="get" action="${ctx.home}/audit" class="filters"><div><label for="a-action">操作 <span>Action</span></label><input id="a-action" name="action" value="${esc(req.query.action ?? "")}"></div><div><label for="a-subject">对象 <span>Subject</span></label><input id="a-subject" name="subject" value="${esc(req.query.subject ?? "")}"></div><div><button type="submit">筛选 Filter</button></div></form>`;
    const more = log.nextCursor
      ? `<p><a href="${ctx.home}/audit?${new URLSearchParams({ ...keep("action"), ...keep("subject"), before: String(log.nextCursor) }).toString()}">更早 Older →</a></p>`
      : "";
    ctx.page(
      res,
      200,
      "审计日志 Audit log",
      `<section class="card"><h1>审计日志 Audit log</h1>${form}<div class="scroll"><table id="audit"><thead><tr><th>时间 At</th><th>操作人 Actor</th><th>操作 Action</th><th>对象 Subject</th><th>详情 Detail</th></tr></thead><tbody>${rows}</tbody></table></div>${more}</section>`,
      "/audit",
    );
  });
  return r;
}

function runForm(ctx: ConsoleCtx, res: Response): string {
  return `<form method="post" action="${ctx.home}/reconciliation">${ctx.csrfField(res)}<label class="check"><input type="checkbox" name="rescan" value="true"> 从头重新扫描链上事件 <span>Rescan the chain from the start</span></label><button type="submit">开始对账 Run reconciliation</button></form>`;
}
