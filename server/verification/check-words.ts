/**
 * Each check's outcome in Chinese, beside the verifier's English detail: by the check's stable `code`
 * when it did not pass, by its name when it passed. The English detail (with hashes, blocks and
 * accounts) is shown as is; the Chinese sentence says what it means for the holder.
 */
import type { Check, CheckName } from "./types";

const PASSED: Record<CheckName, string> = {
  integrity: "票据内容与开具时一致，未被篡改。",
  inclusion: "票据已写入区块链存证批次。",
  issuer: "开票单位是财政部门准入的开票单位，票据号码属于其号段。",
  status: "票据未被冲红。",
  signature: "电子签名来自开票单位的账户。",
  sm2: "国密 SM2 签章有效，签章密钥与区块链上登记的一致。",
  file: "上传的文件与系统开具的文件完全一致。",
};

const BY_CODE: Record<string, string> = {
  HASH_MISMATCH: "票据内容在开具后被修改。",
  LEAF_MISMATCH: "票据哈希与存证记录不符。",
  MALFORMED: "票据数据格式错误，不是本系统的票据。",
  SIGNATURE_MALFORMED: "电子签名无法读取。",
  WRONG_SIGNER: "电子签名不是开票单位的。",
  OTHER_REGISTRY: "票据存证在其他区块链登记合约上。",
  PROOF_MISMATCH: "存证证明与票据不符。",
  ROOT_NOT_ANCHORED: "开票单位未在区块链上存证该批次。",
  NOT_INCLUDED: "区块链登记合约中没有该票据。",
  AWAITING_CONFIRMATIONS: "已上链，等待足够的区块确认。",
  NOT_ANCHORED: "已签名，尚未上链存证。",
  NOT_ADMITTED_THEN: "存证时该账户不是准入的开票单位。",
  NUMBER_NOT_ALLOTTED: "票据号码不属于该开票单位的号段。",
  UNKNOWN_ISSUER: "区块链登记合约从未准入该开票单位账户。",
  WRONG_KIND: "开票单位未获准开具此类票据。",
  CREDIT_CODE_MISMATCH: "票面统一社会信用代码与登记不符。",
  ISSUER_SUSPENDED: "开票单位已被暂停开票。",
  NUMBER_REUSED: "该票据号码被重复使用。",
  VOIDED: "票据已被冲红作废。",
  SM2_BAD_SIGNATURE: "国密 SM2 签章无效。",
  SM2_KEY_NOT_RECORDED: "区块链上没有登记该开票单位的 SM2 签章密钥。",
  SM2_KEY_MISMATCH: "SM2 签章密钥与区块链上登记的不一致。",
  FILE_APPENDED: "文件末尾被追加了内容。",
  FILE_TRUNCATED: "文件被截断。",
  FILE_MODIFIED: "文件内容被修改。",
  FILE_NOT_ISSUED: "本系统未开具过这个文件。",
  QR_OTHER_BILL: "文件上的二维码属于另一张票据。",
  QR_OTHER_SITE: "文件上的二维码不指向本查验网站。",
  RENDERER_MISMATCH: "文件由另一版本生成，无法逐字节比对。",
  CHAIN_UNAVAILABLE: "暂时无法连接区块链。",
  STORE_UNAVAILABLE: "暂时无法查询开票系统。",
  SERVICE_BUSY: "系统繁忙，请稍后再试。",
};

const OTHER: Record<Check["status"], string> = {
  passed: "通过。",
  pending: "尚待完成。",
  failed: "未通过。",
  error: "暂时无法检查，这不代表票据无效。",
  skipped: "未检查（前一项未通过或不适用）。",
};

/** The Chinese sentence of one check's outcome. */
export function checkDetailZh(c: Check): string {
  if (c.status === "passed") {
    if (c.name === "status" && /reimbursed \(/.test(c.detail)) return "票据未被冲红；已被标记为已报销或已入账。";
    return PASSED[c.name];
  }
  if (c.status === "skipped") return OTHER.skipped;
  return BY_CODE[c.code] ?? OTHER[c.status];
}
