/**
 * A fixed-window counter per client. In memory: each replica limits on its own, which bounds the
 * total at replicas × limit — good enough against scraping and key guessing.
 */
export class RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();
  constructor(private readonly limit: number, private readonly windowMs: number) {}

  /** Counts a hit; returns 0 when allowed, else the seconds to wait. */
  hit(client: string, now = Date.now()): number {
    let w = this.windows.get(client);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size > 50_000) this.windows.clear();
      w = { start: now, count: 0 };
      this.windows.set(client, w);
    }
    w.count += 1;
    if (w.count <= this.limit) return 0;
    return Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
  }
}
