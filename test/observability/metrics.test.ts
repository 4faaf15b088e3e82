// /metrics and /readyz of a service process on the embedded default.
import { expect } from "chai";
import { call, DONATION_EXAMPLE, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { startService, waitFor, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { Metrics } from "../../server/observability";

function sample(text: string, series: string): number {
  const m = new RegExp(`^${series.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, "m").exec(text);
  if (!m) throw new Error(`no sample ${series}`);
  return Number(m[1]);
}

describe("operations: Prometheus metrics and readiness", function () {
  this.timeout(120_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  const TOKEN = "metrics-token-for-tests-0123456789";

  before(async () => {
    svc = await startService({ METRICS_TOKEN: TOKEN });
    creds = svc.credentials();
  });
  after(async () => svc?.stop());

  const scrape = async () => {
    const r = await call(svc.url, "GET", "/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.status).to.equal(200);
    expect(r.headers.get("content-type")).to.match(/^text\/plain/);
    return r.body as string;
  };

  it("reports ready with the database and the chain answering", async () => {
    const r = await call(svc.url, "GET", "/readyz");
    expect(r.status).to.equal(200);
    expect(r.body.checks.database).to.equal("ok");
    expect(r.body.checks.chain.status).to.equal("ok");
    expect(r.body.checks.chain.head).to.be.a("number");
    expect(r.body.checks.anchoring.pending.count).to.be.a("number");
  });

  it("refuses /metrics without the configured token", async () => {
    expect((await call(svc.url, "GET", "/metrics")).status).to.equal(401);
    expect((await call(svc.url, "GET", "/metrics", { headers: { authorization: "Bearer wrong" } })).status).to.equal(401);
  });

  it("exposes every listed series, and counts issued and anchored bills", async () => {
    const before = await scrape();
    for (const series of [
      "lianpiao_bills_issued_total",
      "lianpiao_bills_anchored_total",
      "lianpiao_pending_age_seconds",
      "lianpiao_pending_entries",
      "lianpiao_batch_size_bills_bucket",
      "lianpiao_tx_sent_total",
      "lianpiao_tx_fee_bumps_total",
      "lianpiao_verifications_total",
      "lianpiao_rpc_duration_seconds_bucket",
      "lianpiao_process_cpu_seconds_total",
    ]) {
      expect(before, series).to.match(new RegExp(`^${series}[ {]`, "m"));
    }
    expect(before).to.match(/^# TYPE lianpiao_rpc_errors_total counter$/m);
    const issued0 = sample(before, "lianpiao_bills_issued_total");
    const anchored0 = sample(before, "lianpiao_bills_anchored_total");

    const N = 6;
    const ids: Array<{ id: string; key: string }> = [];
    for (let i = 0; i < N; i++) {
      const who = i % 2 ? creds.charity : creds.hospital;
      const r = await call(svc.url, "POST", "/api/v1/invoices", { key: who.apiKey, body: i % 2 ? DONATION_EXAMPLE : MEDICAL_EXAMPLE });
      expect(r.status).to.equal(201);
      ids.push({ id: r.body.id, key: who.apiKey });
    }
    expect(sample(await scrape(), "lianpiao_bills_issued_total")).to.equal(issued0 + N);
    for (const b of ids) await waitAnchored(svc.url, b.key, b.id, 30_000);
    const after = await waitFor(
      "anchored counter to catch up",
      async () => {
        const t = await scrape();
        return sample(t, "lianpiao_bills_anchored_total") >= anchored0 + N ? t : null;
      },
      10_000,
    );
    expect(sample(after, "lianpiao_batch_size_bills_count")).to.be.at.least(1);
    expect(sample(after, "lianpiao_batch_size_bills_sum")).to.be.at.least(N);
    expect(sample(after, "lianpiao_tx_sent_total")).to.be.at.least(1);
    expect(sample(after, "lianpiao_pending_entries")).to.equal(0);
    expect(sample(after, "lianpiao_pending_age_seconds")).to.equal(0);
  });

  it("records verification verdicts given through recordVerdict, in a registry of its own", async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.verdict("VALID");
    m.verdict("ERROR");
    m.verdict("ERROR");
    const text = (await m.expose()).body;
    expect(sample(text, 'lianpiao_verifications_total{verdict="VALID"}')).to.equal(1);
    expect(sample(text, 'lianpiao_verifications_total{verdict="ERROR"}')).to.equal(2);
    expect(sample(text, 'lianpiao_verifications_total{verdict="INVALID"}')).to.equal(0);
  });
});
