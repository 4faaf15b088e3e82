// Webhooks end to end: the service as its own process, real receiving HTTP servers, signed deliveries
// of bill.anchored, bill.voided, bill.reimbursed and bill.released to the institutions they concern
// only; retries with exponential backoff against a receiver that fails and recovers; a service restart
// in the middle; the delivery log and manual redelivery through the API (the typed client).
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { verifySignature } from "../../server/webhooks/signature";
import { MEDICAL_EXAMPLE } from "../helpers/api";
import { apiClient } from "../helpers/client";
import { startService, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import pg from "pg";
import { createTestDatabase } from "../helpers/pg";
import { Receiver } from "./receiver";
import { waitFor } from "../../scripts/lib/net";

const ENV = { WEBHOOK_POLL_MS: "50", WEBHOOK_RETRY_BASE_MS: "300", WEBHOOK_RETRY_MAX_MS: "2000", WEBHOOK_TIMEOUT_MS: "3000", WEBHOOK_MAX_ATTEMPTS: "30" };
const ALL = ["bill.anchored", "bill.voided", "bill.reimbursed", "bill.released"] as const;

for (const store of ["SQLite", "PostgreSQL"] as const)
  describe(`webhooks (${store})`, function () {
    this.timeout(240_000);
    let svc: ServiceProcess;
    let pgDb: { url: string; drop(): Promise<void> } | undefined;
    let env: Record<string, string> = ENV;
    let creds: DemoCreds;
    const hospitalHook = new Receiver();
    const insurerHook = new Receiver();
    const charityHook = new Receiver();
    const secrets: Record<string, string> = {};
    const subs: Record<string, string> = {};

    const hospital = () => apiClient(svc.url, creds.hospital.apiKey);
    const insurer = () => apiClient(svc.url, creds.insurer.apiKey);
    const charity = () => apiClient(svc.url, creds.charity.apiKey);

    async function issueAnchored(body: typeof MEDICAL_EXAMPLE = MEDICAL_EXAMPLE) {
      const { data, response } = await hospital().POST("/api/v1/invoices", { body: body as never });
      expect(response.status).to.equal(201);
      return data!;
    }

    before(async () => {
      await Promise.all([hospitalHook.start(), insurerHook.start(), charityHook.start()]);
      if (store === "PostgreSQL") {
        pgDb = await createTestDatabase();
        env = { ...ENV, DATABASE_URL: pgDb.url };
      }
      svc = await startService(env);
      creds = svc.credentials();
      for (const [who, client, hook, events] of [
        ["hospital", hospital(), hospitalHook, [...ALL]],
        ["insurer", insurer(), insurerHook, ["bill.reimbursed", "bill.released"]],
        ["charity", charity(), charityHook, [...ALL]],
      ] as const) {
        const { data, response } = await client.POST("/api/v1/webhooks", { body: { url: hook.url, events: [...events], description: `${who} system` } });
        expect(response.status).to.equal(201);
        expect(data!.secret).to.match(/^whsec_[A-Za-z0-9_-]{43}$/);
        secrets[who] = data!.secret;
        subs[who] = data!.id;
      }
    });
    after(async () => {
      await svc?.stop();
      await Promise.all([hospitalHook.stop(), insurerHook.stop(), charityHook.stop()]);
      await pgDb?.drop();
    });

    it("shows the signing secret once and keeps it encrypted, never in clear, in the store", async () => {
      const { data } = await hospital().GET("/api/v1/webhooks/{id}", { params: { path: { id: subs.hospital } } });
      expect(data).to.not.have.property("secret");
      const list = await hospital().GET("/api/v1/webhooks");
      expect(list.data!.items.map((s) => s.id)).to.deep.equal([subs.hospital]);
      expect(JSON.stringify(list.data)).to.not.include("whsec_");
      let stored: Buffer;
      if (pgDb) {
        const c = new pg.Client({ connectionString: pgDb.url });
        await c.connect();
        const { rows } = await c.query("SELECT * FROM webhook_subscriptions");
        await c.end();
        expect(rows).to.have.length(3);
        for (const r of rows) expect(r.secret_enc).to.match(/^v1:[A-Za-z0-9+/=]+$/);
        stored = Buffer.from(JSON.stringify(rows));
      } else {
        const file = fs.readFileSync(path.join(svc.dataDir, "lianpiao.sqlite"));
        const wal = fs.existsSync(path.join(svc.dataDir, "lianpiao.sqlite-wal"))
          ? fs.readFileSync(path.join(svc.dataDir, "lianpiao.sqlite-wal"))
          : Buffer.alloc(0);
        stored = Buffer.concat([file, wal]);
      }
      for (const s of Object.values(secrets)) expect(stored.includes(Buffer.from(s)), "a secret in clear in the store").to.equal(false);
    });

    it("keeps subscriptions to their institution: another's id is 404, and the bureau has none", async () => {
      const other = await charity().GET("/api/v1/webhooks/{id}", { params: { path: { id: subs.hospital } } });
      expect(other.response.status).to.equal(404);
      expect((other.error as { code: string }).code).to.equal("NOT_FOUND");
      const del = await insurer().DELETE("/api/v1/webhooks/{id}", { params: { path: { id: subs.hospital } } });
      expect(del.response.status).to.equal(404);
      const bureau = await apiClient(svc.url, creds.bureau.apiKey).GET("/api/v1/webhooks");
      expect(bureau.response.status).to.equal(403);
    });

    it("delivers bill.anchored signed over the timestamp and body, which the README's recipe verifies", async () => {
      const bill = await issueAnchored();
      await hospitalHook.waitFor((r) => r.some((x) => x.event.type === "bill.anchored" && x.event.data.bill.id === bill.id));
      const got = hospitalHook.received.find((x) => x.event.data.bill?.id === bill.id)!;
      expect(got.headers["content-type"]).to.equal("application/json");
      expect(got.headers["lianpiao-event-type"]).to.equal("bill.anchored");
      expect(got.headers["lianpiao-event-id"]).to.equal(got.event.id);
      expect(got.event.data.bill).to.include({ billCode: bill.billCode, billNumber: bill.billNumber, total: "157.00", status: "anchored" });
      expect(got.event.data.anchor.txHash).to.match(/^0x[0-9a-f]{64}$/);
      const header = String(got.headers["lianpiao-signature"]);
      expect(header).to.match(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifySignature(secrets.hospital, header, got.body)).to.deep.include({ ok: true });
      // another secret, a changed body, or a replay outside the window all fail
      expect(verifySignature(secrets.charity, header, got.body)).to.deep.equal({ ok: false, reason: "SIGNATURE_MISMATCH" });
      expect(verifySignature(secrets.hospital, header, got.body.replace("157.00", "1.00"))).to.deep.equal({ ok: false, reason: "SIGNATURE_MISMATCH" });
      expect(verifySignature(secrets.hospital, header, got.body, { now: Date.now() + 301_000 })).to.deep.equal({
        ok: false,
        reason: "TIMESTAMP_OUT_OF_TOLERANCE",
      });
      // the recipe, with nothing but node:crypto
      const t = /t=(\d+)/.exec(header)![1];
      const mac = require("node:crypto").createHmac("sha256", secrets.hospital).update(`${t}.${got.body}`).digest("hex");
      expect(header.endsWith(`v1=${mac}`)).to.equal(true);
    });

    it("delivers reimbursed and released to the issuer and to the insurer that marked it, voided to the issuer, and nothing to others", async () => {
      const bill = await issueAnchored();
      await hospitalHook.waitFor((r) => r.some((x) => x.event.type === "bill.anchored" && x.event.data.bill.id === bill.id));
      const mark = { billCode: bill.billCode, billNumber: bill.billNumber, checkCode: bill.checkCode, total: "157.00", reference: "CLAIM-WH-1" };
      expect((await insurer().POST("/api/v1/reimbursements", { body: mark })).response.status).to.equal(201);
      await insurerHook.waitFor((r) => r.some((x) => x.event.type === "bill.reimbursed" && x.event.data.bill.id === bill.id));
      await hospitalHook.waitFor((r) => r.some((x) => x.event.type === "bill.reimbursed" && x.event.data.bill.id === bill.id));
      const toInsurer = insurerHook.received.find((x) => x.event.type === "bill.reimbursed")!;
      expect(verifySignature(secrets.insurer, String(toInsurer.headers["lianpiao-signature"]), toInsurer.body).ok).to.equal(true);
      expect(toInsurer.event.data.reimbursement.reference).to.equal("CLAIM-WH-1");
      expect(toInsurer.event.data.bill).to.not.have.any.keys("businessSerial", "visitNumber");
      const toHospital = hospitalHook.received.find((x) => x.event.type === "bill.reimbursed" && x.event.data.bill.id === bill.id)!;
      expect(toHospital.event.data.reimbursement.reference).to.equal(null);
      expect(toHospital.event.data.bill.visitNumber).to.equal("MZ2026112300017");

      const rel = await insurer().POST("/api/v1/reimbursements/{billCode}/{billNumber}/release", {
        params: { path: { billCode: bill.billCode, billNumber: bill.billNumber } },
      });
      expect(rel.response.status).to.equal(200);
      await insurerHook.waitFor((r) => r.some((x) => x.event.type === "bill.released" && x.event.data.bill.id === bill.id));
      await hospitalHook.waitFor((r) => r.some((x) => x.event.type === "bill.released" && x.event.data.bill.id === bill.id));

      // the void waits until the release is written on chain (the registry is the witness)
      let voided = await hospital().POST("/api/v1/invoices/{id}/void", { params: { path: { id: bill.id } }, body: { reason: "退费" } });
      for (let i = 0; i < 100 && voided.response.status === 409; i++) {
        await new Promise((r) => setTimeout(r, 200));
        voided = await hospital().POST("/api/v1/invoices/{id}/void", { params: { path: { id: bill.id } }, body: { reason: "退费" } });
      }
      expect(voided.response.status, JSON.stringify(voided.error)).to.equal(200);
      await hospitalHook.waitFor((r) => r.some((x) => x.event.type === "bill.voided" && x.event.data.bill.id === bill.id));
      const v = hospitalHook.received.find((x) => x.event.type === "bill.voided")!;
      expect(v.event.data.void).to.deep.include({
        reason: "退费",
        redBill: { id: voided.data!.redBill.id, billCode: voided.data!.redBill.billCode, billNumber: voided.data!.redBill.billNumber },
      });
      // the red bill is anchored too: the issuer hears of it
      await hospitalHook.waitFor((r) => r.some((x) => x.event.type === "bill.anchored" && x.event.data.bill.id === voided.data!.redBill.id));
      await new Promise((r) => setTimeout(r, 500));
      expect(insurerHook.received.some((x) => x.event.type === "bill.voided" || x.event.type === "bill.anchored")).to.equal(false);
      expect(charityHook.received).to.deep.equal([]);
      // exactly once per event and subscription
      for (const hook of [hospitalHook, insurerHook]) {
        const ids = hook.delivered.map((x) => x.event.id);
        expect(new Set(ids).size, "a duplicate delivery").to.equal(ids.length);
      }
    });

    it("retries a failing receiver with exponential backoff until it recovers, and logs every attempt", async () => {
      hospitalHook.plan = [500, 503, 500];
      const before = hospitalHook.received.length;
      const bill = await issueAnchored();
      await hospitalHook.waitFor((r) => r.some((x) => x.event.data.bill?.id === bill.id && x.answered === 204), 30_000, "the recovered delivery");
      const tries = hospitalHook.received.slice(before).filter((x) => x.event.data.bill?.id === bill.id);
      expect(tries.map((x) => x.answered)).to.deep.equal([500, 503, 500, 204]);
      expect(new Set(tries.map((x) => x.event.id)).size).to.equal(1);
      // each signed afresh, and waiting about twice as long as the one before: 300, 600, 1200 ms
      const gaps = tries.slice(1).map((x, i) => x.at - tries[i].at);
      expect(gaps[0]).to.be.at.least(280);
      expect(gaps[1]).to.be.at.least(580);
      expect(gaps[2]).to.be.at.least(1180);
      for (const x of tries) expect(verifySignature(secrets.hospital, String(x.headers["lianpiao-signature"]), x.body).ok).to.equal(true);

      // the receiver sees an answer before the service records it: read the log once it holds the 204
      const deliveryOf = async () => {
        const log = await hospital().GET("/api/v1/webhooks/{id}/deliveries", { params: { path: { id: subs.hospital }, query: { limit: 50 } } });
        expect(log.response.status).to.equal(200);
        return log.data!.items.find((x) => x.billId === bill.id && x.eventType === "bill.anchored");
      };
      const d = await waitFor(
        "the delivery logged as delivered",
        async () => {
          const x = await deliveryOf();
          return x?.state === "delivered" ? x : undefined;
        },
        10_000,
      );
      expect(d).to.include({ state: "delivered", attempts: 4, lastStatus: 204, lastError: null });
      expect(d.log.map((a) => [a.status, a.trigger])).to.deep.equal([
        [500, "auto"],
        [503, "auto"],
        [500, "auto"],
        [204, "auto"],
      ]);
      expect(d.payload).to.deep.equal(JSON.parse(tries[0].body));
      const failedOnly = await hospital().GET("/api/v1/webhooks/{id}/deliveries", { params: { path: { id: subs.hospital }, query: { state: "failed" } } });
      expect(failedOnly.data!.items).to.deep.equal([]);

      // manual redelivery: the same event again, logged as manual
      const again = await hospital().POST("/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver", {
        params: { path: { id: subs.hospital, deliveryId: d.id } },
      });
      expect(again.response.status).to.equal(202);
      await hospitalHook.waitFor((r) => r.filter((x) => x.event.id === d.eventId).length === 5, 10_000, "the redelivery");
      const d2 = await waitFor(
        "the redelivery logged",
        async () => {
          const x = await deliveryOf();
          return x && x.log.length === 5 ? x : undefined;
        },
        10_000,
      );
      expect(d2.id).to.equal(d.id);
      expect(d2.log.at(-1)).to.deep.include({ status: 204, trigger: "manual" });
      const foreign = await charity().POST("/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver", {
        params: { path: { id: subs.charity, deliveryId: d.id } },
      });
      expect(foreign.response.status).to.equal(404);
    });

    it("survives a restart in the middle: a delivery failing when the service is killed arrives after it starts again, once", async () => {
      hospitalHook.otherwise = 500;
      const bill = await issueAnchored();
      await hospitalHook.waitFor((r) => r.filter((x) => x.event.data.bill?.id === bill.id).length >= 1, 20_000, "a first failed attempt");
      await svc.stop("SIGKILL");
      hospitalHook.otherwise = 204;
      svc = await startService(env, { dataDir: svc.dataDir });
      await hospitalHook.waitFor((r) => r.some((x) => x.event.data.bill?.id === bill.id && x.answered === 204), 60_000, "the delivery after the restart");
      await new Promise((r) => setTimeout(r, 1500));
      const ok = hospitalHook.delivered.filter((x) => x.event.data.bill?.id === bill.id && x.event.type === "bill.anchored");
      expect(ok).to.have.length(1);
      // and a bill issued after the restart is delivered as usual, still signed with the same secret
      const next = await issueAnchored();
      await hospitalHook.waitFor((r) => r.some((x) => x.event.data.bill?.id === next.id && x.answered === 204));
      const got = hospitalHook.received.find((x) => x.event.data.bill?.id === next.id)!;
      expect(verifySignature(secrets.hospital, String(got.headers["lianpiao-signature"]), got.body).ok).to.equal(true);
    });

    it("refuses a subscription without events or with a URL carrying credentials, and stops delivering after a delete", async () => {
      const bad = await hospital().POST("/api/v1/webhooks", { body: { url: "http://user:pw@127.0.0.1/x", events: [] } });
      expect(bad.response.status).to.equal(422);
      expect((bad.error as { errors: Array<{ path: string }> }).errors.map((e) => e.path).sort()).to.deep.equal(["events", "url"]);
      const del = await charity().DELETE("/api/v1/webhooks/{id}", { params: { path: { id: subs.charity } } });
      expect(del.response.status).to.equal(204);
      expect((await charity().GET("/api/v1/webhooks")).data!.items).to.deep.equal([]);
    });
  });
