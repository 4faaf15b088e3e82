/**
 * The verification vocabulary, once: the verdicts, the seven checks and a check's outcomes, with the
 * bilingual labels the verify page, the CLI and the metrics use (docs/PROTOCOL.md §9).
 */
export const VERDICTS = ["VALID", "PENDING", "VOIDED", "INVALID", "ERROR"] as const;
export type Verdict = (typeof VERDICTS)[number];

export type CheckName = "integrity" | "inclusion" | "issuer" | "status" | "signature" | "sm2" | "file";
export type CheckStatus = "passed" | "pending" | "failed" | "error" | "skipped";

export const VERDICT_LABELS: Record<Verdict, { zh: string; en: string }> = {
  VALID: { zh: "有效", en: "VALID" },
  PENDING: { zh: "待上链", en: "PENDING" },
  VOIDED: { zh: "已冲红", en: "VOIDED" },
  INVALID: { zh: "无效", en: "INVALID" },
  ERROR: { zh: "无法核验", en: "ERROR" },
};

/** "已冲红 VOIDED" */
export const verdictLabel = (v: Verdict): string => `${VERDICT_LABELS[v].zh} ${VERDICT_LABELS[v].en}`;

export const CHECK_LABELS: Record<CheckName, string> = {
  integrity: "内容完整 Integrity",
  inclusion: "上链存证 Inclusion",
  issuer: "开票单位 Issuer",
  status: "票据状态 Status",
  signature: "电子签名 Signature",
  sm2: "国密签章 SM2 seal",
  file: "原始文件 File",
};

export const CHECK_STATUS_LABELS: Record<CheckStatus, string> = {
  passed: "通过 Passed",
  pending: "待定 Pending",
  failed: "未通过 Failed",
  error: "无法检查 Error",
  skipped: "未检查 Skipped",
};
