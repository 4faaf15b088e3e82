// Public verification is rate-limited per client; and a bill whose batch has not gone out is PENDING.
import { expect } from "chai";
import { rmSync } from "node:fs";
import { startService, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { checkOf, issue, type Issued } from "./fixtures";

describe("public verification limits and pending bills", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let bill: Issued;

  before(async () => {
    // a batch waits an hour for company: every bill stays pending for this file
    svc = await startService({ VERIFY_RATE_PER_MIN: "5", BATCH_MAX_AGE_MS: "3600000" });
    creds = svc.credentials();
    bill = await issue(svc.url, creds.hospital.apiKey);
  });
  after(async () => {
    await svc?.stop();
    if (svc) rmSync(svc.dataDir, { recursive: true, force: true });
  });

  it("says PENDING for a bill signed by an admitted issuer and not yet anchored", async () => {
    const r = await fetch(bill.verifyUrl, { headers: { accept: "application/json" } });
    const v = (await r.json()) as any;
    expect(v.verdict).to.equal("PENDING");
    expect(v.anchor).to.equal(null);
    expect(checkOf(v, "inclusion")).to.include({ status: "pending", code: "NOT_ANCHORED" });
    for (const name of ["integrity", "issuer", "signature", "status"]) expect(checkOf(v, name).status).to.equal("passed");
    const html = await (await fetch(bill.verifyUrl)).text();
    expect(html).to.include('data-verdict="PENDING"').and.include("待上链");
  });

  it("answers the request after the fifth in a minute with 429 and Retry-After, as JSON and as a page", async () => {
    // two were spent above; three more reach the limit of five, across all three public endpoints
    const spend = [
      fetch(bill.verifyUrl, { headers: { accept: "application/json" } }),
      fetch(`${svc.url}/api/v1/verify`, { method: "POST", headers: { "content-type": "application/pdf" }, body: "%PDF-1.7 nothing" }),
      fetch(`${svc.url}/api/v1/verify/manual`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
    ];
    for (const r of await Promise.all(spend)) expect(r.status).to.not.equal(429);
    const json = await fetch(bill.verifyUrl, { headers: { accept: "application/json" } });
    expect(json.status).to.equal(429);
    expect(Number(json.headers.get("retry-after"))).to.be.within(1, 60);
    expect(json.headers.get("content-type")).to.match(/application\/problem\+json/);
    expect(((await json.json()) as { code: string }).code).to.equal("RATE_LIMITED");
    const page = await fetch(bill.verifyUrl);
    expect(page.status).to.equal(429);
    expect(page.headers.get("retry-after")).to.match(/^\d+$/);
    expect(await page.text())
      .to.include("请求过多")
      .and.include("Too many requests");
    const upload = await fetch(`${svc.url}/api/v1/verify/manual`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(upload.status).to.equal(429);
  });
});
