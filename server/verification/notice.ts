/**
 * The one sentence every verification answer carries (QR link JSON and page, PDF upload, manual
 * check, `lianpiao verify` table and --json): what is authoritative is the data in the answer, not
 * whatever a file, a page or a printout shows.
 */
export const NOTICE =
  "以本核验结果中的数据为准：票据内容、开票单位、金额和状态请以此处显示为准，而不是 PDF 文件或纸质票据上显示的内容。" +
  " Only the data in this answer is authoritative: rely on the bill, issuer, amount and status shown here, not on what a PDF file or a printout displays.";
