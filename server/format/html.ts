/**
 * The one HTML escaping rule, for every page (verification, bureau, API docs): the five characters
 * that matter in text and in quoted attributes become character references (&amp; &lt; &gt; &quot; &#39;).
 */
import { textOf } from "./text";

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value: unknown): string {
  return textOf(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
