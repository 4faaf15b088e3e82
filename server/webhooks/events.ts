/**
 * Webhook events, written in the same store transaction as the change that causes them (an anchor
 * confirmed, a void, a reimbursement mark or its release), together with one delivery per matching
 * subscription: the outbox the delivery worker drains. A change that rolls back leaves no event; an
 * event that is written is delivered, across restarts.
 *
 * Who receives what: the bill's issuer receives every event of its bills; a relying party receives
 * bill.reimbursed and bill.released of the bills it marked. Nobody else receives anything.
 */
import crypto from "node:crypto";
import type { Db } from "../store/database";
import type { BillRow, WebhookEventType } from "../store/schema";
import type { Bill } from "../issuance/model";
import { formatFen } from "../issuance/money";
import { isoTime } from "../format/time";

export const EVENT_TYPES: WebhookEventType[] = ["bill.anchored", "bill.voided", "bill.reimbursed", "bill.released"];

export const newId = (prefix: string) => `${prefix}_${Date.now().toString(36)}${crypto.randomBytes(10).toString("hex")}`;

export interface EventDetail {
  anchor?: { root: string; txHash: string | null; blockNumber: number | null };
  /** redBill: the red bill issued with the void; null when the voided bill is itself a red bill withdrawn */
  void?: { reason: string; at: string; redBill: { id: string; billCode: string; billNumber: string } | null };
  /** amountFen: a claim of part of the bill (lifecycle/claims.ts), absent for a whole-bill mark */
  reimbursement?: { partyId: string; by: string; at: string; reference: string | null; amountFen?: number };
  /** refusedByRegistry: the mark was taken off because the registry refused it (lifecycle/undo.ts); amountFen: a claim's */
  release?: { partyId: string; by: string; at: string; refusedByRegistry?: boolean; amountFen?: number };
}

/** What an event says about the bill: its numbers and state; the issuer also gets its own lookup keys. */
function billData(bill: BillRow, forIssuer: boolean) {
  const b = (JSON.parse(bill.envelope) as { bill: Bill }).bill;
  return {
    id: bill.id,
    kind: bill.kind,
    billCode: bill.bill_code,
    billNumber: bill.bill_number,
    issuedAt: b.issuedAt,
    total: formatFen(BigInt(bill.total_fen)),
    status: bill.status,
    ...(forIssuer ? { businessSerial: bill.business_serial, visitNumber: bill.visit_number } : {}),
  };
}

/** Whether the institution of a chain account has a subscription to `type` (lets a batch skip the event work). */
export async function accountHasSubscribers(db: Db, account: string, type: WebhookEventType): Promise<boolean> {
  const subs = await db
    .selectFrom("webhook_subscriptions")
    .innerJoin("institutions", "institutions.id", "webhook_subscriptions.institution_id")
    .select("webhook_subscriptions.events")
    .where("institutions.account", "=", account)
    .where("webhook_subscriptions.deleted_at", "is", null)
    .execute();
  return subs.some((s) => (JSON.parse(s.events) as string[]).includes(type));
}

/**
 * Writes the event for each recipient and its deliveries, inside `trx`. `bill` is the bill as it is
 * after the change.
 */
export async function emitBillEvent(trx: Db, type: WebhookEventType, bill: BillRow, detail: EventDetail = {}, now = Date.now()): Promise<void> {
  const recipients: Array<{ institutionId: string; forIssuer: boolean }> = [{ institutionId: bill.institution_id, forIssuer: true }];
  const party = detail.reimbursement?.partyId ?? detail.release?.partyId;
  if (party && party !== bill.institution_id) recipients.push({ institutionId: party, forIssuer: false });
  for (const r of recipients) {
    const subs = await trx
      .selectFrom("webhook_subscriptions")
      .select(["id", "events"])
      .where("institution_id", "=", r.institutionId)
      .where("deleted_at", "is", null)
      .execute();
    const matching = subs.filter((s) => (JSON.parse(s.events) as string[]).includes(type));
    // an institution without a subscription to this type gets no event row at all
    if (matching.length === 0) continue;
    const id = newId("evt");
    const { reimbursement, release, ...rest } = detail;
    const data = {
      bill: billData(bill, r.forIssuer),
      ...rest,
      ...(reimbursement
        ? {
            reimbursement: {
              by: reimbursement.by,
              at: reimbursement.at,
              reference: r.forIssuer && reimbursement.partyId !== r.institutionId ? null : reimbursement.reference,
              ...(reimbursement.amountFen === undefined ? {} : { amountFen: reimbursement.amountFen }),
            },
          }
        : {}),
      ...(release
        ? {
            release: {
              by: release.by,
              at: release.at,
              ...(release.refusedByRegistry ? { refusedByRegistry: true } : {}),
              ...(release.amountFen === undefined ? {} : { amountFen: release.amountFen }),
            },
          }
        : {}),
    };
    if (!r.forIssuer) delete (data as { void?: unknown }).void;
    const payload = JSON.stringify({ id, type, createdAt: isoTime(now), data });
    await trx.insertInto("webhook_events").values({ id, institution_id: r.institutionId, type, bill_id: bill.id, payload, created_at: now }).execute();
    for (const s of matching) {
      await trx
        .insertInto("webhook_deliveries")
        .values({
          id: newId("dlv"),
          event_id: id,
          subscription_id: s.id,
          state: "pending",
          attempts: 0,
          next_attempt_at: now,
          lease_owner: null,
          lease_until: null,
          last_status: null,
          last_error: null,
          delivered_at: null,
          created_at: now,
        })
        .execute();
    }
  }
}
