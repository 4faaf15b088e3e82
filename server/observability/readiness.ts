/**
 * /readyz: ready when the store answers and the chain answers, each within a short deadline (a
 * load balancer must not wait for the RPC timeout). The anchoring backlog is reported, not judged:
 * issuing works without the chain, and a backlog drains once it is back.
 */
import type { Provider } from "ethers";
import type { Db } from "../store/database";
import { withTimeout } from "../chain/provider";

export interface ReadinessDeps {
  db: Db;
  provider: Provider;
  worker: { health(): { lastError: string | null; held: unknown[] } };
  timeoutMs: number;
}

export interface Readiness {
  ok: boolean;
  checks: Record<string, unknown>;
}

/** The oldest open outbox entry and the number open, for /readyz and the pending gauges. */
export async function pendingOutbox(db: Db): Promise<{ oldestCreatedAt: number | null; count: number }> {
  const r = await db
    .selectFrom("outbox")
    .select((eb) => [eb.fn.min("created_at").as("oldest"), eb.fn.countAll().as("n")])
    .where("done_at", "is", null)
    .executeTakeFirst();
  return { oldestCreatedAt: r?.oldest == null ? null : Number(r.oldest), count: Number(r?.n ?? 0) };
}

function deadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return withTimeout(p, ms, what);
}

export async function readiness(d: ReadinessDeps): Promise<Readiness> {
  const [database, chain] = await Promise.all([
    deadline(pendingOutbox(d.db), d.timeoutMs, "database").then(
      (p) => ({
        ok: true as const,
        pending: { count: p.count, oldestAgeSeconds: p.oldestCreatedAt === null ? 0 : Math.round((Date.now() - p.oldestCreatedAt) / 1000) },
      }),
      (e: Error) => ({ ok: false as const, error: String(e.message ?? e) }),
    ),
    deadline(d.provider.getBlockNumber(), d.timeoutMs, "chain head").then(
      (head) => ({ status: "ok", head }),
      (e: Error) => ({ status: "unreachable", error: String(e.message ?? e) }),
    ),
  ]);
  const checks: Record<string, unknown> = {
    database: database.ok ? "ok" : database.error,
    chain,
    anchoring: { ...d.worker.health(), ...(database.ok ? { pending: database.pending } : {}) },
  };
  return { ok: database.ok && chain.status === "ok", checks };
}
