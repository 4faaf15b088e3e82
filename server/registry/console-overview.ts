/**
 * The console's overview (GET /bureau): the registry's figures (figures.ts, the same as the stats
 * API, the CLI and the exports), bills issued per day, and each issuer's figures.
 */
import { Router } from "express";
import { formatShanghaiTime } from "../issuance/compose";
import { escapeHtml, render } from "./page-template";
import { FIGURE_NAMES, type Figures } from "./figures";
import { listIssuers } from "./issuer-views";
import { dailyIssued, totalFigures } from "./stats";
import { dailyChartSvg } from "./bureau-chart";
import type { ConsoleCtx } from "./console-context";

const SHOWN: Array<keyof Figures> = ["issued", "amount", "pending", "voided", "voidedAmount", "reimbursed", "reimbursedAmount", "red", "redAmount"];

export function figureTiles(f: Figures): string {
  return SHOWN.map(
    (k) =>
      `<div data-figure="${k}"><span class="n">${escapeHtml(f[k])}</span><span>${escapeHtml(FIGURE_NAMES[k][0])} ${escapeHtml(FIGURE_NAMES[k][1])}</span></div>`,
  ).join("");
}

function issuerRows(ctx: ConsoleCtx, issuers: Awaited<ReturnType<typeof listIssuers>>): string {
  return issuers
    .map((i) => {
      const ranges = i.ranges
        .map((r) => `${r.billCode} ${r.start}–${r.end} (余 ${r.remaining})`)
        .map(escapeHtml)
        .join("<br>");
      const nums = SHOWN.map((k) => `<td class="num" data-figure="${k}">${escapeHtml(i.bills[k])}</td>`).join("");
      return (
        `<tr data-issuer="${escapeHtml(i.id)}"><td><a href="${ctx.home}/issuers/${encodeURIComponent(i.id)}">${escapeHtml(i.name)}</a></td><td><code>${escapeHtml(i.creditCode)}</code></td><td>${i.kind === "medical" ? "医疗 medical" : "捐赠 donation"}</td>` +
        `<td class="state-${escapeHtml(i.status)}">${i.status === "active" ? "正常 active" : "暂停 suspended"}</td><td>${ranges}</td>${nums}</tr>`
      );
    })
    .join("\n");
}

export function overviewRoutes(ctx: ConsoleCtx): Router {
  const r = Router();
  r.get("/", ctx.signedIn, async (_req, res) => {
    const now = new Date();
    const today = formatShanghaiTime(now).slice(0, 10);
    const [issuers, days, totals, bureau] = await Promise.all([
      listIssuers(ctx.d.db),
      dailyIssued(ctx.d.db, today, 30),
      totalFigures(ctx.d.db),
      ctx.d.db.selectFrom("institutions").select("name").where("id", "=", ctx.session(res).institutionId).executeTakeFirst(),
    ]);
    const head = SHOWN.map((k) => `<th class="num">${escapeHtml(FIGURE_NAMES[k][0])}<br><span>${escapeHtml(FIGURE_NAMES[k][1])}</span></th>`).join("");
    const body = render("dashboard.html", {
      bureau: bureau?.name ?? "财政局",
      registry: ctx.d.registry,
      now: formatShanghaiTime(now),
      issuerCount: issuers.length,
      figures: figureTiles(totals),
      chart: dailyChartSvg(days),
      head,
      rows: issuerRows(ctx, issuers),
    });
    ctx.page(res, 200, "监管 Supervision", body, "");
  });
  return r;
}
