/**
 * The bureau's bill search: filters by issuer, kind, period, status and bill code/number; JSON pages
 * with a cursor, or the whole result as CSV streamed in keyset pages (memory stays flat for millions).
 * Payer and donor names are masked: supervision does not need them in clear.
 */
import type { Response } from "express";
import type { Db } from "../store/database";
import type { BillEnvelope } from "../issuance/model";
import { maskName } from "../issuance/masking";
import { formatFen } from "../issuance/money";
import { ApiError } from "../http/errors";
import { UTF8_BOM, csvLine } from "./csv";
import { applyBillFilters, type BillFilterValues } from "../issuance/routes";
import ExcelJS from "exceljs";
import { categoryOf } from "./figures";
import { isoTime } from "../format/time";
import { textOf } from "../format/text";

export { parseCsv } from "./csv";

export interface BillSearch extends BillFilterValues {
  issuerId?: string;
  reimbursed?: boolean;
  limit: number;
  after?: string;
}

function query(db: Db, s: BillSearch) {
  let q = db
    .selectFrom("bills")
    .innerJoin("institutions as iss", "iss.id", "bills.institution_id")
    .leftJoin("institutions as rp", "rp.id", "bills.reimbursed_by")
    .leftJoin("batches", "batches.id", "bills.batch_id")
    .leftJoin("bills as orig", "orig.id", "bills.red_of_id")
    .select([
      "bills.id",
      "bills.institution_id",
      "bills.kind",
      "bills.bill_code",
      "bills.bill_number",
      "bills.issued_at",
      "bills.issue_date",
      "bills.total_fen",
      "bills.status",
      "bills.envelope",
      "bills.void_reason",
      "bills.voided_at",
      "bills.reimbursed_at",
      "bills.created_at",
      "bills.leaf",
      "iss.name as issuer_name",
      "iss.credit_code as issuer_credit_code",
      "rp.name as reimbursed_by_name",
      "batches.root as batch_root",
      "batches.tx_hash as tx_hash",
      "batches.block_number as block_number",
      "orig.bill_code as red_of_code",
      "orig.bill_number as red_of_number",
    ])
    .orderBy("bills.created_at")
    .orderBy("bills.id");
  if (s.issuerId) q = q.where("bills.institution_id", "=", s.issuerId);
  if (s.reimbursed !== undefined) q = q.where("bills.reimbursed_by", s.reimbursed ? "is not" : "is", null);
  return applyBillFilters(q, s);
}

type Row = Awaited<ReturnType<ReturnType<typeof query>["execute"]>>[number];

function cursorOf(r: Row): string {
  return `${r.created_at}_${r.id}`;
}

async function page(db: Db, s: BillSearch, after: string | undefined, limit: number): Promise<Row[]> {
  let q = query(db, s).limit(limit);
  if (after) {
    const m = /^(\d+)_([A-Za-z0-9_-]+)$/.exec(after);
    if (!m) throw new ApiError("INVALID_QUERY", "after: use the nextCursor of the previous page");
    const at = Number(m[1]);
    q = q.where((eb) => eb.or([eb("bills.created_at", ">", at), eb.and([eb("bills.created_at", "=", at), eb("bills.id", ">", m[2])])]));
  }
  return q.execute();
}

function holderOf(env: BillEnvelope): string {
  const b = env.bill;
  const name = b.kind === "medical" ? b.payer.name : b.donor.name;
  // an anonymous donor has no name on the receipt
  return name === undefined ? "(匿名 anonymous)" : maskName(name);
}

export function presentRow(r: Row) {
  const env = JSON.parse(r.envelope) as BillEnvelope;
  return {
    id: r.id,
    kind: r.kind,
    billCode: r.bill_code,
    billNumber: r.bill_number,
    issuedAt: env.bill.issuedAt,
    issuer: { id: r.institution_id, name: r.issuer_name, creditCode: r.issuer_credit_code },
    holder: holderOf(env),
    total: formatFen(BigInt(r.total_fen)),
    status: r.status,
    redOf: r.red_of_code ? { billCode: r.red_of_code, billNumber: r.red_of_number } : null,
    void: r.voided_at ? { reason: r.void_reason, at: isoTime(r.voided_at) } : null,
    reimbursement: r.reimbursed_at ? { by: r.reimbursed_by_name, at: isoTime(r.reimbursed_at) } : null,
    anchor: r.batch_root ? { root: r.batch_root, txHash: r.tx_hash, blockNumber: r.block_number === null ? null : Number(r.block_number) } : null,
    leaf: r.leaf,
  };
}

export async function searchBills(db: Db, s: BillSearch) {
  const rows = await page(db, s, s.after, s.limit + 1);
  const items = rows.slice(0, s.limit);
  return { items: items.map(presentRow), nextCursor: rows.length > s.limit ? cursorOf(items[items.length - 1]) : null };
}

export const CSV_HEADER = [
  "票据代码 billCode",
  "票据号码 billNumber",
  "开票时间 issuedAt",
  "开票单位 issuer",
  "统一社会信用代码 creditCode",
  "票据种类 kind",
  "交款人/捐赠人 holder",
  "金额 total",
  "状态 status",
  "红字冲销原票 redOf",
  "冲红原因 voidReason",
  "冲红时间 voidedAt",
  "报销单位 reimbursedBy",
  "报销时间 reimbursedAt",
  "批次根 root",
  "交易哈希 txHash",
  "区块 block",
  "类别 category",
];

/** The columns of both exports, in order; `text` columns are codes (kept as text, leading zeros and all). */
function exportCells(r: Row): unknown[] {
  const p = presentRow(r);
  return [
    p.billCode,
    p.billNumber,
    p.issuedAt,
    p.issuer.name,
    p.issuer.creditCode,
    p.kind,
    p.holder,
    p.total,
    p.status,
    p.redOf ? `${p.redOf.billCode}-${p.redOf.billNumber}` : "",
    p.void?.reason,
    p.void?.at,
    p.reimbursement?.by,
    p.reimbursement?.at,
    p.anchor?.root,
    p.anchor?.txHash,
    p.anchor?.blockNumber,
    categoryOf(p),
  ];
}

/** Columns a spreadsheet would read as numbers and spoil (leading zeros, 18-digit precision): written as text. */
const CODE_COLUMNS = new Set([0, 1, 4, 9]);
const AMOUNT_COLUMN = 7;

function csvRow(r: Row): string {
  return csvLine(exportCells(r), CODE_COLUMNS);
}

/** Writes every matching bill as CSV, page by page, waiting for the socket to drain between pages. */
export async function streamBillsCsv(db: Db, s: BillSearch, res: Response): Promise<void> {
  res.status(200).type("text/csv; charset=utf-8").setHeader("Content-Disposition", `attachment; filename="lianpiao-bills.csv"`);
  res.write(UTF8_BOM + csvLine(CSV_HEADER));
  let after: string | undefined;
  for (;;) {
    const rows = await page(db, s, after, 500);
    if (rows.length === 0) break;
    const ok = res.write(rows.map(csvRow).join(""));
    if (!ok) await new Promise<void>((resolve) => res.once("drain", resolve));
    if (res.destroyed) return;
    after = cursorOf(rows[rows.length - 1]);
    if (rows.length < 500) break;
  }
  res.end();
}

export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/**
 * Every matching bill as an XLSX workbook (exceljs, streamed row by row): bill codes and numbers,
 * credit codes and the red bill's numbers are text cells (format "@"), so no spreadsheet drops a
 * leading zero or rounds an 18-character credit code; the total is a number cell with two decimals;
 * nothing is a formula.
 */
export async function streamBillsXlsx(db: Db, s: BillSearch, res: Response): Promise<void> {
  res.status(200).type(XLSX_TYPE).setHeader("Content-Disposition", `attachment; filename="lianpiao-bills.xlsx"`);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useStyles: true, useSharedStrings: false });
  wb.created = new Date(0);
  const ws = wb.addWorksheet("bills", { views: [{ state: "frozen", ySplit: 1 }] });
  ws.columns = CSV_HEADER.map((header, i) => ({
    header,
    width: i === 14 || i === 15 ? 68 : CODE_COLUMNS.has(i) ? 22 : 18,
    style: CODE_COLUMNS.has(i) ? { numFmt: "@" } : i === AMOUNT_COLUMN ? { numFmt: "0.00" } : {},
  }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  let after: string | undefined;
  for (;;) {
    const rows = await page(db, s, after, 500);
    if (rows.length === 0) break;
    for (const r of rows) {
      const cells = exportCells(r).map((v, i) => {
        if (v === null || v === undefined) return null;
        if (i === AMOUNT_COLUMN) return Number(v);
        if (i === 16) return Number(v);
        return textOf(v);
      });
      ws.addRow(cells).commit();
    }
    if (res.destroyed) return;
    after = cursorOf(rows[rows.length - 1]);
    if (rows.length < 500) break;
  }
  ws.commit();
  await wb.commit();
}
