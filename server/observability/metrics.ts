/**
 * Prometheus metrics: one registry per process (never prom-client's global default), so that tests
 * and embedded uses can build their own. Names follow Prometheus conventions (`_total`, `_seconds`).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

import { VERDICTS, type Verdict } from "../format/verdicts";

export type { Verdict };

/** Why a transaction was sent again: the sender's recovery paths. */
export type TxRetryReason = "fee-bump" | "rebroadcast" | "rebatch" | "reverted" | "reorg";

/** What the anchoring worker reports; every method is cheap and never throws. */
export interface AnchorMetrics {
  batchBuilt(bills: number): void;
  txSent(): void;
  txRetried(reason: TxRetryReason): void;
  billsAnchored(n: number): void;
  /** the registry refused (or would refuse) a transaction of `action` with `error` */
  registryRefused(action: string, error: string): void;
  /** how many sending accounts now wait on a lasting refusal (a suspended issuer) */
  heldAccounts(n: number): void;
}

/** Samples read when /metrics is scraped (from the store), or null when they cannot be read. */
export interface PendingProbe {
  (): Promise<{ oldestCreatedAt: number | null; count: number } | null>;
}

export class Metrics implements AnchorMetrics {
  readonly registry = new Registry();
  private readonly issued: Counter;
  private readonly anchored: Counter;
  private readonly batchSizes: Histogram;
  private readonly txs: Counter;
  private readonly retries: Counter<"reason">;
  private readonly bumps: Counter;
  private readonly verdicts: Counter<"verdict">;
  private readonly rpcErrors: Counter<"method" | "kind">;
  private readonly rpcLatency: Histogram<"method">;
  private readonly refusals: Counter<"action" | "error">;
  private readonly held: Gauge;
  private pendingProbe: PendingProbe | null = null;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.issued = new Counter({ name: "lianpiao_bills_issued_total", help: "Bills accepted and stored (pending anchoring), red bills included", registers });
    this.anchored = new Counter({ name: "lianpiao_bills_anchored_total", help: "Bills whose batch reached the required confirmations", registers });
    this.batchSizes = new Histogram({
      name: "lianpiao_batch_size_bills",
      help: "Bills per anchored batch, when the batch is built",
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000],
      registers,
    });
    this.txs = new Counter({ name: "lianpiao_tx_sent_total", help: "Registry transactions sent for the first time", registers });
    this.retries = new Counter({
      name: "lianpiao_tx_retries_total",
      help: "Transactions re-sent, re-batched or re-checked, by reason",
      labelNames: ["reason"],
      registers,
    });
    this.bumps = new Counter({ name: "lianpiao_tx_fee_bumps_total", help: "Stuck transactions replaced with higher fees", registers });
    this.verdicts = new Counter({ name: "lianpiao_verifications_total", help: "Verification verdicts given", labelNames: ["verdict"], registers });
    this.rpcErrors = new Counter({
      name: "lianpiao_rpc_errors_total",
      help: "JSON-RPC requests that failed: transport (node unreachable, timeout) or rpc (an error answer)",
      labelNames: ["method", "kind"],
      registers,
    });
    this.rpcLatency = new Histogram({
      name: "lianpiao_rpc_duration_seconds",
      help: "JSON-RPC request latency",
      labelNames: ["method"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.refusals = new Counter({
      name: "lianpiao_registry_refusals_total",
      help: "Registry transactions refused (checked before sending, or reverted), by action and the registry's error",
      labelNames: ["action", "error"],
      registers,
    });
    this.held = new Gauge({
      name: "lianpiao_anchor_accounts_held",
      help: "Sending accounts waiting because the registry refuses them for a lasting reason (e.g. a suspended issuer)",
      registers,
    });
    const readPending = () => this.readPending();
    new Gauge({
      name: "lianpiao_pending_age_seconds",
      help: "Age of the oldest outbox entry not yet anchored (0 when none; -1 when the store cannot be read)",
      registers,
      async collect() {
        const p = await readPending();
        this.set(p === null ? -1 : p.oldestCreatedAt === null ? 0 : Math.max(0, (Date.now() - p.oldestCreatedAt) / 1000));
      },
    });
    new Gauge({
      name: "lianpiao_pending_entries",
      help: "Outbox entries not yet anchored (-1 when the store cannot be read)",
      registers,
      async collect() {
        const p = await readPending();
        this.set(p === null ? -1 : p.count);
      },
    });
    for (const v of VERDICTS) this.verdicts.inc({ verdict: v }, 0);
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: "lianpiao_" });
  }

  /** Where the pending gauges read from (the store); set once the store is open. */
  watchPending(probe: PendingProbe): void {
    this.pendingProbe = probe;
  }

  private async readPending(): Promise<{ oldestCreatedAt: number | null; count: number } | null> {
    if (!this.pendingProbe) return { oldestCreatedAt: null, count: 0 };
    return this.pendingProbe().catch(() => null);
  }

  billIssued(): void {
    this.issued.inc();
  }

  batchBuilt(bills: number): void {
    this.batchSizes.observe(bills);
  }

  txSent(): void {
    this.txs.inc();
  }

  txRetried(reason: TxRetryReason): void {
    this.retries.inc({ reason });
    if (reason === "fee-bump") this.bumps.inc();
  }

  billsAnchored(n: number): void {
    this.anchored.inc(n);
  }

  registryRefused(action: string, error: string): void {
    this.refusals.inc({ action, error });
  }

  heldAccounts(n: number): void {
    this.held.set(n);
  }

  verdict(v: Verdict): void {
    this.verdicts.inc({ verdict: v });
  }

  rpcCall(method: string, seconds: number, error: "transport" | "rpc" | null): void {
    this.rpcLatency.observe({ method }, seconds);
    if (error) this.rpcErrors.inc({ method, kind: error });
  }

  /** The exposition text and its content type. */
  async expose(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

let processMetrics: Metrics | null = null;

/** The process's metrics, made on first use. */
export function metrics(): Metrics {
  processMetrics ??= new Metrics();
  return processMetrics;
}

/** For the verification area: count one verdict given to a caller. */
export function recordVerdict(verdict: Verdict): void {
  metrics().verdict(verdict);
}
