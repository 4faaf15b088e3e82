/**
 * The holder's check page at `/`: the five 查验 fields (a GET form, so that a PENDING answer can
 * reload itself) and a PDF upload (a multipart POST). Works without script. A wrong or missing key in
 * a QR link answers this page too, with one fixed message that says nothing about the bill.
 */
import { escapeHtml as esc } from "../http/html";
import { holderPage } from "./page";

export const MANUAL_FIELDS = [
  { name: "billCode", zh: "票据代码", en: "Bill code", hintZh: "8 位数字", hintEn: "8 digits", mode: "numeric", pattern: "\\d{8}", max: 8 },
  { name: "billNumber", zh: "票据号码", en: "Bill number", hintZh: "10 位数字", hintEn: "10 digits", mode: "numeric", pattern: "\\d{10}", max: 10 },
  {
    name: "checkCode",
    zh: "校验码",
    en: "Check code",
    hintZh: "6 位字母或数字",
    hintEn: "6 letters or digits",
    mode: "text",
    pattern: "[0-9A-Za-z]{6}",
    max: 6,
  },
  { name: "issueDate", zh: "开票日期", en: "Issue date", hintZh: "年-月-日", hintEn: "YYYY-MM-DD", mode: "text", pattern: "\\d{4}-\\d{2}-\\d{2}", max: 10 },
  { name: "total", zh: "金额合计", en: "Total", hintZh: "如 157.00", hintEn: "e.g. 157.00", mode: "decimal", pattern: "", max: 16 },
] as const;

export type ManualName = (typeof MANUAL_FIELDS)[number]["name"];

export interface CheckPageInput {
  base: string;
  /** what the holder typed, shown again */
  values?: Partial<Record<ManualName, string>>;
  /** a message above the forms: [zh, en] */
  message?: [string, string];
  /** field problems: [field, zh, en] */
  fieldErrors?: Array<[string, string, string]>;
  /** which form the message is about */
  about?: "manual" | "pdf" | "link";
  /** a heading of the message: [zh, en] */
  heading?: [string, string];
}

function manualForm(base: string, values: CheckPageInput["values"] = {}): string {
  const inputs = MANUAL_FIELDS.map((f) => {
    const type = f.name === "issueDate" ? "date" : "text";
    const pattern = f.pattern ? ` pattern="${esc(f.pattern)}"` : "";
    return (
      `<label for="f-${f.name}">${esc(f.zh)} <span>${esc(f.en)} · ${esc(f.hintZh)} ${esc(f.hintEn)}</span>` +
      `<input id="f-${f.name}" name="${f.name}" type="${type}" inputmode="${f.mode}" maxlength="${f.max}"${pattern} autocomplete="off" required value="${esc(values[f.name] ?? "")}"></label>`
    );
  }).join("");
  return (
    `<section class="card" id="manual"><h2>输入票面信息查验 Check by the printed fields</h2>` +
    `<form class="check" method="get" action="${esc(base)}/check">${inputs}<button type="submit">查验 Check</button></form></section>`
  );
}

function pdfForm(base: string): string {
  return (
    `<section class="card" id="upload"><h2>上传 PDF 查验 Check a PDF file</h2>` +
    `<form class="check" method="post" action="${esc(base)}/check/pdf" enctype="multipart/form-data">` +
    `<label for="f-pdf">电子票据 PDF 文件 <span>The e-bill PDF (at most 5 MB)</span><input id="f-pdf" name="pdf" type="file" accept="application/pdf,.pdf" required></label>` +
    `<button type="submit">上传并查验 Upload and check</button></form>` +
    `<p class="hint">文件只用于本次查验，不会保存。<span class="en">The file is used for this check only and is not kept.</span></p></section>`
  );
}

export function checkPage(p: CheckPageInput): string {
  const errors = p.fieldErrors?.length
    ? `<ul class="field-errors">${p.fieldErrors.map(([f, zh, en]) => `<li data-field="${esc(f)}">${esc(zh)} <span class="en">${esc(en)}</span></li>`).join("")}</ul>`
    : "";
  const heading = p.heading ? `<h1>${esc(p.heading[0])} <small>${esc(p.heading[1])}</small></h1>` : "";
  const verdict = p.about === "link" ? ' data-verdict="NOT_FOUND"' : "";
  const message = p.message
    ? `<div class="message problem" role="alert" data-about="${esc(p.about ?? "")}"${verdict}>${heading}<b>${esc(p.message[0])}</b><span class="en">${esc(p.message[1])}</span>${errors}</div>`
    : "";
  const intro =
    `<section class="card"><h2>票据查验 Verify a fiscal e-bill</h2><p class="hint">扫描票据上的二维码即可查验；也可以输入票面上的五项信息，或上传电子票据 PDF 文件。` +
    `<span class="en">Scan the QR code on the bill to check it; or type the five fields printed on it, or upload the e-bill PDF.</span></p></section>`;
  return holderPage({
    base: p.base,
    title: "票据查验 Verify a bill",
    body: message + intro + `<div class="grid">${manualForm(p.base, p.values)}${pdfForm(p.base)}</div>`,
    note: "本页不使用脚本，不加载外部资源。 This page uses no script and loads nothing from elsewhere.",
  });
}

/** The one answer for an unknown id, a wrong key and a missing key: it must not differ. */
export function linkNotFoundPage(base: string): string {
  return checkPage({
    base,
    about: "link",
    heading: ["未找到票据", "Bill not found"],
    message: [
      "链接不完整或已失效。请核对二维码，或在下方输入票面信息查验。",
      "Bill not found: the link is incomplete or wrong. Check the QR code, or type the printed fields below.",
    ],
  });
}
