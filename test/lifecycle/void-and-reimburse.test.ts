// Voiding (冲红) and reimbursement locks over HTTP, on the embedded default, checked on chain too.
// Voids, marks and releases go through the typed client generated from the OpenAPI document.
import { expect } from "chai";
import { MEDICAL_EXAMPLE, DONATION_EXAMPLE, waitAnchored } from "../helpers/api";
import { apiClient } from "../helpers/client";
import { startService, waitFor, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { addRelyingPartyToSqlite, registryReader } from "../registry/fixtures";

describe("voiding and reimbursement over HTTP", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let chain: ReturnType<typeof registryReader>;

  before(async () => {
    svc = await startService({});
    creds = svc.credentials();
    chain = registryReader(creds.rpcUrl, creds.registryAddress);
  });
  after(async () => {
    chain?.close();
    await svc?.stop();
  });

  const issue = async (key = creds.hospital.apiKey, body: unknown = MEDICAL_EXAMPLE) => {
    const r = reply(await apiClient(svc.url, key).POST("/api/v1/invoices", { body: body as never }));
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body;
  };
  const marksOf = (leaf: string, issuer = creds.hospital.account) => chain.registry.statusOf(issuer, leaf);
  const voidedOnChain = (leaf: string) => waitFor(`void of ${leaf} on chain`, async () => (await marksOf(leaf)).voided, 30_000);
  /** The client's answer as { status, body }: the documented success or problem body. */
  const reply = (r: { data?: unknown; error?: unknown; response: Response }) => ({ status: r.response.status, body: (r.data ?? r.error) as any });
  const voidBill = async (key: string, id: string, body: { reason?: string; reasonCode?: number }) =>
    reply(await apiClient(svc.url, key).POST("/api/v1/invoices/{id}/void", { params: { path: { id } }, body: body as { reason: string } }));
  const mark = async (key: string, body: ReturnType<typeof markBody>) => reply(await apiClient(svc.url, key).POST("/api/v1/reimbursements", { body }));
  const release = async (key: string, b: { billCode: string; billNumber: string }) =>
    reply(
      await apiClient(svc.url, key).DELETE("/api/v1/reimbursements/{billCode}/{billNumber}", {
        params: { path: { billCode: b.billCode, billNumber: b.billNumber } },
      }),
    );
  const markBody = (b: any, reference = "CLAIM-2026-0001") => ({
    billCode: b.billCode,
    billNumber: b.billNumber,
    checkCode: b.checkCode,
    total: b.total,
    reference,
  });

  it("voids an anchored bill: 200 with the voided bill and a red bill of negative amounts, then marks it on chain", async () => {
    const bill = await issue();
    await waitAnchored(svc.url, creds.hospital.apiKey, bill.id, 20_000);
    const r = await voidBill(creds.hospital.apiKey, bill.id, { reason: "收费项目录入错误", reasonCode: 3 });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.status).to.equal("voided");
    expect(r.body.void.reason).to.equal("收费项目录入错误");
    expect(r.body.redBill.billCode).to.equal(bill.billCode);
    expect(Number(r.body.redBill.billNumber)).to.be.greaterThan(Number(bill.billNumber));
    expect(r.body.redBill.total).to.equal("-157.00");
    const red = await waitAnchored(svc.url, creds.hospital.apiKey, r.body.redBill.id, 20_000);
    expect(red.bill.totalInWords).to.equal("负壹佰伍拾柒元整");
    expect(red.bill.redOf).to.deep.equal({ billCode: bill.billCode, billNumber: bill.billNumber, reason: "收费项目录入错误" });
    expect(red.bill.items.map((i: any) => i.amount)).to.deep.equal(["-37.00", "-120.00"]);
    await voidedOnChain(r.body.leaf);
    expect(Number((await marksOf(r.body.leaf)).voidReason)).to.equal(3);
  });

  it("voids a still-pending bill: it ends anchored on chain and voided on chain", async () => {
    const bill = await issue();
    const r = await voidBill(creds.hospital.apiKey, bill.id, { reason: "重复开票" });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.status).to.equal("voided");
    await voidedOnChain(r.body.leaf);
    const got = reply(await apiClient(svc.url, creds.hospital.apiKey).GET("/api/v1/invoices/{id}", { params: { path: { id: bill.id } } }));
    expect(got.body.status).to.equal("voided");
    expect(got.body.anchor?.root, "the voided bill still carries its anchor").to.match(/^0x[0-9a-f]{64}$/);
    expect(Number((await chain.registry.batchOf(creds.hospital.account, got.body.anchor.root)).blockNumber)).to.be.greaterThan(0);
  });

  it("refuses to void twice (409 ALREADY_VOIDED), another issuer's bill (404), without a reason (422), and a red bill (409)", async () => {
    const bill = await issue();
    const first = await voidBill(creds.hospital.apiKey, bill.id, { reason: "作废" });
    expect(first.status).to.equal(200);
    const again = await voidBill(creds.hospital.apiKey, bill.id, { reason: "作废" });
    expect([again.status, again.body.code]).to.deep.equal([409, "ALREADY_VOIDED"]);
    const other = await issue();
    const byCharity = await voidBill(creds.charity.apiKey, other.id, { reason: "x" });
    expect([byCharity.status, byCharity.body.code]).to.deep.equal([404, "NOT_FOUND"]);
    const noReason = await voidBill(creds.hospital.apiKey, other.id, {});
    expect([noReason.status, noReason.body.code]).to.deep.equal([422, "INVALID_BODY"]);
    expect(noReason.body.errors[0].path).to.equal("reason");
    const red = await voidBill(creds.hospital.apiKey, first.body.redBill.id, { reason: "x" });
    expect([red.status, red.body.code]).to.deep.equal([409, "BILL_NOT_VALID"]);
  });

  it("marks a bill reimbursed once: a second mark by anyone is 409 ALREADY_REIMBURSED naming who and when, and the chain agrees", async () => {
    const bill = await issue(creds.charity.apiKey, DONATION_EXAMPLE);
    const pending = await mark(creds.insurer.apiKey, markBody(bill));
    expect([pending.status, pending.body.code]).to.deep.equal([409, "BILL_NOT_VALID"]);
    const anchored = await waitAnchored(svc.url, creds.charity.apiKey, bill.id, 20_000);
    const first = await mark(creds.insurer.apiKey, markBody(bill));
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    expect(first.body.by).to.match(/医疗保障局/);
    const second = await mark(creds.insurer.apiKey, markBody(bill, "CLAIM-OTHER"));
    expect([second.status, second.body.code]).to.deep.equal([409, "ALREADY_REIMBURSED"]);
    expect(second.body.reimbursedBy).to.match(/医疗保障局/);
    expect(second.body.reimbursedAt).to.equal(first.body.at);
    await waitFor("reimbursement on chain", async () => (await marksOf(anchored.leaf, creds.charity.account)).reimbursedBy === creds.insurer.account, 30_000);
  });

  it("answers a wrong check code or total exactly like an unknown bill (404 BILL_NOT_FOUND)", async () => {
    const bill = await issue(creds.charity.apiKey, DONATION_EXAMPLE);
    const answers = [];
    for (const body of [
      { ...markBody(bill), checkCode: "222222" },
      { ...markBody(bill), total: "499.99" },
      { ...markBody(bill), billNumber: "9999999999" },
    ]) {
      const r = await mark(creds.insurer.apiKey, body);
      answers.push([r.status, r.body.code, r.body.detail]);
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).to.equal(1);
    expect(answers[0].slice(0, 2)).to.deep.equal([404, "BILL_NOT_FOUND"]);
  });

  it("refuses to void a reimbursed bill until the marking party releases it; another party may not release it", async () => {
    const otherParty = addRelyingPartyToSqlite(svc.dataDir, "示范商业保险公司 Demo Commercial Insurer");
    const bill = await issue();
    const anchored = await waitAnchored(svc.url, creds.hospital.apiKey, bill.id, 20_000);
    expect((await mark(creds.insurer.apiKey, markBody(bill))).status).to.equal(201);
    const voidIt = await voidBill(creds.hospital.apiKey, bill.id, { reason: "退费" });
    expect([voidIt.status, voidIt.body.code]).to.deep.equal([409, "BILL_REIMBURSED"]);
    const byOther = await release(otherParty, bill);
    expect([byOther.status, byOther.body.code]).to.deep.equal([403, "NOT_REIMBURSING_PARTY"]);
    const released = await release(creds.insurer.apiKey, bill);
    expect(released.status, JSON.stringify(released.body)).to.equal(200);
    const twice = await release(creds.insurer.apiKey, bill);
    expect([twice.status, twice.body.code]).to.deep.equal([409, "NOT_REIMBURSED"]);
    // until the release is on chain the void is refused (409), never sent to be reverted
    const voided = await waitFor(
      "the void accepted after the release",
      async () => {
        const v = await voidBill(creds.hospital.apiKey, bill.id, { reason: "退费" });
        if (v.status === 409) expect(v.body.code).to.equal("BILL_NOT_VALID");
        else return v;
      },
      30_000,
      200,
    );
    expect(voided.status, JSON.stringify(voided.body)).to.equal(200);
    expect((await marksOf(anchored.leaf)).reimbursedBy).to.equal("0x0000000000000000000000000000000000000000");
    await voidedOnChain(anchored.leaf);
  });

  it("writes every void, reimbursement and release to the audit log with actor and address", async () => {
    const r = reply(await apiClient(svc.url, creds.bureau.apiKey).GET("/api/v1/audit", { params: { query: { limit: 200 } } }));
    expect(r.status).to.equal(200);
    const actions = new Set(r.body.items.map((e: any) => e.action));
    for (const a of ["bill.void", "bill.reimburse", "bill.release"]) expect(actions, a).to.include(a);
    const v = r.body.items.find((e: any) => e.action === "bill.void");
    expect(v.actor.id).to.equal(creds.hospital.institutionId);
    expect(v.ip).to.be.a("string");
    expect(v.detail.redBillId).to.be.a("string");
  });
});
