// The bureau admits relying parties: their role on chain, their keys, and what they may then do.
import { expect } from "chai";
import { Contract, JsonRpcProvider } from "ethers";
import { loadRegistryAbi } from "../../server/chain";
import { makeCreditCode } from "../../server/issuance/check-digits";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { startService, waitFor, type DemoCreds, type ServiceProcess } from "../helpers/processes";

describe("relying parties admitted by the bureau", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;

  before(async () => {
    svc = await startService({});
    creds = svc.credentials();
  });
  after(async () => svc?.stop());

  it("admits an employer with a new chain account holding the relying-party role, whose key can then mark bills", async () => {
    const b = { key: creds.bureau.apiKey };
    const admitted = await call(svc.url, "POST", "/api/v1/relying-parties", {
      ...b,
      body: { name: "示范市某科技有限公司 (employer)", creditCode: makeCreditCode("91110000MA0000123") },
    });
    expect(admitted.status, JSON.stringify(admitted.body)).to.equal(201);
    expect(admitted.body.apiKey).to.match(/^lp_rel_/);
    expect(admitted.body.account).to.match(/^0x[0-9a-fA-F]{40}$/);

    const provider = new JsonRpcProvider(creds.rpcUrl, undefined, { staticNetwork: true });
    const registry = new Contract(creds.registryAddress, loadRegistryAbi(), provider);
    expect(await registry.hasRole(await registry.RELYING_PARTY_ROLE(), admitted.body.account)).to.equal(true);

    const bill = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
    const anchored = await waitAnchored(svc.url, creds.hospital.apiKey, bill.body.id, 20_000);
    const mark = {
      billCode: bill.body.billCode,
      billNumber: bill.body.billNumber,
      checkCode: bill.body.checkCode,
      total: "157.00",
      reference: "EXP-2026-0042",
    };
    const first = await call(svc.url, "POST", "/api/v1/reimbursements", { key: admitted.body.apiKey, body: mark });
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    const second = await call(svc.url, "POST", "/api/v1/reimbursements", { key: creds.insurer.apiKey, body: mark });
    expect(second.status).to.equal(409);
    expect(second.body.code).to.equal("ALREADY_REIMBURSED");
    expect(JSON.stringify(second.body)).to.contain("employer");
    // The mark reaches the chain from the employer's own account.
    await waitFor(
      "the reimbursement mark on chain",
      async () => (await registry.statusOf(creds.hospital.account, anchored.leaf)).reimbursedBy === admitted.body.account,
      20_000,
    );
    provider.destroy();

    const list = await call(svc.url, "GET", "/api/v1/relying-parties", b);
    expect(list.body.items.map((p: { id: string }) => p.id)).to.include(admitted.body.id);
  });

  it("issues and revokes a relying party's keys; a revoked key is refused at once", async () => {
    const b = { key: creds.bureau.apiKey };
    const made = await call(svc.url, "POST", `/api/v1/relying-parties/${creds.insurer.institutionId}/keys`, { ...b, body: { label: "claims system" } });
    expect(made.status).to.equal(201);
    expect((await call(svc.url, "GET", "/api/v1/reimbursements/x", { key: made.body.apiKey })).status).to.not.equal(401);
    expect((await call(svc.url, "DELETE", `/api/v1/relying-parties/${creds.insurer.institutionId}/keys/${made.body.id}`, b)).status).to.equal(204);
    expect((await call(svc.url, "POST", "/api/v1/reimbursements", { key: made.body.apiKey, body: {} })).status).to.equal(401);
    expect((await call(svc.url, "POST", `/api/v1/relying-parties/${creds.hospital.institutionId}/keys`, { ...b, body: {} })).status).to.equal(404);
  });

  it("refuses an invalid credit code and a credit code already admitted", async () => {
    const b = { key: creds.bureau.apiKey };
    const bad = await call(svc.url, "POST", "/api/v1/relying-parties", { ...b, body: { name: "某保险公司", creditCode: "91110000MA00001230" } });
    expect(bad.status).to.equal(422);
    const dup = await call(svc.url, "POST", "/api/v1/relying-parties", { ...b, body: { name: "某保险公司", creditCode: makeCreditCode("91110000MA0000123") } });
    expect(dup.status).to.equal(409);
  });
});
