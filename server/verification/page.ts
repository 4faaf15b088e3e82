/**
 * The verify page a patient or donor sees after scanning the QR code: verdict first, in words and
 * colour, then the bill, the chain evidence and each check. Chinese with English beside it.
 *
 * Every value from a bill is escaped here, once, at the point it becomes HTML. The template's only
 * style block is allowed by its CSP hash rather than a nonce: a nonce would make every response
 * differ, and the not-found answer must be byte-identical whatever the reason. The page loads nothing.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import { packagePath } from "../config/package-root";
import { NOTICE } from "./notice";
import type { Verdict, Verification } from "./types";
import { CHECK_LABELS, CHECK_STATUS_LABELS, VERDICT_LABELS } from "../format/verdicts";
import { escapeHtml as esc } from "../format/html";
import { displayTime } from "../format/time";

const TEMPLATE_FILE = packagePath("templates", "verify", "page.html");
let template: string | undefined;

const VERDICT_PAGE: Record<Verdict, { icon: string; zhNote: string; enNote: string }> = {
  VALID: { icon: "✓", zhNote: "票据真实、未被篡改，已在区块链上存证。", enNote: "Genuine, unaltered and anchored on the blockchain." },
  PENDING: { icon: "…", zhNote: "开票单位已签名，区块链存证尚未完成，请稍后再查。", enNote: "Signed by the issuer; not yet anchored on chain. Check again shortly." },
  VOIDED: { icon: "✕", zhNote: "该票据已被开票单位冲红作废，不能用于报销。", enNote: "Voided by its issuer; it cannot be used for reimbursement." },
  INVALID: { icon: "✕", zhNote: "票据未通过核验，可能被篡改或不是本系统开具的票据。", enNote: "The bill failed verification: it may be altered or not issued here." },
  ERROR: { icon: "!", zhNote: "暂时无法连接区块链或数据库，这不代表票据无效，请稍后再试。", enNote: "The chain or database could not be reached. This does not mean the bill is invalid; try again later." },
};

/** "2026-11-25 10:31:07" in Asia/Shanghai (UTC+8, no daylight saving since 1991). */
export function shanghaiTime(iso: string | null): string {
  return iso ? `${displayTime(iso)} (UTC+8)` : "—";
}

const row = (zh: string, en: string, value: string, cls = "") =>
  `<div class="row"><dt>${esc(zh)}<span>${esc(en)}</span></dt><dd${cls ? ` class="${cls}"` : ""}>${value}</dd></div>`;

function verdictCard(v: Verdict): string {
  const d = { ...VERDICT_LABELS[v], ...VERDICT_PAGE[v] };
  return `<section class="verdict v-${v.toLowerCase()}" data-verdict="${v}" role="status"><div class="icon" aria-hidden="true">${esc(d.icon)}</div>` +
    `<h1>${esc(d.zh)}<small>${esc(d.en)}</small></h1><p>${esc(d.zhNote)}</p><p>${esc(d.enNote)}</p></section>`;
}

/** How a field the holder withheld is shown: never as a blank that looks like data. */
const WITHHELD = "持票人已隐去 withheld by the holder";

function billCard(v: Verification): string {
  const b = v.bill;
  if (!b) return "";
  const type = b.kind === "medical" ? "医疗收费电子票据 Medical fee e-bill" : "公益事业捐赠统一票据 Donation receipt";
  const holder = b.holder.role === "payer" ? ["交款人", "Payer"] : ["捐赠人", "Donor"];
  const rows = [
    row("票据类型", "Type", esc(b.redOf ? `红字票据 Red bill · ${type}` : type)),
    row("票据代码", "Bill code", esc(b.billCode), "mono"),
    row("票据号码", "Bill number", esc(b.billNumber), "mono"),
    row("开票日期", "Issue date", esc(b.issueDate)),
    row("开票单位", "Issuer", esc(b.issuer.name)),
    row("统一社会信用代码", "Credit code", esc(b.issuer.creditCode), "mono"),
    row(holder[0], holder[1], b.holder.name === null ? `<span class="withheld">${esc(WITHHELD)}</span>` : esc(b.holder.name)),
    row("金额合计", "Total", `<span class="total">¥${esc(b.total)}</span><br><span class="words">${esc(b.totalInWords)}</span>`),
  ];
  if (b.redOf) rows.push(row("冲红原票据", "Cancels", esc(`${b.redOf.billCode}-${b.redOf.billNumber}`), "mono"));
  return `<section class="card"><h2>票据信息 Bill</h2><dl>${rows.join("")}</dl></section>`;
}

function stateCard(v: Verification): string {
  const rows: string[] = [];
  if (v.verdict === "VOIDED") {
    rows.push(row("冲红时间", "Voided at", esc(shanghaiTime(v.void.at))), row("冲红原因", "Reason", esc(v.void.reason || "—")));
  }
  const r = v.reimbursement;
  rows.push(row("报销状态", "Reimbursement", r ? esc(`已报销 Reimbursed · ${r.by} · ${shanghaiTime(r.at)}`) : "未报销 Not reimbursed"));
  return `<section class="card"><h2>状态 Status</h2><dl>${rows.join("")}</dl></section>`;
}

function chainCard(v: Verification): string {
  const a = v.anchor;
  if (!a) return `<section class="card"><h2>区块链存证 Chain evidence</h2><dl>${row("存证", "Anchor", "尚未上链 Not yet on chain")}</dl></section>`;
  const rows = [
    row("交易哈希", "Transaction", esc(a.txHash), "mono"),
    row("区块高度", "Block", esc(a.blockNumber), "mono"),
    row("上链时间", "Time", esc(shanghaiTime(a.blockTime))),
    row("确认数", "Confirmations", esc(a.confirmations)),
    row("合约地址", "Registry", esc(a.registry), "mono"),
    row("链 ID", "Chain ID", esc(a.chainId), "mono"),
  ];
  return `<section class="card"><h2>区块链存证 Chain evidence</h2><dl>${rows.join("")}</dl></section>`;
}

function checksCard(v: Verification): string {
  const items = v.checks.map(
    (c) =>
      `<li data-check="${c.name}" data-status="${c.status}"><span class="badge b-${c.status}">${esc(CHECK_STATUS_LABELS[c.status])}</span>` +
      `<div><div class="check-name">${esc(CHECK_LABELS[c.name])}</div><div class="check-detail">${esc(c.detail)}</div></div></li>`,
  );
  return `<section class="card"><h2>核验项目 Checks</h2><ul class="checks">${items.join("")}</ul></section>`;
}

function loadTemplate(): string {
  template ??= fs.readFileSync(TEMPLATE_FILE, "utf8");
  return template;
}

/** The Content-Security-Policy of every verify page: the template's style block by hash, nothing else. */
export function pageCsp(): string {
  const style = /<style>([\s\S]*?)<\/style>/.exec(loadTemplate());
  const hash = createHash("sha256").update(style ? style[1] : "", "utf8").digest("base64");
  return `default-src 'none'; style-src 'sha256-${hash}'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

function fill(values: { title: string; body: string; note: string }): string {
  // the body is already HTML; the other values are text
  return loadTemplate().replace(/\{\{(title|body|note)\}\}/g, (_m, key: keyof typeof values) => (key === "body" ? values.body : esc(values[key])));
}

export function verificationPage(v: Verification, checkedAt: Date): string {
  const d = { ...VERDICT_LABELS[v.verdict], ...VERDICT_PAGE[v.verdict] };
  return fill({
    title: `${d.zh} ${d.en} · 票据查验`,
    body: verdictCard(v.verdict) + `<p class="notice" data-notice>${esc(NOTICE)}</p>` + billCard(v) + stateCard(v) + chainCard(v) + checksCard(v),
    note: `核验时间 Checked at ${shanghaiTime(checkedAt.toISOString())}. 本页结果来自区块链存证与开票系统。 Results come from the blockchain registry and the issuing service.`,
  });
}

/** The one answer for an unknown id, a wrong key and a missing key: it must not differ. */
export function notFoundPage(): string {
  const body =
    `<section class="verdict v-none" data-verdict="NOT_FOUND" role="status"><div class="icon" aria-hidden="true">?</div><h1>未找到票据<small>Bill not found</small></h1>` +
    `<p>请核对二维码或链接是否完整。</p><p>Check that the QR code or link is complete.</p></section>`;
  return fill({ title: "未找到票据 Bill not found", body, note: "票据查验 Bill verification" });
}

export function rateLimitedPage(retryAfter: number): string {
  const body =
    `<section class="verdict v-error" data-verdict="RATE_LIMITED" role="status"><div class="icon" aria-hidden="true">!</div><h1>请求过多<small>Too many requests</small></h1>` +
    `<p>请在 ${esc(retryAfter)} 秒后重试。</p><p>Try again in ${esc(retryAfter)} seconds.</p></section>`;
  return fill({ title: "请求过多 Too many requests", body, note: "票据查验 Bill verification" });
}
