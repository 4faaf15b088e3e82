// The bureau page in headless Chromium: sign in with the bureau key, see the issuers and the chart,
// and no console error (a CSP violation would be one).
import { expect } from "chai";
import { chromium, type Browser } from "playwright-core";
import { call, MEDICAL_EXAMPLE } from "../helpers/api";
import { startService, type DemoCreds, type ServiceProcess } from "../helpers/processes";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

describe("the bureau page in headless Chromium", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let browser: Browser;

  before(async () => {
    svc = await startService({});
    creds = svc.credentials();
    await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await svc?.stop();
  });

  it("shows a sign-in form, refuses an issuer's key, and after the bureau's key shows the issuers and the daily chart", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${svc.url}/bureau`);
    await page.fill("#key", creds.hospital.apiKey);
    await Promise.all([page.waitForLoadState(), page.click("button[type=submit]")]);
    expect(await page.textContent("[role=alert]")).to.contain("The key is not a valid bureau key");
    errors.length = 0; // the 401 answer itself is logged by Chromium as a failed resource
    await page.fill("#key", creds.bureau.apiKey);
    await Promise.all([page.waitForURL(`${svc.url}/bureau`), page.click("button[type=submit]")]);
    await page.waitForSelector("#issuers tbody tr");
    const names = await page.$$eval("#issuers tbody tr td:first-child", (tds) => tds.map((t) => t.textContent));
    expect(names.join("|")).to.contain("示范市第一人民医院").and.contain("示范市慈善基金会");
    const hospitalRow = await page.$$eval(`#issuers tr[data-issuer="${creds.hospital.institutionId}"] td.num`, (tds) => tds.map((t) => t.textContent));
    expect(hospitalRow[0]).to.equal("1");
    expect(hospitalRow[1]).to.equal("157.00");
    const bars = await page.$$eval("#daily-chart rect.bar", (rs) => rs.map((r) => Number(r.getAttribute("data-count"))));
    expect(bars).to.have.length(30);
    expect(bars[29]).to.equal(1);
    const box = await page.$eval("#daily-chart", (el) => el.getBoundingClientRect().width);
    expect(box).to.be.greaterThan(200);
    expect(errors).to.deep.equal([]);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === "lp_bureau");
    expect(session).to.include({ httpOnly: true, sameSite: "Strict", path: "/bureau" });
    expect(session!.value).to.not.contain(creds.bureau.apiKey.slice(8));
  });

  it("serves the page with a strict CSP and no external assets, and signs out", async () => {
    const r = await fetch(`${svc.url}/bureau`);
    const csp = r.headers.get("content-security-policy") ?? "";
    expect(csp)
      .to.match(/default-src 'none'/)
      .and.match(/style-src 'nonce-[A-Za-z0-9+/=]+'/)
      .and.match(/img-src data:/);
    const html = await r.text();
    expect(html).to.not.match(/(src|href)="https?:/);
    const page = await browser.newPage();
    await page.goto(`${svc.url}/bureau`);
    await page.fill("#key", creds.bureau.apiKey);
    await Promise.all([page.waitForURL(`${svc.url}/bureau`), page.click("button[type=submit]")]);
    await page.waitForSelector("#issuers");
    await Promise.all([page.waitForLoadState(), page.click("header form button")]);
    expect(await page.$("#key")).to.not.equal(null);
  });
});
