/**
 * The one HTML escaping rule, for every page (verification, bureau, API docs): the five characters
 * that matter in text and in quoted attributes become numeric character references.
 */
import { textOf } from "./text";

export function escapeHtml(value: unknown): string {
  return textOf(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
