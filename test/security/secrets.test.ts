// Keys and personal data stay out of logs and out of the database in clear; pages and the API send
// security headers; bodies are size-limited; CORS is closed; failed authentication is rate-limited.
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { devWallets } from "../../server/chain/accounts";
import { makeCreditCode } from "../../server/issuance/check-digits";
import { call, DONATION_EXAMPLE, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { startService, type DemoCreds, type ServiceProcess } from "../helpers/processes";

describe("secrets, personal data and request hygiene", function () {
  this.timeout(240_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  const secrets: string[] = [];

  before(async () => {
    svc = await startService({ LOG_LEVEL: "trace", AUTH_FAILURES_PER_MIN: "30" });
    creds = svc.credentials();
  });
  after(async () => svc?.stop());

  it("writes no key, secret or payer ID number to the logs during a busy scenario", async () => {
    const h = creds.hospital.apiKey;
    secrets.push(creds.hospital.apiKey, creds.charity.apiKey, creds.bureau.apiKey, creds.insurer.apiKey);
    secrets.push(fs.readFileSync(path.join(svc.dataDir, "keystore-password"), "utf8").trim());
    for (const w of devWallets(4)) secrets.push(w.privateKey, w.privateKey.slice(2));
    secrets.push("11010519491231002X");
    const issued = [];
    for (let i = 0; i < 6; i++) {
      const r = await call(svc.url, "POST", "/api/v1/invoices", { key: h, body: MEDICAL_EXAMPLE, headers: { "idempotency-key": `busy-${i}` } });
      expect(r.status).to.equal(201);
      issued.push(r.body);
      secrets.push(new URL(r.body.verifyUrl).searchParams.get("k") as string);
    }
    const donation = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.charity.apiKey, body: DONATION_EXAMPLE });
    expect(donation.status).to.equal(201);
    for (const b of issued) await waitAnchored(svc.url, h, b.id, 20_000);
    for (const b of issued.slice(0, 2)) {
      expect((await fetch(b.verifyUrl.replace(/^http:\/\/localhost:\d+/, svc.url), { headers: { accept: "application/json" } })).status).to.equal(200);
      expect((await fetch(`${svc.url}/api/v1/invoices/${b.id}/pdf`, { headers: { authorization: `Bearer ${h}` } })).status).to.equal(200);
    }
    const voided = await call(svc.url, "POST", `/api/v1/invoices/${issued[2].id}/void`, { key: h, body: { reason: "开错科室" } });
    expect(voided.status, JSON.stringify(voided.body)).to.equal(200);
    const reimbursed = await call(svc.url, "POST", "/api/v1/reimbursements", {
      key: creds.insurer.apiKey,
      body: { billCode: issued[3].billCode, billNumber: issued[3].billNumber, checkCode: issued[3].checkCode, total: "157.00", reference: "CLAIM-1" },
    });
    expect(reimbursed.status, JSON.stringify(reimbursed.body)).to.equal(201);
    const admitted = await call(svc.url, "POST", "/api/v1/issuers", {
      key: creds.bureau.apiKey,
      body: {
        name: "示范市第二医院",
        creditCode: makeCreditCode("12110000400009991"),
        kind: "medical",
        billCode: "11060127",
        range: { start: 1, end: 100000 },
      },
    });
    expect(admitted.status, JSON.stringify(admitted.body)).to.equal(201);
    secrets.push(admitted.body.apiKey);
    for (let i = 0; i < 3; i++) await call(svc.url, "GET", "/api/v1/invoices", { key: `lp_iss_guess${i}guessguessguess` });
    await new Promise((r) => setTimeout(r, 500));
    // The structured log lines; the demo banner prints the demo keys on purpose (SPEC §5) and is not a log.
    const logs = svc
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .join("\n");
    expect(logs.split("\n").length).to.be.above(30);
    expect(logs).to.include('"msg":"request"');
    for (const s of secrets) expect(logs.includes(s), `a secret appears in the logs: ${s.slice(0, 6)}…`).to.equal(false);
  });

  it("stores API keys only as hashes and issuer chain keys only encrypted", async () => {
    const files = fs.readdirSync(svc.dataDir).filter((f) => f.startsWith("lianpiao.sqlite"));
    const bytes = Buffer.concat(files.map((f) => fs.readFileSync(path.join(svc.dataDir, f))));
    for (const key of [creds.hospital.apiKey, creds.bureau.apiKey, secrets[secrets.length - 1]]) {
      expect(bytes.includes(Buffer.from(key)), "an API key is stored in clear").to.equal(false);
    }
    expect(bytes.includes(Buffer.from('"scrypt"'))).to.equal(true);
  });

  it("sends security headers and no CORS permission, on pages and the API", async () => {
    for (const p of ["/healthz", "/docs", "/api/v1/invoices", "/bureau"]) {
      const r = await fetch(svc.url + p, { headers: { origin: "https://evil.example" } });
      expect(r.headers.get("x-content-type-options"), p).to.equal("nosniff");
      expect(r.headers.get("content-security-policy"), p).to.match(/default-src 'none'/);
      expect(r.headers.get("x-frame-options"), p).to.equal("DENY");
      expect(r.headers.get("access-control-allow-origin"), p).to.equal(null);
    }
    const pre = await fetch(`${svc.url}/api/v1/invoices`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(pre.headers.get("access-control-allow-origin")).to.equal(null);
  });

  it("refuses an oversized body with 413 and stores nothing", async () => {
    const big = { ...MEDICAL_EXAMPLE, remarks: "x".repeat(1_100_000) }; // over the 1 MB body limit (1,000 items fit under it)
    const r = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: big });
    expect(r.status).to.equal(413);
    expect(r.body.code).to.equal("PAYLOAD_TOO_LARGE");
  });

  it("rate-limits failed authentication per client with 429 and Retry-After", async () => {
    let last = 0;
    let retryAfter: string | null = null;
    for (let i = 0; i < 40 && last !== 429; i++) {
      const r = await call(svc.url, "GET", "/api/v1/invoices", { key: `lp_iss_wrong${i}wrongwrongwrong` });
      last = r.status;
      retryAfter = r.headers.get("retry-after");
    }
    expect(last).to.equal(429);
    expect(Number(retryAfter)).to.be.above(0);
  });

  it("refuses to start with a wrong keystore password, naming the setting", async () => {
    await svc.stop();
    const again = await startService({ KEYSTORE_PASSWORD: "wrong-password-123" }, { dataDir: svc.dataDir, waitReady: false });
    const code = await again.exited;
    expect(code).to.not.equal(0);
    expect(again.output()).to.match(/KEYSTORE_PASSWORD/);
    svc = await startService({}, { dataDir: svc.dataDir });
  });
});
