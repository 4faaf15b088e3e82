/** RFC 8785 canonical JSON (docs/PROTOCOL.md §2), the one encoding every signature and hash is taken over. */
import canonicalize from "canonicalize";

/** RFC 8785 canonical JSON; throws for values JSON cannot represent (undefined, functions …). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError("value has no JSON representation");
  return text;
}
