/**
 * The public face of a bill: what a verification shows to whoever holds the QR code or the PDF.
 * No ID numbers, no line items, the payer or donor masked (张*) — the holder knows who they are;
 * a screenshot of the verify page passed around should not tell anyone else.
 */
import type { BillEnvelope } from "../issuance/model";
import { maskName } from "../issuance/masking";
import type { BillSummary } from "./types";

export function summaryOf(env: BillEnvelope): BillSummary {
  const b = env.bill;
  // a copy may withhold the payer or donor: then no name is shown, not a blank that looks like one
  const person = (b.kind === "medical" ? b.payer : b.donor) as { name?: string } | undefined;
  const holder = { role: b.kind === "medical" ? ("payer" as const) : ("donor" as const), name: person?.name ?? null };
  return {
    kind: b.kind,
    billCode: b.billCode,
    billNumber: b.billNumber,
    // issuedAt carries the +08:00 offset, so its date part is the Shanghai date
    issueDate: b.issuedAt.slice(0, 10),
    issuedAt: b.issuedAt,
    issuer: { name: b.issuer.name, creditCode: b.issuer.creditCode, account: b.issuer.account },
    holder: { role: holder.role, name: holder.name === null ? null : maskName(holder.name) },
    total: b.total,
    totalInWords: b.totalInWords,
    redOf: b.redOf ? { billCode: b.redOf.billCode, billNumber: b.redOf.billNumber } : null,
  };
}
