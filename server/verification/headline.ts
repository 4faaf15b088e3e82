/**
 * The headline of a verdict page: the verdict, and the bill's state in words. A verdict alone is not
 * enough for a person: a VALID bill that is already reimbursed, or a red bill (红字) cancelling
 * another, must never read as a plain green 有效. The state is chosen by the first rule that applies
 * (STATE_RULES, in order), so a new state (a bill claimed in parts, say) is one more rule.
 *
 * Wording follows the kind of bill: a medical bill is reimbursed (报销), a donation receipt is claimed
 * (入账, e.g. for a tax deduction), never 报销.
 */
import type { Verdict, Verification } from "./types";
import { isoShanghai } from "../http/html";
import { formatFen } from "../issuance/money";

export type Tone = "valid" | "pending" | "voided" | "invalid" | "error" | "red" | "used";

export interface Related {
  /** the red bill that cancelled this (voided) bill: its verification page */
  redBill?: { href: string; number: string };
  /** the bill this red bill cancels: its verification page */
  original?: { href: string; number: string };
}

export interface Headline {
  verdict: Verdict;
  /** a stable name of the state shown, for tests and styles: valid, reimbursed, red-bill, voided, … */
  state: string;
  tone: Tone;
  zh: string;
  en: string;
  /** sentences, each in Chinese and English */
  lines: Array<[string, string]>;
  link?: { href: string; zh: string; en: string };
}

/** The words for "used" by kind of bill: 报销 for medical bills, 入账 for donation receipts. */
export function usageWords(kind: "medical" | "donation" | undefined) {
  return kind === "donation"
    ? {
        done: ["已入账", "Claimed"],
        none: ["未入账", "Not claimed"],
        label: ["入账状态", "Claim"],
        cannot: ["不能再用于入账或税前扣除", "it can no longer be claimed (e.g. for a tax deduction)"],
      }
    : {
        done: ["已报销", "Reimbursed"],
        none: ["未报销", "Not reimbursed"],
        label: ["报销状态", "Reimbursement"],
        cannot: ["不能再用于报销", "it can no longer be used for reimbursement"],
      };
}

const BASE: Record<Verdict, Omit<Headline, "verdict" | "link">> = {
  VALID: {
    state: "valid",
    tone: "valid",
    zh: "有效",
    en: "VALID",
    lines: [["票据真实、未被篡改，已在区块链上存证。", "Genuine, unaltered and anchored on the blockchain."]],
  },
  PENDING: {
    state: "pending",
    tone: "pending",
    zh: "待上链",
    en: "PENDING",
    lines: [["开票单位已签名，区块链存证尚未完成。本页会自动刷新。", "Signed by the issuer; not yet anchored on chain. This page refreshes itself."]],
  },
  VOIDED: { state: "voided", tone: "voided", zh: "已冲红", en: "VOIDED", lines: [] },
  INVALID: {
    state: "invalid",
    tone: "invalid",
    zh: "无效",
    en: "INVALID",
    lines: [["票据未通过核验，可能被篡改或不是本系统开具的票据。", "The bill failed verification: it may be altered or not issued here."]],
  },
  ERROR: {
    state: "error",
    tone: "error",
    zh: "无法核验",
    en: "ERROR",
    lines: [
      [
        "暂时无法连接区块链或数据库，这不代表票据无效，请稍后再试。",
        "The chain or database could not be reached. This does not mean the bill is invalid; try again later.",
      ],
    ],
  },
};

type Rule = (v: Verification, r: Related) => Omit<Headline, "verdict"> | null;

const voided: Rule = (v, r) => {
  if (v.verdict !== "VOIDED") return null;
  const u = usageWords(v.bill?.kind);
  const lines: Array<[string, string]> = [
    [`该票据已被开票单位冲红作废，${u.cannot[0]}。`, `Voided by its issuer; ${u.cannot[1]}.`],
    [`冲红时间：${isoShanghai(v.void.at)}`, `Voided at ${isoShanghai(v.void.at)}`],
    [`冲红原因：${v.void.reason || "—"}`, `Reason: ${v.void.reason || "—"}`],
  ];
  if (r.redBill) lines.push([`红字票据：${r.redBill.number}`, `Red bill: ${r.redBill.number}`]);
  return { ...BASE.VOIDED, state: "voided", lines, link: r.redBill ? { href: r.redBill.href, zh: "查看红字票据", en: "See the red bill" } : undefined };
};

const redBill: Rule = (v, r) => {
  const of = v.bill?.redOf;
  if (!of || (v.verdict !== "VALID" && v.verdict !== "PENDING")) return null;
  const n = `${of.billCode}-${of.billNumber}`;
  return {
    state: "red-bill",
    tone: "red",
    zh: v.verdict === "PENDING" ? "红字票据（待上链）" : "红字票据",
    en: v.verdict === "PENDING" ? "RED BILL (pending)" : "RED BILL",
    lines: [
      [
        `这是一张红字票据（负数金额），用于冲销原票据 ${n}，本身不能用于报销或入账。`,
        `This is a red bill (a negative amount) cancelling bill ${n}; it cannot itself be reimbursed or claimed.`,
      ],
      [
        v.verdict === "PENDING" ? "区块链存证尚未完成。本页会自动刷新。" : "红字票据真实、已在区块链上存证。",
        v.verdict === "PENDING" ? "Not yet anchored on chain. This page refreshes itself." : "The red bill is genuine and anchored on the blockchain.",
      ],
    ],
    link: r.original ? { href: r.original.href, zh: "查看被冲销的原票据", en: "See the cancelled bill" } : undefined,
  };
};

const used: Rule = (v) => {
  const m = v.reimbursement;
  if (!m || (v.verdict !== "VALID" && v.verdict !== "PENDING")) return null;
  const u = usageWords(v.bill?.kind);
  return {
    state: "reimbursed",
    tone: "used",
    zh: u.done[0],
    en: u.done[1].toUpperCase(),
    lines: [
      [
        `票据真实，但已由 ${m.by} 于 ${isoShanghai(m.at)} 标记为${u.done[0]}，${u.cannot[0]}。`,
        `Genuine, but marked ${u.done[1].toLowerCase()} by ${m.by} at ${isoShanghai(m.at)}; ${u.cannot[1]}.`,
      ],
    ],
  };
};

const yuan = (fen: number | null) => (fen === null ? "—" : `¥${formatFen(BigInt(fen))}`);

/** Claimed in parts, with some left: genuine, but not for its whole amount any more. */
const partlyClaimed: Rule = (v) => {
  const c = v.claims;
  if (!c || c.claimedFen <= 0 || (v.verdict !== "VALID" && v.verdict !== "PENDING")) return null;
  const used = c.remainingFen !== null && c.remainingFen <= 0;
  const u = usageWords(v.bill?.kind);
  const who = c.parties.map((p) => `${p.by} ${yuan(p.amountFen)}`).join("、");
  return {
    state: used ? "claimed" : "partly-claimed",
    tone: "used",
    zh: used ? u.done[0] : `部分${u.done[0].slice(1)}`,
    en: used ? u.done[1].toUpperCase() : `PARTLY ${u.done[1].toUpperCase()}`,
    lines: [
      [
        `票据真实；已${u.done[0].slice(1)} ${yuan(c.claimedFen)}，剩余 ${yuan(c.remainingFen)}。`,
        `Genuine; ${yuan(c.claimedFen)} claimed, ${yuan(c.remainingFen)} remaining.`,
      ],
      [`${u.label[0].replace("状态", "单位")}：${who}`, `Claimed by: ${who}`],
    ],
  };
};

/** In order: the first that applies is shown. */
const STATE_RULES: Rule[] = [voided, redBill, used, partlyClaimed];

export function headlineOf(v: Verification, related: Related = {}): Headline {
  for (const rule of STATE_RULES) {
    const h = rule(v, related);
    if (h) return { verdict: v.verdict, ...h };
  }
  return { verdict: v.verdict, ...BASE[v.verdict] };
}
