/**
 * Fixed-window counters per client and purpose ("verify", "auth-failure", …), with one limit for the
 * whole deployment:
 *
 * - on PostgreSQL (where several replicas may share one database) the windows live in the
 *   rate_limits table: each hit is one atomic upsert timed by the database's clock, so replicas behind
 *   one load balancer count together; windows that have ended are deleted about once a minute;
 * - on SQLite (one process) they live in this process's memory, in a table bounded by evicting the
 *   least recently hit client: a client that keeps hitting stays counted, however many others come.
 *
 * Clients are told apart by req.ip — the socket address, or what a trusted proxy (TRUST_PROXY) says —
 * with IPv6 addresses counted per /64 network, the block one subscriber usually holds.
 */
import net from "node:net";
import { sql } from "kysely";
import type { Db } from "../store/database";

export interface Window {
  /** hits in the current window, this one included */
  count: number;
  /** when the window ends (epoch ms, the store's clock) */
  resetAt: number;
  /** the store's clock now (epoch ms) */
  now: number;
}

export interface RateLimitStore {
  /** Counts one hit of `bucket` in its current window (a new one when the last has ended). */
  hit(bucket: string, windowMs: number): Promise<Window>;
  /** The current window of `bucket`, counting nothing; null when it has none. */
  peek(bucket: string): Promise<Window | null>;
  /** Takes one hit back from the current window of `bucket` (an attempt that turned out not to count). */
  forgive(bucket: string): Promise<void>;
}

/** This process's memory; bounded at maxBuckets, the least recently hit bucket giving way. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, { resetAt: number; count: number }>();
  constructor(
    readonly maxBuckets = 50_000,
    private readonly clock: () => number = Date.now,
  ) {}

  get size(): number {
    return this.windows.size;
  }

  async hit(bucket: string, windowMs: number): Promise<Window> {
    const now = this.clock();
    let w = this.windows.get(bucket);
    // Map order is recency order: a hit moves its bucket to the end; the front is evicted first.
    if (w) this.windows.delete(bucket);
    if (!w || w.resetAt <= now) w = { resetAt: now + windowMs, count: 0 };
    while (this.windows.size >= this.maxBuckets) this.windows.delete(this.windows.keys().next().value as string);
    w.count += 1;
    this.windows.set(bucket, w);
    return { count: w.count, resetAt: w.resetAt, now };
  }

  async forgive(bucket: string): Promise<void> {
    const w = this.windows.get(bucket);
    if (w && w.count > 0) w.count -= 1;
  }

  async peek(bucket: string): Promise<Window | null> {
    const now = this.clock();
    const w = this.windows.get(bucket);
    return w && w.resetAt > now ? { count: w.count, resetAt: w.resetAt, now } : null;
  }
}

/** The rate_limits table of a PostgreSQL store, shared by every replica on it. */
export class PostgresRateLimitStore implements RateLimitStore {
  private lastSweep = 0;
  constructor(
    private readonly db: Db,
    private readonly sweepEveryMs = 60_000,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  async hit(bucket: string, windowMs: number): Promise<Window> {
    const { rows } = await sql<{ hits: number | string; reset_at: number | string; now: number | string }>`
      with t as (select (extract(epoch from clock_timestamp()) * 1000)::bigint as now)
      insert into rate_limits as r (bucket, reset_at, hits)
      select ${bucket}, t.now + ${windowMs}::bigint, 1 from t
      on conflict (bucket) do update set
        hits = case when r.reset_at <= excluded.reset_at - ${windowMs}::bigint then 1 else r.hits + 1 end,
        reset_at = case when r.reset_at <= excluded.reset_at - ${windowMs}::bigint then excluded.reset_at else r.reset_at end
      returning r.hits, r.reset_at, (select now from t) as now`.execute(this.db);
    const w = { count: Number(rows[0].hits), resetAt: Number(rows[0].reset_at), now: Number(rows[0].now) };
    if (w.now - this.lastSweep >= this.sweepEveryMs) {
      this.lastSweep = w.now;
      void this.sweep().catch(this.onError);
    }
    return w;
  }

  async peek(bucket: string): Promise<Window | null> {
    const { rows } = await sql<{ hits: number | string; reset_at: number | string; now: number | string }>`
      select hits, reset_at, (extract(epoch from clock_timestamp()) * 1000)::bigint as now from rate_limits where bucket = ${bucket}`.execute(this.db);
    const r = rows[0];
    if (!r || Number(r.reset_at) <= Number(r.now)) return null;
    return { count: Number(r.hits), resetAt: Number(r.reset_at), now: Number(r.now) };
  }

  async forgive(bucket: string): Promise<void> {
    await sql`update rate_limits set hits = hits - 1 where bucket = ${bucket} and hits > 0`.execute(this.db);
  }

  /** Deletes the windows that have ended; returns how many. */
  async sweep(): Promise<number> {
    const r = await sql`delete from rate_limits where reset_at <= (extract(epoch from clock_timestamp()) * 1000)::bigint`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }
}

/** The key a client is counted under: its IPv4 address, or its IPv6 /64 network. */
export function clientKey(ip: string | undefined): string {
  if (!ip) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (net.isIPv6(ip)) return `${ipv6Groups(ip).slice(0, 4).join(":")}::/64`;
  return ip;
}

/** The eight 16-bit groups of an IPv6 address, in lowercase hex without leading zeros. */
function ipv6Groups(ip: string): string[] {
  const [head, tail] = ip.split("%")[0].split("::") as [string, string | undefined];
  const part = (s: string | undefined) => (s ? s.split(":") : []);
  let h = part(head);
  let t = part(tail);
  // an embedded IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) is two groups
  const v4 = (g: string[]) => {
    const last = g[g.length - 1];
    if (!last?.includes(".")) return g;
    const b = last.split(".").map(Number);
    return [...g.slice(0, -1), ((b[0] << 8) | b[1]).toString(16), ((b[2] << 8) | b[3]).toString(16)];
  };
  if (tail === undefined) h = v4(h);
  else t = v4(t);
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  return groups.map((g) => parseInt(g, 16).toString(16));
}

/**
 * `limit` hits per client per window of `windowMs` for one purpose. hit() counts; blocked() only asks,
 * for checks that must refuse before they look anything up.
 */
export class RateLimiter {
  private readonly store: RateLimitStore;
  private readonly name: string;
  constructor(
    readonly limit: number,
    private readonly windowMs: number,
    opts: { store?: RateLimitStore; name?: string } = {},
  ) {
    this.store = opts.store ?? new MemoryRateLimitStore();
    this.name = opts.name ?? "limit";
  }

  private bucket(client: string): string {
    return `${this.name}:${client}`;
  }

  private static wait(w: Window): number {
    return Math.max(1, Math.ceil((w.resetAt - w.now) / 1000));
  }

  /** Counts a hit; returns 0 when allowed, else the seconds to wait. */
  async hit(client: string): Promise<number> {
    const w = await this.store.hit(this.bucket(client), this.windowMs);
    return w.count <= this.limit ? 0 : RateLimiter.wait(w);
  }

  /** Takes back one hit of the client's current window. */
  async forgive(client: string): Promise<void> {
    await this.store.forgive(this.bucket(client));
  }

  /** Without counting: 0 when the client may still try, else the seconds until it may. */
  async blocked(client: string): Promise<number> {
    const w = await this.store.peek(this.bucket(client));
    return w && w.count >= this.limit ? RateLimiter.wait(w) : 0;
  }
}
