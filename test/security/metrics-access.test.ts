// Hardening 8: /metrics is not open by default. A server bound to all interfaces without
// METRICS_TOKEN refuses it (and says so at start-up); with the token, only `Bearer <token>` (any case
// of the scheme) reads it. (A server bound to loopback with no proxy serves it without a token: the
// other service tests scrape it that way.)
import { expect } from "chai";
import { call } from "../helpers/api";
import { startService, type ServiceProcess } from "../helpers/processes";

describe("who may read /metrics", function () {
  this.timeout(180_000);
  const TOKEN = "metrics-token-for-hardening-tests-0123";
  const svcs: ServiceProcess[] = [];
  after(async () => {
    for (const s of svcs) await s.stop();
  });

  it("refuses /metrics on a server bound to 0.0.0.0 without METRICS_TOKEN, with 403 METRICS_TOKEN_REQUIRED, and warns at start-up", async () => {
    const svc = await startService({ HOST: "0.0.0.0" });
    svcs.push(svc);
    const r = await call(svc.url, "GET", "/metrics");
    expect(r.status).to.equal(403);
    expect(r.headers.get("content-type")).to.match(/application\/problem\+json/);
    expect(r.body.code).to.equal("METRICS_TOKEN_REQUIRED");
    expect(r.body.detail).to.match(/set METRICS_TOKEN/);
    expect(svc.output()).to.match(/METRICS_TOKEN is not set and HOST=0\.0\.0\.0 is not a loopback address/);
  });

  it("serves it with METRICS_TOKEN to 'Bearer <token>' only, the scheme in any case", async () => {
    const svc = await startService({ HOST: "0.0.0.0", METRICS_TOKEN: TOKEN });
    svcs.push(svc);
    expect((await call(svc.url, "GET", "/metrics")).status).to.equal(401);
    expect((await call(svc.url, "GET", "/metrics", { headers: { authorization: "Bearer not-the-metrics-token-000" } })).status).to.equal(401);
    for (const scheme of ["Bearer", "bearer"]) {
      const r = await call(svc.url, "GET", "/metrics", { headers: { authorization: `${scheme} ${TOKEN}` } });
      expect(r.status, scheme).to.equal(200);
      expect(r.body).to.match(/^lianpiao_bills_issued_total /m);
    }
    expect(svc.output()).to.not.match(/METRICS_TOKEN is not set/);
  });
});
