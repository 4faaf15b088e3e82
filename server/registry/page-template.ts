/**
 * Server-side page templates from templates/bureau: {{name}} is replaced HTML-escaped, {{{name}}}
 * raw (for fragments built here from escaped parts). Templates are read once.
 */
import fs from "node:fs";
import path from "node:path";
import { packagePath } from "../config/package-root";
import { escapeHtml } from "../format/html";
import { textOf } from "../format/text";

const DIR = packagePath("templates", "bureau");
const cache = new Map<string, string>();

export function template(name: string): string {
  let t = cache.get(name);
  if (t === undefined) {
    t = fs.readFileSync(path.join(DIR, name), "utf8");
    cache.set(name, t);
  }
  return t;
}

export function render(name: string, values: Record<string, unknown>): string {
  // one pass, so that a value containing "{{…}}" is never substituted again
  return template(name).replace(/\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}/g, (_m, raw?: string, text?: string) => (raw ? textOf(values[raw]) : escapeHtml(values[text as string])));
}
