/**
 * The template helper of every server-rendered page (holder pages, bureau console, API docs), with
 * the one escaping rule (format/html.ts) and the one time rule (format/time.ts). Templates live under templates/<dir>: {{name}} is replaced HTML-escaped,
 * {{{name}}} raw (for fragments built from escaped parts). Templates are read once.
 */
import fs from "node:fs";
import { packagePath } from "../config/package-root";
import { escapeHtml } from "../format/html";
import { textOf } from "../format/text";
import { formatShanghaiTime } from "../format/time";

export { escapeHtml };

const cache = new Map<string, string>();

export function templateText(dir: string, name: string): string {
  const key = `${dir}/${name}`;
  let t = cache.get(key);
  if (t === undefined) {
    t = fs.readFileSync(packagePath("templates", dir, name), "utf8");
    cache.set(key, t);
  }
  return t;
}

/** One pass, so that a value containing "{{…}}" is never substituted again. */
export function fillTemplate(text: string, values: Record<string, unknown>): string {
  return text.replace(/\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}/g, (_m, raw?: string, name?: string) =>
    raw ? textOf(values[raw]) : escapeHtml(values[name as string]),
  );
}

/** The path part of PUBLIC_BASE_URL without its trailing slash ("" at the root, "/lianpiao" behind a proxy). */
export function basePathOf(publicBaseUrl: string | undefined): string {
  if (!publicBaseUrl) return "";
  try {
    return new URL(publicBaseUrl).pathname.replace(/\/+$/, "");
  } catch {
    return "";
  }
}

/** Shanghai time (UTC+8, no daylight saving since 1991) as ISO 8601 with its offset: 2026-11-25T10:31:07+08:00. */
export function isoShanghai(at: string | number | Date | null | undefined): string {
  if (at === null || at === undefined) return "—";
  const t = typeof at === "number" ? at : typeof at === "string" ? Date.parse(at) : at.getTime();
  return Number.isNaN(t) ? String(at) : formatShanghaiTime(new Date(t));
}
