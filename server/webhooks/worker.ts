/**
 * The delivery worker: drains webhook_deliveries. A due delivery (pending, next_attempt_at reached,
 * no live lease) is leased by one conditional update, so of several replicas exactly one sends it;
 * it is POSTed to the subscription's URL, signed (signature.ts), and every attempt is logged. A 2xx
 * answer within the timeout delivers it; anything else schedules the next attempt with exponential
 * backoff: retryBaseMs × 2^(attempt − 1), at most retryMaxMs, until maxAttempts, then `failed` (a
 * manual redelivery through the API sends it again). A delivery is never sent again once a 2xx is
 * recorded; a crash between the receiver's answer and that record sends it again with the same
 * Lianpiao-Event-Id, so receivers deduplicate on it.
 */
import type { Logger } from "pino";
import type { Db } from "../store/database";
import type { SecretBox } from "./secrets";
import { SIGNATURE_HEADER, signatureHeader } from "./signature";

/** What a failed request says: its cause (fetch puts the network error there), else its message. */
const causeOf = (err: Error): string => (err.cause instanceof Error ? err.cause.toString() : typeof err.cause === "string" ? err.cause : err.message);

export interface WebhookWorkerOptions {
  db: Db;
  box: SecretBox | null;
  log: Logger;
  instanceId: string;
  pollMs: number;
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
}

export function backoffMs(attempt: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, attempt - 1));
}

export class WebhookWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(private readonly d: WebhookWorkerOptions) {}

  start(): void {
    if (!this.d.box) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Look for due deliveries now (after an event is written, or a manual redelivery). */
  wake(): void {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.pass()
        .catch((err) => this.d.log.warn({ err }, "webhook delivery pass failed"))
        .finally(() => {
          this.running = null;
          this.schedule(this.d.pollMs);
        });
    }, ms);
  }

  private async pass(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const now = Date.now();
      const due = await this.d.db
        .selectFrom("webhook_deliveries")
        .select("id")
        .where("state", "=", "pending")
        .where("next_attempt_at", "<=", now)
        .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now)]))
        .orderBy("next_attempt_at")
        .limit(16)
        .execute();
      if (due.length === 0) return;
      await Promise.all(due.map((r) => this.attempt(r.id, "auto")));
    }
  }

  /** Leases and sends one delivery; false when another process holds it or it is not due. */
  async attempt(id: string, trigger: "auto" | "manual"): Promise<boolean> {
    const { db, box } = this.d;
    if (!box) return false;
    const now = Date.now();
    const leased = await db
      .updateTable("webhook_deliveries")
      .set({ lease_owner: this.d.instanceId, lease_until: now + this.d.timeoutMs * 2 + 5_000 })
      .where("id", "=", id)
      .where("state", "=", "pending")
      .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now)]))
      .executeTakeFirst();
    if (Number(leased.numUpdatedRows) !== 1) return false;
    const row = await db
      .selectFrom("webhook_deliveries as d")
      .innerJoin("webhook_events as e", "e.id", "d.event_id")
      .innerJoin("webhook_subscriptions as s", "s.id", "d.subscription_id")
      .select(["d.id", "d.attempts", "d.event_id", "e.type", "e.payload", "s.id as sub_id", "s.url", "s.secret_enc", "s.deleted_at"])
      .where("d.id", "=", id)
      .executeTakeFirstOrThrow();
    if (row.deleted_at !== null) {
      await db
        .updateTable("webhook_deliveries")
        .set({ state: "failed", last_error: "subscription deleted", lease_owner: null, lease_until: null })
        .where("id", "=", id)
        .execute();
      return true;
    }
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const secret = box.open(row.secret_enc, row.sub_id);
      const res = await fetch(row.url, {
        method: "POST",
        redirect: "manual",
        signal: AbortSignal.timeout(this.d.timeoutMs),
        headers: {
          "content-type": "application/json",
          "user-agent": "lianpiao-webhooks/1",
          "lianpiao-event-id": row.event_id,
          "lianpiao-event-type": row.type,
          "lianpiao-delivery-id": row.id,
          [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(secret, row.payload),
        },
        body: row.payload,
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (err) {
      error = (err as Error).name === "TimeoutError" ? `no answer within ${this.d.timeoutMs} ms` : causeOf(err as Error).slice(0, 300);
    }
    const done = Date.now();
    const attempts = row.attempts + 1;
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto("webhook_attempts")
        .values({ delivery_id: id, at: started, status, error, duration_ms: done - started, trigger })
        .execute();
      const ok = error === null;
      const failed = !ok && attempts >= this.d.maxAttempts;
      await trx
        .updateTable("webhook_deliveries")
        .set({
          attempts,
          state: ok ? "delivered" : failed ? "failed" : "pending",
          delivered_at: ok ? done : null,
          next_attempt_at: ok || failed ? done : done + backoffMs(attempts, this.d.retryBaseMs, this.d.retryMaxMs),
          last_status: status,
          last_error: error,
          lease_owner: null,
          lease_until: null,
        })
        .where("id", "=", id)
        .execute();
    });
    if (error) this.d.log.info({ delivery: id, attempts, error }, "webhook delivery failed");
    return true;
  }
}
