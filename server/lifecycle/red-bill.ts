/**
 * The red bill (红字票据) that cancels a voided bill: the same payer or donor and lines with every
 * amount negated, the total in capital numerals with 负, new numbers from the issuer's range, and
 * `redOf` naming the original and the reason. Pure: the caller supplies numbering and time.
 */
import { toCapitalNumerals } from "../issuance/capital-numerals";
import { formatFen, toFen } from "../issuance/money";
import { formatShanghaiTime, type ComposeContext } from "../issuance/compose";
import type { Bill } from "../issuance/model";

const negate = (amount: string): string => formatFen(-toFen(amount));

export function composeRedBill(original: Bill, reason: string, ctx: ComposeContext): Bill {
  const totalFen = -toFen(original.total);
  const total = formatFen(totalFen);
  const common = {
    ...original,
    billCode: ctx.billCode,
    billNumber: ctx.billNumber,
    checkCode: ctx.checkCode,
    issuedAt: formatShanghaiTime(ctx.issuedAt),
    issuer: { name: ctx.issuer.name, creditCode: ctx.issuer.creditCode, account: ctx.issuer.account },
    remarks: `冲红 ${original.billCode}-${original.billNumber}: ${reason}`.slice(0, 500),
    total,
    totalInWords: toCapitalNumerals(totalFen),
    redOf: { billCode: original.billCode, billNumber: original.billNumber, reason },
  };
  if (original.kind === "medical") {
    return {
      ...common,
      kind: "medical",
      items: original.items.map((it) => ({ ...it, amount: negate(it.amount) })),
      ...(original.insurance ? { insurance: Object.fromEntries(Object.entries(original.insurance).map(([k, v]) => [k, negate(v as string)])) } : {}),
    } as Bill;
  }
  return { ...common, kind: "donation", items: original.items.map((it) => ({ ...it, amount: negate(it.amount) })) } as Bill;
}
