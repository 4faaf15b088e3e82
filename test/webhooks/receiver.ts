/**
 * A real HTTP receiver for webhook tests: records every request (headers, raw body, time) and answers
 * as told: a status per request in order from `plan`, then `otherwise`.
 */
import http from "node:http";

export interface Received {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  event: { id: string; type: string; createdAt: string; data: Record<string, any> };
  answered: number;
}

export class Receiver {
  readonly received: Received[] = [];
  plan: number[] = [];
  otherwise = 204;
  private server!: http.Server;
  url = "";

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const answered = this.plan.length ? (this.plan.shift() as number) : this.otherwise;
        let event: Received["event"];
        try {
          event = JSON.parse(body);
        } catch {
          event = { id: "", type: "", createdAt: "", data: {} };
        }
        this.received.push({ at: Date.now(), headers: req.headers, body, event, answered });
        res.statusCode = answered;
        res.end(answered >= 300 ? "not now" : "");
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/hook`;
    return this;
  }

  /** Requests answered 2xx. */
  get delivered(): Received[] {
    return this.received.filter((r) => r.answered >= 200 && r.answered < 300);
  }

  async waitFor(pred: (r: Received[]) => boolean, timeoutMs = 30_000, what = "webhook deliveries"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.received)) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}; received: ${JSON.stringify(this.received.map((r) => [r.event.type, r.event.data?.bill?.billNumber, r.answered]))}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
