/**
 * The one rule for free text — every name, reason, remark, reference, label and description the API
 * takes (bills, voids, reimbursements, issuers, relying parties, keys). Text is printed on bills and
 * shown to the bureau and the public, so what cannot be seen must not get in:
 *
 * - C0 and C1 control characters (\p{Cc}), lone surrogates (\p{Cs}), line and paragraph separators
 *   (\p{Zl}, \p{Zp});
 * - every format character (\p{Cf}): the bidirectional embeddings, overrides, isolates and marks
 *   (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), zero-width space, joiners and word joiner
 *   (U+200B–U+200D, U+2060–U+2064), the byte-order mark U+FEFF, the soft hyphen, tag characters;
 * - the invisible fillers and joiners outside \p{Cf}: U+034F combining grapheme joiner, the Hangul
 *   fillers U+115F, U+1160, U+3164, U+FFA0, and the noncharacters U+FDD0–U+FDEF, U+FFFE, U+FFFF.
 *
 * Ideographic variation selectors (U+E0100–U+E01EF), which rare characters in Chinese names need, and
 * the ideographic space U+3000 stay allowed. A refused text answers CONTROL_CHARACTER on its field.
 * What passes is NFC-normalized and trimmed; length is counted in code points.
 */
import { z } from "zod";

const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u034F\u115F\u1160\u3164\uFFA0\uFDD0-\uFDEF\uFFFE\uFFFF]/u;

export type FreeTextCode = "CONTROL_CHARACTER" | "REQUIRED" | "TOO_LONG";

export const FORBIDDEN_TEXT_MESSAGE = "must not contain control, invisible (zero-width) or bidirectional formatting characters";

export interface FreeTextOptions {
  /** fewest code points after trimming; default 1 (0 with allowEmpty) */
  min?: number;
  allowEmpty?: boolean;
}

/** The text as it would be stored, or why it is refused. */
export function checkFreeText(
  raw: string,
  max: number,
  opts: FreeTextOptions = {},
): { ok: true; value: string } | { ok: false; code: FreeTextCode; message: string } {
  if (FORBIDDEN.test(raw)) return { ok: false, code: "CONTROL_CHARACTER", message: FORBIDDEN_TEXT_MESSAGE };
  const s = raw.normalize("NFC").trim();
  const length = [...s].length;
  const min = opts.min ?? (opts.allowEmpty ? 0 : 1);
  if (length === 0 && min > 0) return { ok: false, code: "REQUIRED", message: "must not be empty" };
  if (length < min) return { ok: false, code: "REQUIRED", message: `must be at least ${min} characters` };
  if (length > max) return { ok: false, code: "TOO_LONG", message: `must be at most ${max} characters` };
  return { ok: true, value: s };
}

/** A zod string under the rule; its issues carry the field code in params.code. */
export function freeText(max: number, opts: FreeTextOptions = {}) {
  return z.string().transform((raw, ctx) => {
    const r = checkFreeText(raw, max, opts);
    if (r.ok) return r.value;
    ctx.addIssue({ code: "custom", message: r.message, params: { code: r.code } });
    return z.NEVER;
  });
}
