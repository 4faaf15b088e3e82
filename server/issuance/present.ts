/**
 * The JSON shapes of SPEC §7 for a stored bill.
 */
import type { BillRow } from "../store/schema";
import type { AnchorInfo } from "./bills-repo";
import type { BillEnvelope } from "./model";
import { isoTime } from "../format/time";

export function verifyUrlOf(base: string, bill: Pick<BillRow, "id" | "verify_key">): string {
  return `${base}/v/${bill.id}?k=${bill.verify_key}`;
}

export function billSummary(bill: BillRow, base: string) {
  const env = JSON.parse(bill.envelope) as { bill: { total: string } };
  return {
    id: bill.id,
    kind: bill.kind,
    billCode: bill.bill_code,
    billNumber: bill.bill_number,
    checkCode: bill.check_code,
    issuedAt: (env.bill as { issuedAt?: string }).issuedAt as string,
    total: env.bill.total,
    status: bill.status,
    verifyUrl: verifyUrlOf(base, bill),
    pdfUrl: `${base}/api/v1/invoices/${bill.id}/pdf`,
  };
}

export function billDetail(bill: BillRow, base: string, anchor: AnchorInfo | null, head: number | null) {
  const env = JSON.parse(bill.envelope) as BillEnvelope;
  return {
    ...billSummary(bill, base),
    bill: env.bill,
    billHash: bill.bill_hash,
    leaf: bill.leaf,
    anchor:
      anchor && anchor.confirmed
        ? {
            root: anchor.root,
            txHash: anchor.txHash,
            blockNumber: anchor.blockNumber,
            confirmations: head !== null && anchor.blockNumber !== null ? Math.max(0, head - anchor.blockNumber + 1) : null,
          }
        : null,
    void: bill.voided_at ? { reason: bill.void_reason, at: isoTime(bill.voided_at) } : null,
    reimbursement: bill.reimbursed_at ? { by: bill.reimbursed_by, at: isoTime(bill.reimbursed_at) } : null,
  };
}
