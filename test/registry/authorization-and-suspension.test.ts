// On a `hardhat node` process with PostgreSQL: every bureau, void and reimbursement endpoint against
// every role, and an issuer's life: admitted → issues → suspended (refused; earlier bill still valid
// on chain at its block) → reinstated.
import { expect } from "chai";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { createTestDatabase } from "../helpers/pg";
import { startHardhatNode, startService, type ChainNode, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { newIssuerBody, registryReader } from "./fixtures";

describe("bureau endpoints on a hardhat node with PostgreSQL", function () {
  this.timeout(240_000);
  let node: ChainNode;
  let db: { url: string; drop(): Promise<void> };
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let revokedKey: string;

  before(async () => {
    node = await startHardhatNode({ intervalMs: 500 });
    db = await createTestDatabase();
    svc = await startService({ RPC_URL: node.url, BOOTSTRAP: "dev", DATABASE_URL: db.url, CONFIRMATIONS: "2" });
    creds = svc.credentials();
    const k = await call(svc.url, "POST", `/api/v1/issuers/${creds.hospital.institutionId}/keys`, { key: creds.bureau.apiKey, body: { label: "to revoke" } });
    await call(svc.url, "DELETE", `/api/v1/issuers/${creds.hospital.institutionId}/keys/${k.body.id}`, { key: creds.bureau.apiKey });
    revokedKey = k.body.apiKey;
  });
  after(async () => {
    await svc?.stop();
    await node?.stop();
    await db?.drop();
  });

  it("answers each endpoint with the status its role allows (authorization matrix)", async () => {
    const hospitalBill = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
    const h = creds.hospital.institutionId;
    const mark = { billCode: "11060126", billNumber: "9999999999", checkCode: "ABCDEF", total: "1.00", reference: "x" };
    // [method, path, body, bureau, hospital, charity, insurer, no key, revoked key]
    const matrix: Array<[string, string, unknown, ...number[]]> = [
      ["GET", "/api/v1/issuers", undefined, 200, 403, 403, 403, 401, 401],
      ["POST", "/api/v1/issuers", {}, 422, 403, 403, 403, 401, 401],
      ["GET", `/api/v1/issuers/${h}`, undefined, 200, 403, 403, 403, 401, 401],
      ["POST", "/api/v1/issuers/iss_unknown/suspend", {}, 404, 403, 403, 403, 401, 401],
      ["POST", "/api/v1/issuers/iss_unknown/reinstate", {}, 404, 403, 403, 403, 401, 401],
      ["POST", `/api/v1/issuers/${h}/ranges`, {}, 422, 403, 403, 403, 401, 401],
      ["POST", "/api/v1/issuers/iss_unknown/keys", {}, 404, 403, 403, 403, 401, 401],
      ["DELETE", `/api/v1/issuers/${h}/keys/unknown`, undefined, 404, 403, 403, 403, 401, 401],
      ["GET", "/api/v1/registry/stats", undefined, 200, 403, 403, 403, 401, 401],
      ["GET", "/api/v1/registry/bills", undefined, 200, 403, 403, 403, 401, 401],
      ["GET", "/api/v1/registry/reconciliation", undefined, 200, 403, 403, 403, 401, 401],
      ["GET", "/api/v1/audit", undefined, 200, 403, 403, 403, 401, 401],
      ["POST", `/api/v1/invoices/${hospitalBill.body.id}/void`, {}, 403, 422, 404, 403, 401, 401],
      ["POST", "/api/v1/reimbursements", mark, 403, 403, 403, 404, 401, 401],
      ["DELETE", "/api/v1/reimbursements/11060126/9999999999", undefined, 403, 403, 403, 404, 401, 401],
    ];
    const keys = [creds.bureau.apiKey, creds.hospital.apiKey, creds.charity.apiKey, creds.insurer.apiKey, undefined, revokedKey];
    const got: string[] = [];
    const want: string[] = [];
    for (const [method, path, body, ...statuses] of matrix) {
      for (const [i, key] of keys.entries()) {
        const r = await call(svc.url, method, path, { key, body });
        got.push(`${method} ${path} #${i}: ${r.status}`);
        want.push(`${method} ${path} #${i}: ${statuses[i]}`);
      }
    }
    expect(got).to.deep.equal(want);
  });

  it("admits an issuer on chain, refuses its issuing while suspended while its earlier bill stays valid, and lets it issue again once reinstated", async () => {
    const admitted = await call(svc.url, "POST", "/api/v1/issuers", { key: creds.bureau.apiKey, body: newIssuerBody("medical", "示范市中医医院") });
    expect(admitted.status, JSON.stringify(admitted.body)).to.equal(201);
    const key = admitted.body.apiKey;
    const chain = registryReader(node.url, creds.registryAddress);
    try {
      expect(Number((await chain.registry.issuerOf(admitted.body.account)).kind)).to.equal(1);
      const first = await call(svc.url, "POST", "/api/v1/invoices", { key, body: MEDICAL_EXAMPLE });
      expect(first.status, JSON.stringify(first.body)).to.equal(201);
      const anchored = await waitAnchored(svc.url, key, first.body.id, 60_000);
      const suspended = await call(svc.url, "POST", `/api/v1/issuers/${admitted.body.id}/suspend`, {
        key: creds.bureau.apiKey,
        body: { reason: "违规开票调查" },
      });
      expect(suspended.status).to.equal(200);
      expect((await chain.registry.issuerOf(admitted.body.account)).active).to.equal(false);
      const refused = await call(svc.url, "POST", "/api/v1/invoices", { key, body: MEDICAL_EXAMPLE });
      expect([refused.status, refused.body.code]).to.deep.equal([403, "ISSUER_SUSPENDED"]);
      expect(await chain.registry.wasIssuerAt(admitted.body.account, 1, anchored.anchor.blockNumber)).to.equal(true);
      expect(Number((await chain.registry.batchOf(admitted.body.account, anchored.anchor.root)).blockNumber)).to.equal(anchored.anchor.blockNumber);
      const still = await call(svc.url, "GET", `/api/v1/invoices/${first.body.id}`, { key });
      expect(still.body.status).to.equal("anchored");
      expect((await call(svc.url, "POST", `/api/v1/issuers/${admitted.body.id}/reinstate`, { key: creds.bureau.apiKey })).status).to.equal(200);
      const again = await call(svc.url, "POST", "/api/v1/invoices", { key, body: MEDICAL_EXAMPLE });
      expect(again.status).to.equal(201);
      await waitAnchored(svc.url, key, again.body.id, 60_000);
      const rec = await call(svc.url, "GET", "/api/v1/registry/reconciliation", { key: creds.bureau.apiKey });
      expect(rec.body.clean, JSON.stringify(rec.body.discrepancies)).to.equal(true);
    } finally {
      chain.close();
    }
  });
});
