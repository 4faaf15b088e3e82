/**
 * The holder's verdict page (QR link, 查验 fields, PDF upload all answer with it): the headline first
 * — the verdict and the bill's state in words (headline.ts) — then the bill, its state, the chain
 * evidence and each check, Chinese with English beside it. A PENDING page refreshes itself.
 *
 * Every value from a bill is escaped here, once, at the point it becomes HTML (http/html.ts). The
 * template's only style block is allowed by its CSP hash rather than a nonce: a nonce would make every
 * response differ, and the not-found answer must be byte-identical whatever the reason. The page
 * loads nothing. Links and forms carry the path of PUBLIC_BASE_URL (`base`), so that the pages work
 * behind a reverse proxy under a path.
 */
import { createHash } from "node:crypto";
import { escapeHtml as esc, fillTemplate, isoShanghai, templateText } from "../http/html";
import { NOTICE } from "./notice";
import type { Check, Verification } from "./types";
import { formatFen } from "../issuance/money";
import { headlineOf, usageWords, type Headline, type Related } from "./headline";
import { checkDetailZh } from "./check-words";
import { CHECK_STATUS_LABELS } from "../format/verdicts";

/** How often a PENDING page reloads itself, in seconds. */
export const PENDING_REFRESH_S = 3;

const CHECK_NAMES: Record<Check["name"], [string, string]> = {
  integrity: ["内容完整", "Integrity"],
  inclusion: ["上链存证", "Inclusion"],
  issuer: ["开票单位", "Issuer"],
  status: ["票据状态", "Status"],
  signature: ["电子签名", "Signature"],
  sm2: ["国密签章", "SM2 seal"],
  file: ["原始文件", "File"],
};

const ICONS: Record<Headline["tone"], string> = { valid: "✓", pending: "…", voided: "✕", invalid: "✕", error: "!", red: "−", used: "✓" };

export const row = (zh: string, en: string, value: string, cls = "") =>
  `<div class="row"><dt>${esc(zh)}<span>${esc(en)}</span></dt><dd${cls ? ` class="${cls}"` : ""}>${value}</dd></div>`;

function headlineCard(h: Headline): string {
  const lines = h.lines.map(([zh, en]) => `<p>${esc(zh)}<span class="en">${esc(en)}</span></p>`).join("");
  const link = h.link ? `<p><a class="onbanner" href="${esc(h.link.href)}">${esc(h.link.zh)} ${esc(h.link.en)} →</a></p>` : "";
  return (
    `<section class="verdict v-${h.tone}" data-verdict="${h.verdict}" data-state="${esc(h.state)}" role="status"><div class="icon" aria-hidden="true">${esc(ICONS[h.tone])}</div>` +
    `<h1>${esc(h.zh)}<small>${esc(h.en)}</small></h1>${lines}${link}</section>`
  );
}

/** How a field the holder withheld is shown: never as a blank that looks like data. */
const WITHHELD = "持票人已隐去 withheld by the holder";

function billCard(v: Verification, related: Related): string {
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
    row(
      b.kind === "donation" ? "捐赠金额" : "金额合计",
      b.kind === "donation" ? "Amount donated" : "Total",
      `<span class="total">¥${esc(b.total)}</span><br><span class="words">${esc(b.totalInWords)}</span>`,
    ),
  ];
  if (b.redOf) {
    const n = esc(`${b.redOf.billCode}-${b.redOf.billNumber}`);
    rows.push(row("冲销原票据", "Cancels", related.original ? `<a href="${esc(related.original.href)}">${n}</a>` : n, "mono"));
  }
  // a copy says what it withholds: the fields are committed on the bill, their values are not in the copy
  if (v.withheld.length > 0) rows.push(row("副本已隐去", "Copy withholds", `<span class="withheld">${esc(v.withheld.join(", "))}</span>`, "mono"));
  return `<section class="card"><h2>票据信息 Bill</h2><dl>${rows.join("")}</dl></section>`;
}

function stateCard(v: Verification, related: Related): string {
  const rows: string[] = [];
  if (v.verdict === "VOIDED") {
    rows.push(row("冲红时间", "Voided at", esc(isoShanghai(v.void.at))), row("冲红原因", "Reason", esc(v.void.reason || "—")));
    if (related.redBill) rows.push(row("红字票据", "Red bill", `<a href="${esc(related.redBill.href)}">${esc(related.redBill.number)}</a>`, "mono"));
  }
  const u = usageWords(v.bill?.kind);
  const r = v.reimbursement;
  rows.push(row(u.label[0], u.label[1], r ? esc(`${u.done[0]} ${u.done[1]} · ${r.by} · ${isoShanghai(r.at)}`) : esc(`${u.none[0]} ${u.none[1]}`)));
  const c = v.claims;
  if (c && (c.claimedFen > 0 || c.parties.length > 0)) {
    const yuan = (fen: number | null) => (fen === null ? "—" : `¥${formatFen(BigInt(fen))}`);
    rows.push(
      row("可报销金额", "Claimable", esc(yuan(c.claimableFen))),
      row("已报销金额", "Claimed", esc(yuan(c.claimedFen))),
      row("剩余可报销", "Remaining", esc(yuan(c.remainingFen))),
    );
    for (const p of c.parties) rows.push(row("报销单位", "Claimed by", esc(`${p.by} · ${yuan(p.amountFen)} · ${isoShanghai(p.at)}`)));
  }
  return `<section class="card"><h2>状态 Status</h2><dl>${rows.join("")}</dl></section>`;
}

function chainCard(v: Verification): string {
  const a = v.anchor;
  if (!a) return `<section class="card"><h2>区块链存证 Chain evidence</h2><dl>${row("存证", "Anchor", "尚未上链 Not yet on chain")}</dl></section>`;
  const rows = [
    row("交易哈希", "Transaction", esc(a.txHash), "mono"),
    row("区块高度", "Block", esc(a.blockNumber), "mono"),
    row("上链时间", "Time", esc(isoShanghai(a.blockTime))),
    row("确认数", "Confirmations", esc(a.confirmations)),
    row("合约地址", "Registry", esc(a.registry), "mono"),
    row("链 ID", "Chain ID", esc(a.chainId), "mono"),
  ];
  return `<section class="card"><h2>区块链存证 Chain evidence</h2><dl>${rows.join("")}</dl></section>`;
}

function checksCard(v: Verification): string {
  const items = v.checks.map((c) => {
    const [zh, en] = CHECK_NAMES[c.name];
    return (
      `<li data-check="${c.name}" data-status="${c.status}"><span class="badge b-${c.status}">${esc(CHECK_STATUS_LABELS[c.status])}</span>` +
      `<div><div class="check-name">${esc(zh)} <span class="en">${esc(en)}</span></div><div class="check-zh">${esc(checkDetailZh(c))}</div><div class="check-detail" lang="en">${esc(c.detail)}</div></div></li>`
    );
  });
  return `<section class="card"><h2>核验项目 Checks</h2><ul class="checks">${items.join("")}</ul></section>`;
}

function loadTemplate(): string {
  return templateText("verify", "page.html");
}

/** The Content-Security-Policy of every holder page: the template's style block by hash, forms to this site, nothing else. */
export function pageCsp(): string {
  const style = /<style>([\s\S]*?)<\/style>/.exec(loadTemplate());
  const hash = createHash("sha256")
    .update(style ? style[1] : "", "utf8")
    .digest("base64");
  return `default-src 'none'; style-src 'sha256-${hash}'; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`;
}

export interface PageFrame {
  title: string;
  /** already HTML */
  body: string;
  note: string;
  /** the path of PUBLIC_BASE_URL ("" at the root) */
  base: string;
  /** reload after this many seconds (to `refreshUrl` when given) */
  refreshS?: number;
  refreshUrl?: string;
}

/** The copies a holder may download (server/issuance/redaction.ts), from the page its own link opened. */
const COPY_CHOICES: Array<{ withhold: string; zh: string; en: string }> = [
  { withhold: "idNumber", zh: "隐去证件号码", en: "Without the ID number" },
  { withhold: "idNumber,items", zh: "隐去证件号码和明细", en: "Without the ID number and the items" },
  { withhold: "idNumber,items,payerName", zh: "隐去证件号码、明细和姓名", en: "Without the ID number, the items and the name" },
];

function copiesCard(base: string, holder: { billId: string; key: string }): string {
  const href = (format: string, withhold: string) =>
    esc(`${base}/v/${encodeURIComponent(holder.billId)}/copy.${format}?k=${encodeURIComponent(holder.key)}&withhold=${withhold}`);
  const rows = COPY_CHOICES.map((c) =>
    row(c.zh, c.en, `<a href="${href("pdf", c.withhold)}" data-copy="${esc(c.withhold)}">PDF</a> · <a href="${href("json", c.withhold)}">JSON</a>`),
  );
  const note = "副本仍可核验，并注明隐去了哪些项目。 A copy still verifies, and says what it withholds.";
  return `<section class="card" data-copies><h2>下载副本 Download a copy</h2><p>${esc(note)}</p><dl>${rows.join("")}</dl></section>`;
}

export function holderPage(f: PageFrame): string {
  const head = f.refreshS ? `<meta http-equiv="refresh" content="${f.refreshS}${f.refreshUrl ? `; url=${esc(f.refreshUrl)}` : ""}">` : "";
  return fillTemplate(loadTemplate(), { title: f.title, body: f.body, note: f.note, head, home: `${f.base}/` });
}

export interface VerdictPageOptions {
  base: string;
  related?: Related;
  /** where a PENDING page reloads (default: itself) */
  refreshUrl?: string;
  /** the page was opened with the bill's own key (the holder's QR link): it offers redacted copies; a copy's own link never does */
  holder?: { billId: string; key: string };
  /** the holder's OFD download (the same key as the page) */
  ofdUrl?: string;
}

export function verificationPage(v: Verification, checkedAt: Date, o: VerdictPageOptions): string {
  const related = o.related ?? {};
  const h = headlineOf(v, related);
  const again = `<p class="again"><a href="${esc(o.base)}/">查验另一张票据 Check another bill</a></p>`;
  const copies = o.holder ? copiesCard(o.base, o.holder) : "";
  const downloads = o.ofdUrl
    ? `<p class="downloads"><a href="${esc(o.ofdUrl)}" download data-download="ofd">下载 OFD 版式文件 Download the OFD file</a></p>`
    : "";
  return holderPage({
    base: o.base,
    title: `${h.zh} ${h.en} · 票据查验`,
    body:
      headlineCard(h) +
      `<p class="notice" data-notice>${esc(NOTICE)}</p>` +
      billCard(v, related) +
      downloads +
      stateCard(v, related) +
      chainCard(v) +
      checksCard(v) +
      copies +
      again,
    note: `核验时间 Checked at ${isoShanghai(checkedAt.toISOString())}. 本页结果来自区块链存证与开票系统。 Results come from the blockchain registry and the issuing service.`,
    refreshS: v.verdict === "PENDING" ? PENDING_REFRESH_S : undefined,
    refreshUrl: v.verdict === "PENDING" ? o.refreshUrl : undefined,
  });
}

export function rateLimitedPage(retryAfter: number, base: string): string {
  const body =
    `<section class="verdict v-error" data-verdict="RATE_LIMITED" role="status"><div class="icon" aria-hidden="true">!</div><h1>请求过多<small>Too many requests</small></h1>` +
    `<p>请在 ${esc(retryAfter)} 秒后重试。<span class="en">Try again in ${esc(retryAfter)} seconds.</span></p></section>`;
  return holderPage({ base, title: "请求过多 Too many requests", body, note: "票据查验 Bill verification" });
}
