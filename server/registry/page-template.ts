/**
 * The bureau console's templates (templates/bureau), through the one template helper (http/html.ts).
 */
import { escapeHtml, fillTemplate, templateText } from "../http/html";

export { escapeHtml };

export function template(name: string): string {
  return templateText("bureau", name);
}

export function render(name: string, values: Record<string, unknown>): string {
  return fillTemplate(template(name), values);
}
