/**
 * Bill layouts live as data in templates/*.json: titles, bilingual labels, columns and their
 * relative widths. The renderer reads geometry from here and bill values from fields.ts.
 */
import type { BillKind } from "../issuance/model";
import medical from "../../templates/medical-bill.json";
import donation from "../../templates/donation-receipt.json";

export interface Label {
  zh: string;
  en: string;
}

/** A labelled value; `key` names a display value (fields.ts), labels may hold {placeholders}. */
export interface Cell extends Label {
  key: string;
  /** share of a four-unit row */
  span: number;
  strong?: boolean;
}

export interface Column extends Label {
  key: string;
  /** relative width */
  width: number;
  align: "left" | "center" | "right";
}

export interface FooterCell extends Label {
  key: string;
  width: number;
}

export interface BillTemplate {
  kind: BillKind;
  page: { widthMm: number; heightMm: number; marginMm: number };
  title: Label;
  redTitle: Label;
  supervision: Label;
  meta: { key: string; zh: string; en: string }[];
  parties: Cell[][];
  columns: Column[];
  summary: Cell[][];
  footer: FooterCell[];
  seal: { caption: string; area: string };
  continued: Label;
  pageNumber: Label;
}

const TEMPLATES: Record<BillKind, BillTemplate> = {
  medical: medical as BillTemplate,
  donation: donation as BillTemplate,
};

export function templateFor(kind: BillKind): BillTemplate {
  return TEMPLATES[kind];
}

/** Replaces {name} placeholders with values; unknown names stay as they are. */
export function fillPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
