/**
 * Amounts in Chinese capital numerals (大写金额) as printed on fiscal bills, following the
 * conventions of 《会计基础工作规范》 art. 52:
 * - 拾 always carries its digit ("壹拾元整", never "拾元整"), so that nothing can be prefixed;
 * - a run of zeros inside the yuan part is written as one 零 (1004 → 壹仟零肆), except zeros that end a
 *   万 or 亿 group, which its unit absorbs (105000 → 壹拾万伍仟; but 100500 → 壹拾万零伍佰);
 * - when the yuan part ends in zero and jiao follows, or jiao is zero and fen follows, one 零 is
 *   written after 元 (100000.10 → 壹拾万元零壹角, 1004.05 → 壹仟零肆元零伍分);
 * - 整 closes an amount with neither jiao nor fen (157.00 → 壹佰伍拾柒元整), and only then;
 * - amounts under one yuan omit the yuan part (0.50 → 伍角); zero reads 零元整.
 */
import { Fen, MAX_FEN } from "./money";

const DIGITS = "零壹贰叁肆伍陆柒捌玖";
/** units inside a four-digit group, from the highest place */
const PLACES = ["仟", "佰", "拾", ""];
/** units of the groups, from the lowest: ones, 万, 亿 */
const GROUPS = ["", "万", "亿"];

/** Writes a non-negative integer number of yuan (without the trailing 元). */
function yuanWords(yuan: bigint): string {
  const digits = yuan.toString().padStart(GROUPS.length * 4, "0");
  let out = "";
  let zeroPending = false;
  for (let g = 0; g < GROUPS.length; g++) {
    const group = digits.slice(g * 4, g * 4 + 4);
    let groupHasDigit = false;
    for (let p = 0; p < 4; p++) {
      const d = group.charCodeAt(p) - 48;
      if (d === 0) {
        // a zero only matters if something was written before it and something follows
        if (out) zeroPending = true;
        continue;
      }
      if (zeroPending) out += "零";
      zeroPending = false;
      out += DIGITS[d] + PLACES[p];
      groupHasDigit = true;
    }
    if (groupHasDigit) {
      // trailing zeros of a group are absorbed by its unit: 10,5000 is 壹拾万伍仟, not 壹拾万零伍仟
      out += GROUPS[GROUPS.length - 1 - g];
      zeroPending = false;
    }
  }
  return out;
}

/** Fen → capital numerals, e.g. 123456n → "壹仟贰佰叁拾肆元伍角陆分". Negative (red bills): 负…. */
export function toCapitalNumerals(fen: Fen): string {
  if (fen < 0n) return "负" + toCapitalNumerals(-fen);
  if (fen > MAX_FEN) throw new RangeError(`amount too large for capital numerals: ${fen} fen`);
  const yuan = fen / 100n;
  const jiao = Number((fen / 10n) % 10n);
  const cents = Number(fen % 10n);

  if (fen === 0n) return "零元整";
  let out = yuan > 0n ? yuanWords(yuan) + "元" : "";
  if (jiao === 0 && cents === 0) return out + "整";

  if (jiao > 0) {
    if (yuan > 0n && yuan % 10n === 0n) out += "零";
    out += DIGITS[jiao] + "角";
  } else if (yuan > 0n) {
    out += "零";
  }
  if (cents > 0) out += DIGITS[cents] + "分";
  return out;
}
