/**
 * /api/v1/webhooks: an institution's subscriptions (an issuer's, or a relying party's), their delivery
 * log and manual redelivery. A subscription, its deliveries and its events are the institution's own:
 * another institution's id answers 404.
 */
import { Router, type Request } from "express";
import { z } from "zod";
import type { Db } from "../store/database";
import { ApiError } from "../http/errors";
import { principalOf, requireRole } from "../http/auth";
import { parseBody, parseQuery } from "../http/input";
import { audit } from "../store/institutions";
import { EVENT_TYPES, newId } from "./events";
import { newSecret, type SecretBox } from "./secrets";
import type { WebhookWorker } from "./worker";
import { isoTime } from "../format/time";

const d = <T extends z.ZodType>(t: T, description: string): T => t.describe(description);

const EventType = z.enum(EVENT_TYPES as ["bill.anchored", "bill.voided", "bill.reimbursed", "bill.released"]).meta({
  id: "WebhookEventType",
  description:
    "`bill.anchored` (its batch is confirmed on chain), `bill.voided` (冲红, with its red bill), `bill.reimbursed` (a relying party marked it), `bill.released` (the mark was released).",
});

export const subscriptionBody = z
  .strictObject({
    url: z
      .string()
      .max(2000)
      .refine((u) => {
        try {
          const p = new URL(u);
          return (p.protocol === "https:" || p.protocol === "http:") && !p.username && !p.password;
        } catch {
          return false;
        }
      }, "must be an http(s) URL without credentials")
      .describe("Where deliveries are POSTed: an http(s) URL without credentials (use https outside a closed network)."),
    events: d(z.array(EventType).min(1).max(4), "The event types to receive; at least one."),
    description: d(z.string().trim().max(200).default(""), "What the subscription is for."),
  })
  .meta({ id: "WebhookSubscriptionRequest", description: "A subscription to create." });

export const Subscription = z
  .object({
    id: d(z.string(), "The subscription's id."),
    url: d(z.string(), "Where deliveries go."),
    events: d(z.array(EventType), "The event types it receives."),
    description: d(z.string(), "What it is for."),
    createdAt: d(z.string(), "When created, ISO 8601."),
  })
  .meta({ id: "WebhookSubscription", description: "A webhook subscription; its secret is never shown again." });

export const SubscriptionCreated = Subscription.extend({
  secret: d(z.string(), "The signing secret (whsec_…): shown once, in this answer only. Verify each delivery's Lianpiao-Signature with it."),
}).meta({ id: "WebhookSubscriptionCreated", description: "The new subscription and its signing secret, shown once." });

export const SubscriptionList = z
  .object({ items: d(z.array(Subscription), "The institution's subscriptions.") })
  .meta({ id: "WebhookSubscriptionList", description: "Subscriptions." });

const Attempt = z
  .object({
    at: d(z.string(), "When sent, ISO 8601."),
    status: d(z.number().int().nullable(), "The receiver's HTTP status, or null when it did not answer."),
    error: d(z.string().nullable(), "Why it failed, or null."),
    durationMs: d(z.number().int(), "How long the request took."),
    trigger: d(z.enum(["auto", "manual"]), "`auto` (the retry schedule) or `manual` (a redelivery)."),
  })
  .meta({ id: "WebhookAttempt", description: "One attempt to deliver." });

export const Delivery = z
  .object({
    id: d(z.string(), "The delivery's id (Lianpiao-Delivery-Id)."),
    eventId: d(z.string(), "The event's id (Lianpiao-Event-Id): deduplicate on it."),
    eventType: EventType,
    billId: d(z.string(), "The bill the event is about."),
    state: d(z.enum(["pending", "delivered", "failed"]), "`pending` (not yet answered 2xx; retried), `delivered`, `failed` (attempts exhausted)."),
    attempts: d(z.number().int(), "Attempts so far."),
    nextAttemptAt: d(z.string().nullable(), "When the next attempt is due, or null."),
    lastStatus: d(z.number().int().nullable(), "The last HTTP status."),
    lastError: d(z.string().nullable(), "The last failure."),
    deliveredAt: d(z.string().nullable(), "When a 2xx was received."),
    createdAt: d(z.string(), "When the event was written."),
    payload: d(z.record(z.string(), z.unknown()), "The JSON body delivered (the event)."),
    log: d(z.array(Attempt), "Every attempt, oldest first."),
  })
  .meta({ id: "WebhookDelivery", description: "A delivery of one event to one subscription, with its log." });

export const DeliveryList = z
  .object({ items: d(z.array(Delivery), "Deliveries, newest first."), nextCursor: d(z.string().nullable(), "Pass as `before` for the next page.") })
  .meta({ id: "WebhookDeliveryList", description: "A page of the delivery log." });

const EventBill = z
  .object({
    id: d(z.string(), "The bill's id."),
    kind: d(z.enum(["medical", "donation"]), "Bill kind."),
    billCode: d(z.string(), "票据代码."),
    billNumber: d(z.string(), "票据号码."),
    issuedAt: d(z.string(), "开票时间."),
    total: d(z.string(), "The total, a decimal string."),
    status: d(z.enum(["pending", "anchored", "voided"]), "The bill's state after the event."),
    businessSerial: d(z.string().nullable(), "业务流水号 (to the issuer only).").optional(),
    visitNumber: d(z.string().nullable(), "门诊号 / 住院号 (to the issuer only).").optional(),
  })
  .meta({ id: "WebhookEventBill", description: "The bill an event is about." });

/** The body of every delivery (signed as it is sent). */
export const WebhookEvent = z
  .object({
    id: d(z.string(), "The event's id, also in Lianpiao-Event-Id: deduplicate on it."),
    type: EventType,
    createdAt: d(z.string(), "When the change happened, ISO 8601."),
    data: d(
      z.object({
        bill: EventBill,
        anchor: d(
          z.object({ root: d(z.string(), "Batch root."), txHash: d(z.string().nullable(), "Transaction."), blockNumber: d(z.number().nullable(), "Block.") }),
          "bill.anchored: where.",
        ).optional(),
        void: d(
          z.object({
            reason: d(z.string(), "Why."),
            at: d(z.string(), "When."),
            redBill: d(
              z.object({ id: d(z.string(), "Id."), billCode: d(z.string(), "票据代码."), billNumber: d(z.string(), "票据号码.") }).nullable(),
              "The red bill issued with the void; null for a red bill withdrawn.",
            ),
          }),
          "bill.voided (to the issuer): the void.",
        ).optional(),
        reimbursement: d(
          z.object({
            by: d(z.string(), "The relying party."),
            at: d(z.string(), "When."),
            reference: d(z.string().nullable(), "Its claim reference (to that party only; null to the issuer)."),
            amountFen: d(z.number().int(), "A claim of part of the bill: its amount in fen (absent for a whole-bill mark).").optional(),
          }),
          "bill.reimbursed: the mark, or a claim of part of the bill.",
        ).optional(),
        release: d(
          z.object({
            by: d(z.string(), "The relying party."),
            at: d(z.string(), "When."),
            refusedByRegistry: d(z.boolean(), "The mark was taken off because the registry refused it.").optional(),
            amountFen: d(z.number().int(), "A claim's release: its amount in fen.").optional(),
          }),
          "bill.released: the release (of a mark, or of a claim).",
        ).optional(),
      }),
      "What happened.",
    ),
  })
  .meta({ id: "WebhookEvent", description: "An event about a bill, POSTed to each subscription that asked for its type." });

export const deliveriesQuery = z
  .object({
    state: d(z.enum(["pending", "delivered", "failed"]), "Only deliveries in this state.").optional(),
    limit: d(z.coerce.number().int().min(1).max(200).default(50), "Page size, 1–200 (default 50)."),
    before: d(z.string().max(80), "The nextCursor of the previous page.").optional(),
  })
  .strict();

export interface WebhookRouteDeps {
  db: Db;
  box: SecretBox | null;
  worker: WebhookWorker;
}

export function webhookRoutes(dep: WebhookRouteDeps): Router {
  const { db } = dep;
  const r = Router();
  r.use(requireRole("issuer", "relying_party"));

  const own = async (req: Request) => {
    const inst = principalOf(req).institution;
    const sub = await db
      .selectFrom("webhook_subscriptions")
      .selectAll()
      .where("id", "=", String(req.params.id))
      .where("deleted_at", "is", null)
      .executeTakeFirst();
    if (!sub || sub.institution_id !== inst.id) throw new ApiError("NOT_FOUND", "No webhook subscription with this id");
    return sub;
  };
  const present = (s: { id: string; url: string; events: string; description: string; created_at: number }) => ({
    id: s.id,
    url: s.url,
    events: JSON.parse(s.events) as string[],
    description: s.description,
    createdAt: isoTime(s.created_at),
  });

  r.post("/", async (req, res) => {
    if (!dep.box) throw new ApiError("WEBHOOKS_UNAVAILABLE");
    const body = parseBody(subscriptionBody, req);
    const inst = principalOf(req).institution;
    const id = newId("whk");
    const secret = newSecret();
    const row = {
      id,
      institution_id: inst.id,
      url: body.url,
      events: JSON.stringify([...new Set(body.events)]),
      description: body.description,
      secret_enc: dep.box.seal(secret, id),
      created_at: Date.now(),
      deleted_at: null,
    };
    await db.insertInto("webhook_subscriptions").values(row).execute();
    await audit(db, { actor: inst.id, ip: req.ip ?? null, action: "webhook.create", subject: id, detail: { url: body.url, events: body.events } });
    res
      .status(201)
      .location(`/api/v1/webhooks/${id}`)
      .json({ ...present(row), secret });
  });

  r.get("/", async (req, res) => {
    parseQuery(z.object({}).strict(), req);
    const rows = await db
      .selectFrom("webhook_subscriptions")
      .selectAll()
      .where("institution_id", "=", principalOf(req).institution.id)
      .where("deleted_at", "is", null)
      .orderBy("created_at")
      .execute();
    res.json({ items: rows.map(present) });
  });

  r.get("/:id", async (req, res) => {
    res.json(present(await own(req)));
  });

  r.delete("/:id", async (req, res) => {
    const sub = await own(req);
    const now = Date.now();
    await db.transaction().execute(async (trx) => {
      await trx.updateTable("webhook_subscriptions").set({ deleted_at: now }).where("id", "=", sub.id).execute();
      await trx
        .updateTable("webhook_deliveries")
        .set({ state: "failed", last_error: "subscription deleted" })
        .where("subscription_id", "=", sub.id)
        .where("state", "=", "pending")
        .execute();
    });
    await audit(db, { actor: sub.institution_id, ip: req.ip ?? null, action: "webhook.delete", subject: sub.id });
    res.status(204).end();
  });

  const deliveryOf = async (ids: string[]) => {
    if (ids.length === 0) return [];
    const rows = await db
      .selectFrom("webhook_deliveries as d")
      .innerJoin("webhook_events as e", "e.id", "d.event_id")
      .select([
        "d.id",
        "d.event_id",
        "e.type",
        "e.bill_id",
        "e.payload",
        "d.state",
        "d.attempts",
        "d.next_attempt_at",
        "d.last_status",
        "d.last_error",
        "d.delivered_at",
        "d.created_at",
      ])
      .where("d.id", "in", ids)
      .execute();
    const attempts = await db.selectFrom("webhook_attempts").selectAll().where("delivery_id", "in", ids).orderBy("id").execute();
    const byId = new Map(rows.map((x) => [x.id, x]));
    return ids.map((id) => {
      const x = byId.get(id)!;
      return {
        id: x.id,
        eventId: x.event_id,
        eventType: x.type,
        billId: x.bill_id,
        state: x.state,
        attempts: Number(x.attempts),
        nextAttemptAt: x.state === "pending" ? isoTime(x.next_attempt_at) : null,
        lastStatus: x.last_status === null ? null : Number(x.last_status),
        lastError: x.last_error,
        deliveredAt: isoTime(x.delivered_at),
        createdAt: isoTime(x.created_at),
        payload: JSON.parse(x.payload) as unknown,
        log: attempts
          .filter((a) => a.delivery_id === id)
          .map((a) => ({
            at: isoTime(a.at),
            status: a.status === null ? null : Number(a.status),
            error: a.error,
            durationMs: Number(a.duration_ms),
            trigger: a.trigger,
          })),
      };
    });
  };

  r.get("/:id/deliveries", async (req, res) => {
    const sub = await own(req);
    const q = parseQuery(deliveriesQuery, req);
    let sel = db
      .selectFrom("webhook_deliveries")
      .select(["id", "created_at"])
      .where("subscription_id", "=", sub.id)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(q.limit + 1);
    if (q.state) sel = sel.where("state", "=", q.state);
    if (q.before) {
      const m = /^(\d+)_([a-z0-9_]+)$/.exec(q.before);
      if (!m) throw new ApiError("INVALID_QUERY", "before: use the nextCursor of the previous page");
      const at = Number(m[1]);
      sel = sel.where((eb) => eb.or([eb("created_at", "<", at), eb.and([eb("created_at", "=", at), eb("id", "<", m[2])])]));
    }
    const rows = await sel.execute();
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    res.json({ items: await deliveryOf(page.map((x) => x.id)), nextCursor: rows.length > q.limit && last ? `${last.created_at}_${last.id}` : null });
  });

  r.post("/:id/deliveries/:deliveryId/redeliver", async (req, res) => {
    const sub = await own(req);
    const id = String(req.params.deliveryId);
    const upd = await db
      .updateTable("webhook_deliveries")
      .set({ state: "pending", next_attempt_at: Date.now(), lease_owner: null, lease_until: null })
      .where("id", "=", id)
      .where("subscription_id", "=", sub.id)
      .where((eb) => eb.or([eb("state", "!=", "pending"), eb("lease_until", "is", null), eb("lease_until", "<", Date.now())]))
      .executeTakeFirst();
    if (Number(upd.numUpdatedRows) !== 1) {
      const exists = await db.selectFrom("webhook_deliveries").select("id").where("id", "=", id).where("subscription_id", "=", sub.id).executeTakeFirst();
      if (!exists) throw new ApiError("NOT_FOUND", "No delivery with this id for this subscription");
      throw new ApiError("DELIVERY_IN_PROGRESS", "The delivery is being sent right now; retry shortly", { retryAfter: 2 });
    }
    await audit(db, { actor: sub.institution_id, ip: req.ip ?? null, action: "webhook.redeliver", subject: id });
    // sent now, in the background; its answer lands in the log
    void dep.worker.attempt(id, "manual").catch(() => undefined);
    res.status(202).json((await deliveryOf([id]))[0]);
  });

  return r;
}
