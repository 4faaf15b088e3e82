// The hardening list (issue "A production build, one-way layers, and the hardening list"), over HTTP
// against one real service process: each `describe` is one item; each test failed before its fix.
import { expect } from "chai";
import { rmSync } from "node:fs";
import { Contract, JsonRpcProvider } from "ethers";
import { call, DONATION_EXAMPLE, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { loadRegistryAbi } from "../../server/chain";
import { makeCreditCode } from "../../server/issuance/check-digits";
import { openCommitment } from "../../server/issuance/commitments";
import { startService, type DemoCreds, type ServiceProcess } from "../helpers/processes";

const MARK_FAILURES = 5;

describe("hardening (one service process)", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let bill: { id: string; billCode: string; billNumber: string; checkCode: string; total: string };

  before(async () => {
    svc = await startService({ REIMBURSEMENT_FAILURES_PER_MIN: String(MARK_FAILURES) });
    creds = svc.credentials();
    const issued = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
    expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    bill = issued.body;
    await waitAnchored(svc.url, creds.hospital.apiKey, bill.id, 30_000);
  });
  after(async () => {
    await svc?.stop();
    if (svc) rmSync(svc.dataDir, { recursive: true, force: true });
  });

  const auditCount = async () => (await call(svc.url, "GET", "/api/v1/audit?limit=500", { key: creds.bureau.apiKey })).body.items.length as number;
  const mark = () => ({ billCode: bill.billCode, billNumber: bill.billNumber, checkCode: bill.checkCode, total: "157.00", reference: "CLAIM-H2" });

  describe("2. amounts on POST /api/v1/reimbursements", () => {
    it("refuses a total with a leading zero or another non-amount with 422 AMOUNT_FORMAT on `total`, and changes nothing", async () => {
      const before = await auditCount();
      for (const total of ["0157.00", "157.001", "1e3", "-157.00", " 157.00", 157]) {
        const r = await call(svc.url, "POST", "/api/v1/reimbursements", { key: creds.insurer.apiKey, body: { ...mark(), total } });
        expect(r.status, `${JSON.stringify(total)}: ${JSON.stringify(r.body)}`).to.equal(422);
        expect(r.headers.get("content-type")).to.match(/application\/problem\+json/);
        expect(r.body.code).to.equal("INVALID_BODY");
        expect(r.body.errors).to.deep.include({
          path: "total",
          code: "AMOUNT_FORMAT",
          message: r.body.errors.find((e: { path: string }) => e.path === "total").message,
        });
      }
      const tooLarge = await call(svc.url, "POST", "/api/v1/reimbursements", { key: creds.insurer.apiKey, body: { ...mark(), total: "10000000000000.00" } });
      expect(tooLarge.status).to.equal(422);
      expect(tooLarge.body.errors[0]).to.include({ path: "total", code: "AMOUNT_TOO_LARGE" });
      const detail = await call(svc.url, "GET", `/api/v1/invoices/${bill.id}`, { key: creds.hospital.apiKey });
      expect(detail.body.reimbursement).to.equal(null);
      expect(await auditCount()).to.equal(before);
    });
  });

  describe("3. admitting a relying party", () => {
    it("refuses an account already in use with 409 before touching the chain: no role granted, nothing stored, no audit entry", async () => {
      const provider = new JsonRpcProvider(creds.rpcUrl, undefined, { staticNetwork: true });
      const registry = new Contract(creds.registryAddress, loadRegistryAbi(), provider);
      const role = await registry.RELYING_PARTY_ROLE();
      try {
        const before = await auditCount();
        const parties = (await call(svc.url, "GET", "/api/v1/relying-parties", { key: creds.bureau.apiKey })).body.items.length;
        for (const account of [creds.hospital.account, creds.hospital.account.toLowerCase(), creds.bureau.account]) {
          const r = await call(svc.url, "POST", "/api/v1/relying-parties", {
            key: creds.bureau.apiKey,
            body: { name: "某保险公司", creditCode: makeCreditCode("91110000MA0000456"), account },
          });
          expect(r.status, JSON.stringify(r.body)).to.equal(409);
          expect(r.body.code).to.equal("ISSUER_EXISTS");
          expect(r.body.errors[0]).to.include({ path: "account", code: "ACCOUNT_IN_USE" });
          expect(await registry.hasRole(role, account)).to.equal(false);
        }
        expect(await auditCount()).to.equal(before);
        expect((await call(svc.url, "GET", "/api/v1/relying-parties", { key: creds.bureau.apiKey })).body.items.length).to.equal(parties);
        // the same party with an account of its own is admitted, with its audit entry
        const ok = await call(svc.url, "POST", "/api/v1/relying-parties", {
          key: creds.bureau.apiKey,
          body: { name: "某保险公司", creditCode: makeCreditCode("91110000MA0000456") },
        });
        expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
        expect(await registry.hasRole(role, ok.body.account)).to.equal(true);
        const entries = (await call(svc.url, "GET", `/api/v1/audit?subject=${ok.body.id}`, { key: creds.bureau.apiKey })).body.items;
        expect(entries.map((e: { action: string }) => e.action)).to.deep.equal(["relying_party.admit"]);
      } finally {
        provider.destroy();
      }
    });

    it("answers two concurrent admissions of one credit code with one 201 and one 409, the loser's chain grant in the audit log", async () => {
      const body = { name: "某人寿保险公司", creditCode: makeCreditCode("91110000MA0000789") };
      const both = await Promise.all([0, 1].map(() => call(svc.url, "POST", "/api/v1/relying-parties", { key: creds.bureau.apiKey, body })));
      expect(both.map((r) => r.status).sort(), JSON.stringify(both.map((r) => r.body))).to.deep.equal([201, 409]);
      const lost = both.find((r) => r.status === 409)!;
      expect(lost.body.code).to.equal("ISSUER_EXISTS");
      const refused = (await call(svc.url, "GET", "/api/v1/audit?action=relying_party.admit_refused", { key: creds.bureau.apiKey })).body.items;
      expect(refused).to.have.length(1);
      expect(refused[0].detail).to.include({ creditCode: body.creditCode });
      expect(refused[0].detail.txHash).to.match(/^0x[0-9a-f]{64}$/);
    });
  });

  describe("4. one text rule for every free-text field", () => {
    // controls, bidi overrides, isolates and marks, zero-width characters, the BOM, a Hangul filler
    const INVISIBLE = ["\u0000", "\n", "\u202E", "\u2066", "\u200F", "\u061C", "\u200B", "\u200D", "\u2060", "\uFEFF", "\u00AD", "\u3164"];
    const refused = (r: { status: number; body: any }, path: string, what: string) => {
      expect(r.status, `${what}: ${JSON.stringify(r.body)}`).to.equal(422);
      expect(r.body.errors, what).to.deep.include({
        path,
        code: "CONTROL_CHARACTER",
        message: r.body.errors.find((e: { path: string }) => e.path === path)?.message,
      });
    };

    it("refuses invisible and bidirectional characters in void reasons, references, names, reasons and labels, and changes nothing", async () => {
      const before = await auditCount();
      for (const c of INVISIBLE) {
        const what = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
        refused(
          await call(svc.url, "POST", `/api/v1/invoices/${bill.id}/void`, { key: creds.hospital.apiKey, body: { reason: `开错${c}了` } }),
          "reason",
          `void reason ${what}`,
        );
        refused(
          await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: { ...MEDICAL_EXAMPLE, payer: { name: `张${c}三` } } }),
          "payer.name",
          `payer name ${what}`,
        );
        refused(
          await call(svc.url, "POST", "/api/v1/reimbursements", { key: creds.insurer.apiKey, body: { ...mark(), reference: `CLAIM${c}1` } }),
          "reference",
          `reference ${what}`,
        );
        refused(
          await call(svc.url, "POST", "/api/v1/relying-parties", {
            key: creds.bureau.apiKey,
            body: { name: `某保险${c}公司`, creditCode: makeCreditCode("91110000MA0000999") },
          }),
          "name",
          `party name ${what}`,
        );
        refused(
          await call(svc.url, "POST", `/api/v1/issuers/${creds.hospital.institutionId}/suspend`, { key: creds.bureau.apiKey, body: { reason: `核查${c}` } }),
          "reason",
          `suspension reason ${what}`,
        );
        refused(
          await call(svc.url, "POST", `/api/v1/issuers/${creds.hospital.institutionId}/keys`, { key: creds.bureau.apiKey, body: { label: `HIS${c}` } }),
          "label",
          `key label ${what}`,
        );
      }
      const detail = await call(svc.url, "GET", `/api/v1/invoices/${bill.id}`, { key: creds.hospital.apiKey });
      expect(detail.body).to.include({ status: "anchored" });
      expect(detail.body.void).to.equal(null);
      expect(detail.body.reimbursement).to.equal(null);
      const hospital = await call(svc.url, "GET", `/api/v1/issuers/${creds.hospital.institutionId}`, { key: creds.bureau.apiKey });
      expect(hospital.body.status).to.equal("active");
      expect(await auditCount()).to.equal(before);
    });
  });

  describe("11. the Authorization header", () => {
    const get = (authorization: string) => call(svc.url, "GET", `/api/v1/invoices/${bill.id}`, { headers: { authorization } });

    it("takes the Bearer scheme in any case (RFC 6750 / RFC 9110)", async () => {
      for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
        const r = await get(`${scheme} ${creds.hospital.apiKey}`);
        expect(r.status, `${scheme}: ${JSON.stringify(r.body)}`).to.equal(200);
        expect(r.body.id).to.equal(bill.id);
      }
    });

    it("says what is wrong with a header that is not 'Bearer <key>': 400 MALFORMED_AUTHORIZATION, not 'unknown or revoked key'", async () => {
      const cases: Array<[string, RegExp]> = [
        [creds.hospital.apiKey, /no scheme/],
        [`Basic ${Buffer.from(`x:${creds.hospital.apiKey}`).toString("base64")}`, /Basic scheme/],
        [`Token ${creds.hospital.apiKey}`, /Token scheme/],
        ["Bearer", /no key/],
        [`Bearer ${creds.hospital.apiKey} extra`, /malformed/],
        [`Bearer "${creds.hospital.apiKey}"`, /malformed/],
        ["Bearer abc", /not an API key/],
      ];
      for (const [header, why] of cases) {
        const r = await get(header);
        expect(r.status, `${header}: ${JSON.stringify(r.body)}`).to.equal(400);
        expect(r.headers.get("content-type")).to.match(/application\/problem\+json/);
        expect(r.body.code, header).to.equal("MALFORMED_AUTHORIZATION");
        expect(r.body.detail, header)
          .to.match(why)
          .and.not.match(/unknown or revoked/);
        expect(r.headers.get("www-authenticate")).to.match(/^Bearer realm="lianpiao", error="invalid_request"$/);
      }
      const unknown = await get("Bearer lp_iss_notAKeyThatExists00000000000");
      expect(unknown.status).to.equal(401);
      expect(unknown.body).to.include({ code: "UNAUTHENTICATED", detail: "The API key is unknown or revoked" });
      expect(unknown.headers.get("www-authenticate")).to.match(/error="invalid_token"/);
      const none = await call(svc.url, "GET", `/api/v1/invoices/${bill.id}`);
      expect(none.status).to.equal(401);
      expect(none.headers.get("www-authenticate")).to.equal('Bearer realm="lianpiao"');
    });
  });

  describe("7. one masking rule", () => {
    const ID = MEDICAL_EXAMPLE.payer.idNumber;
    const MASKED = "110105********002X";

    it("shows the bureau the payer masked as the printed bill does (110105********002X, 张*), the issuer in full", async () => {
      const bureau = await call(svc.url, "GET", `/api/v1/invoices/${bill.id}`, { key: creds.bureau.apiKey });
      expect(bureau.status).to.equal(200);
      expect(bureau.body.bill.payer).to.deep.equal({ name: "张*", idNumber: MASKED });
      expect(JSON.stringify(bureau.body)).to.not.contain(ID).and.not.contain("张三");
      const issuer = await call(svc.url, "GET", `/api/v1/invoices/${bill.id}`, { key: creds.hospital.apiKey });
      expect(issuer.body.bill.payer).to.deep.equal({ name: "张三", idNumber: ID });
      // the same rule in the registry search and on the printed bill
      const search = await call(svc.url, "GET", `/api/v1/registry/bills?billCode=${bill.billCode}&billNumber=${bill.billNumber}`, { key: creds.bureau.apiKey });
      expect(search.body.items[0].holder).to.equal("张*");
      const donor = { ...DONATION_EXAMPLE, donor: { ...DONATION_EXAMPLE.donor, idNumber: ID } };
      const gift = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.charity.apiKey, body: donor });
      expect(gift.status, JSON.stringify(gift.body)).to.equal(201);
      const seen = await call(svc.url, "GET", `/api/v1/invoices/${gift.body.id}`, { key: creds.bureau.apiKey });
      expect(seen.body.bill.donor).to.deep.equal({ name: "陈**", type: "individual", idNumber: MASKED });
    });

    it("gives the bureau a machine-readable copy with the payer withheld, which still opens to the signed bill hash", async () => {
      const env = await call(svc.url, "GET", `/api/v1/invoices/${bill.id}/envelope`, { key: creds.bureau.apiKey });
      expect(env.status).to.equal(200);
      expect(JSON.stringify(env.body)).to.not.contain(ID).and.not.contain("张三");
      expect(env.body.bill.payer).to.equal(undefined);
      expect(Object.keys(env.body.withheld).sort()).to.deep.equal(["/payer/idNumber", "/payer/name"]);
      const opened = openCommitment(env.body.bill, env.body.salts, env.body.withheld);
      expect(opened.ok && opened.billHash).to.equal(env.body.billHash);
      const full = await call(svc.url, "GET", `/api/v1/invoices/${bill.id}/envelope`, { key: creds.hospital.apiKey });
      expect(full.body.bill.payer).to.deep.equal({ name: "张三", idNumber: ID });
      expect(full.body.billHash).to.equal(env.body.billHash);
    });
  });

  describe("6. reimbursement attempts that match no bill", () => {
    const attempt = (key: string, checkCode: string) => call(svc.url, "POST", "/api/v1/reimbursements", { key, body: { ...mark(), checkCode } });
    const wrong = (i: number) => `ZZZZ${String(i).padStart(2, "0")}`.replace(/[01]/g, "Z");

    it(`refuses a party's attempts after ${MARK_FAILURES} misses in a minute with 429 and Retry-After, even with the right check code`, async () => {
      for (let i = 0; i < MARK_FAILURES; i++) expect((await attempt(creds.insurer.apiKey, wrong(i))).status).to.equal(404);
      for (const checkCode of [wrong(9), bill.checkCode]) {
        const r = await attempt(creds.insurer.apiKey, checkCode);
        expect(r.status, JSON.stringify(r.body)).to.equal(429);
        expect(r.headers.get("content-type")).to.match(/application\/problem\+json/);
        const retry = Number(r.headers.get("retry-after"));
        expect(retry).to.be.within(1, 60);
        expect(r.body).to.include({ code: "RATE_LIMITED", retryAfter: retry });
        expect(r.body.detail).to.match(new RegExp(`retry in ${retry} s`));
      }
      const detail = await call(svc.url, "GET", `/api/v1/invoices/${bill.id}`, { key: creds.hospital.apiKey });
      expect(detail.body.reimbursement).to.equal(null);
    });

    it("counts per party, and attempts that match a bill (marked, or already marked) do not count", async () => {
      const admitted = await call(svc.url, "POST", "/api/v1/relying-parties", {
        key: creds.bureau.apiKey,
        body: { name: "某财产保险公司", creditCode: makeCreditCode("91110000MA0000321") },
      });
      expect(admitted.status, JSON.stringify(admitted.body)).to.equal(201);
      const other = admitted.body.apiKey as string;
      const first = await attempt(other, bill.checkCode);
      expect(first.status, JSON.stringify(first.body)).to.equal(201);
      for (let i = 0; i < MARK_FAILURES * 2; i++) expect((await attempt(other, bill.checkCode)).body.code).to.equal("ALREADY_REIMBURSED");
      const parallel = await Promise.all(Array.from({ length: MARK_FAILURES * 3 }, (_, i) => attempt(other, wrong(i))));
      const statuses = parallel.map((r) => r.status);
      expect(statuses.filter((s) => s === 404)).to.have.length(MARK_FAILURES);
      expect(statuses.filter((s) => s === 429)).to.have.length(MARK_FAILURES * 2);
      expect((await attempt(creds.insurer.apiKey, bill.checkCode)).status).to.equal(429);
    });
  });

  describe("12. admitting an issuer (the same hole as 3)", () => {
    it("answers two concurrent admissions of one credit code with one 201 and one 409: no issuer without its range or key, the loser's chain work audited", async () => {
      const creditCode = makeCreditCode("12110000400000999");
      const body = (start: number) => ({ name: "示范市第二人民医院", creditCode, kind: "medical", billCode: "11060999", range: { start, end: start + 99 } });
      const both = await Promise.all([1, 101].map((start) => call(svc.url, "POST", "/api/v1/issuers", { key: creds.bureau.apiKey, body: body(start) })));
      expect(both.map((r) => r.status).sort(), JSON.stringify(both.map((r) => r.body))).to.deep.equal([201, 409]);
      const won = both.find((r) => r.status === 201)!;
      expect(both.find((r) => r.status === 409)!.body.code).to.equal("ISSUER_EXISTS");
      const listed = (await call(svc.url, "GET", "/api/v1/issuers", { key: creds.bureau.apiKey })).body.items.filter(
        (i: { creditCode: string }) => i.creditCode === creditCode,
      );
      expect(listed).to.have.length(1);
      expect(listed[0].ranges).to.have.length(1);
      const detail = await call(svc.url, "GET", `/api/v1/issuers/${won.body.id}`, { key: creds.bureau.apiKey });
      expect(detail.body.keys).to.have.length(1);
      const refused = (await call(svc.url, "GET", "/api/v1/audit?action=issuer.admit_refused", { key: creds.bureau.apiKey })).body.items;
      expect(refused).to.have.length(1);
      expect(refused[0].detail).to.include({ creditCode });
      expect(refused[0].detail.rangeTx).to.match(/^0x[0-9a-f]{64}$/);
    });
  });
});
