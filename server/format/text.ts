/** A value as text: strings as they are, numbers and booleans written out, null and undefined empty, anything else as JSON. */
export function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  return value === null || value === undefined ? "" : (JSON.stringify(value) ?? "");
}
