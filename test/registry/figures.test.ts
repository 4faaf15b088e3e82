// One definition of every figure: the stats API, the bureau's console, `lianpiao issuer list` and the
// CSV export agree on the same data — originals and red bills apart, voided and reimbursed amounts
// apart — and on the values this test made (so that they cannot agree by all being wrong).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import { call, DONATION_EXAMPLE, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { startService, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { getPage, signIn } from "../security/bureau-session";
import { parseCsv } from "../../server/registry/bills-export";
import { fenOfFormatted, formatFen } from "../../server/issuance/money";

const ROOT = path.resolve(__dirname, "..", "..");
const NAMES = ["issued", "amount", "voided", "voidedAmount", "reimbursed", "reimbursedAmount", "pending", "red", "redAmount"] as const;
type Figs = Record<(typeof NAMES)[number], string>;

describe("one definition of every figure, in four places", function () {
  this.timeout(240_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;

  before(async () => {
    svc = await startService({});
    creds = svc.credentials();
    const issued: any[] = [];
    for (const total of ["157.00", "157.00", "157.00"]) {
      const r = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: { ...MEDICAL_EXAMPLE, total } });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      issued.push(r.body);
    }
    const gift = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.charity.apiKey, body: DONATION_EXAMPLE });
    expect(gift.status).to.equal(201);
    for (const b of issued) await waitAnchored(svc.url, creds.hospital.apiKey, b.id);
    await waitAnchored(svc.url, creds.charity.apiKey, gift.body.id);
    // one voided (its red bill issued), one reimbursed, one neither
    const v = await call(svc.url, "POST", `/api/v1/invoices/${issued[0].id}/void`, { key: creds.hospital.apiKey, body: { reason: "重复开票" } });
    expect(v.status, JSON.stringify(v.body)).to.equal(200);
    await waitAnchored(svc.url, creds.hospital.apiKey, v.body.redBill.id);
    const m = await call(svc.url, "POST", "/api/v1/reimbursements", {
      key: creds.insurer.apiKey,
      body: { billCode: issued[1].billCode, billNumber: issued[1].billNumber, checkCode: issued[1].checkCode, total: issued[1].total, reference: "FIG-1" },
    });
    expect(m.status, JSON.stringify(m.body)).to.be.oneOf([200, 201]);
  });
  after(async () => svc?.stop());

  async function fromStats(): Promise<Figs> {
    const r = await call(svc.url, "GET", "/api/v1/registry/stats?groupBy=month", { key: creds.bureau.apiKey });
    expect(r.status).to.equal(200);
    return Object.fromEntries(NAMES.map((n) => [n, String(r.body.totals[n])])) as Figs;
  }

  async function fromConsole(): Promise<Figs> {
    const page = await getPage(svc.url, await signIn(svc.url, creds.bureau.apiKey));
    const figs: Record<string, string> = {};
    for (const n of NAMES) figs[n] = new RegExp(`<div data-figure="${n}"><span class="n">([^<]*)</span>`).exec(page.html)?.[1] ?? "missing";
    return figs as Figs;
  }

  function fromCli(): Figs {
    const r = spawnSync(
      process.execPath,
      ["-r", "./scripts/register.js", "scripts/lianpiao.js", "issuer", "list", "--url", svc.url, "--key", creds.bureau.apiKey],
      { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
    );
    expect(r.status, r.stderr).to.equal(0);
    const sum: Record<string, bigint> = Object.fromEntries(NAMES.map((n) => [n, 0n]));
    for (const line of r.stdout.trim().split("\n")) {
      const m = /issued (\d+) \(([-\d.]+)\)  voided (\d+) \(([-\d.]+)\)  reimbursed (\d+) \(([-\d.]+)\)  pending (\d+)  red (\d+) \(([-\d.]+)\)/.exec(line);
      expect(m, line).to.not.equal(null);
      const [, issued, amount, voided, voidedAmount, reimbursed, reimbursedAmount, pending, red, redAmount] = m!;
      for (const [n, v] of Object.entries({ issued, voided, reimbursed, pending, red })) sum[n] += BigInt(v);
      for (const [n, v] of Object.entries({ amount, voidedAmount, reimbursedAmount, redAmount })) sum[n] += fenOfFormatted(v);
    }
    return Object.fromEntries(NAMES.map((n) => [n, n.endsWith("mount") ? formatFen(sum[n]) : String(sum[n])])) as Figs;
  }

  /** Read from the CSV rows by this test's own reading of the columns, not by the service's module. */
  async function fromCsv(): Promise<Figs> {
    const r = await fetch(`${svc.url}/api/v1/registry/bills?format=csv`, { headers: { authorization: `Bearer ${creds.bureau.apiKey}` } });
    const [header, ...rows] = parseCsv(await r.text()).filter((x) => x.length > 1);
    const col = (name: string) => header.findIndex((h) => h.endsWith(` ${name}`));
    const [redOf, status, total, by] = [col("redOf"), col("status"), col("total"), col("reimbursedBy")];
    const originals = rows.filter((x) => x[redOf] === "");
    const reds = rows.filter((x) => x[redOf] !== "");
    const sumOf = (xs: string[][]) => formatFen(xs.reduce((s, x) => s + fenOfFormatted(x[total]), 0n));
    const voided = originals.filter((x) => x[status] === "voided");
    const reimbursed = originals.filter((x) => x[by] !== "");
    return {
      issued: String(originals.length),
      amount: sumOf(originals),
      voided: String(voided.length),
      voidedAmount: sumOf(voided),
      reimbursed: String(reimbursed.length),
      reimbursedAmount: sumOf(reimbursed),
      pending: String(originals.filter((x) => x[status] === "pending").length),
      red: String(reds.length),
      redAmount: sumOf(reds),
    };
  }

  it("answers the same figures from the stats API, the console, the CLI and the CSV export — and the right ones", async () => {
    const stats = await fromStats();
    const donation = (DONATION_EXAMPLE as { total: string }).total;
    expect(stats).to.deep.equal({
      issued: "4",
      amount: formatFen(3n * 15700n + fenOfFormatted(donation)),
      voided: "1",
      voidedAmount: "157.00",
      reimbursed: "1",
      reimbursedAmount: "157.00",
      pending: "0",
      red: "1",
      redAmount: "-157.00",
    });
    expect(await fromConsole(), "console").to.deep.equal(stats);
    expect(fromCli(), "lianpiao issuer list").to.deep.equal(stats);
    expect(await fromCsv(), "CSV export").to.deep.equal(stats);
  });
});
