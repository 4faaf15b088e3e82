/**
 * CSV for spreadsheet software: RFC 4180 quoting, CRLF line ends, a UTF-8 byte order mark so that
 * Excel reads Chinese text correctly, and a guard against formula injection: a text cell that starts
 * with = + - @ (or a tab or carriage return) is prefixed with an apostrophe. Plain numbers ("-157.00")
 * are not formulas and stay as they are.
 *
 * Codes (bill codes and numbers with leading zeros, 18-character credit codes that a spreadsheet would
 * round to 15 digits) are written as ="…" in the columns the caller names: Excel, LibreOffice and WPS
 * then keep them as text, while the cell stays one RFC 4180 field a program reads as ="0000000001"
 * (strip the =" and " to get the code). The exact data without this is the JSON search or the XLSX
 * export, whose code cells are text.
 */
import { textOf } from "../format/text";
export const UTF8_BOM = "\uFEFF";

const NUMBER = /^-?\d+(\.\d+)?$/;
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = textOf(value);
  if (FORMULA_START.test(text) && !NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A code kept as text by spreadsheets: ="0000000001". Only digits and letters are wrapped (no formula can ride in). */
export function csvCode(value: unknown): string {
  if (value === null || value === undefined || value === "") return "";
  const text = textOf(value);
  return /^[0-9A-Za-z-]+$/.test(text) ? `"=""${text}"""` : csvCell(text);
}

export function csvLine(values: readonly unknown[], codeColumns: ReadonlySet<number> = new Set()): string {
  return values.map((v, i) => (codeColumns.has(i) ? csvCode(v) : csvCell(v))).join(",") + "\r\n";
}

/** Parses RFC 4180 text (for tests and tools); the BOM, if any, is dropped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  const src = text.startsWith(UTF8_BOM) ? text.slice(1) : text;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n" || (ch === "\r" && src[i + 1] === "\n")) {
      if (ch === "\r") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
