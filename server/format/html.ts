/**
 * The one HTML escaping rule, for every page (verification, bureau, API docs): the five characters
 * that matter in text and in quoted attributes become numeric character references.
 */
export function escapeHtml(value: unknown): string {
  const text =
    typeof value === "string" ? value : value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value as number | boolean | bigint);
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
