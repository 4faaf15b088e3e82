// Behind a reverse proxy under a path (PUBLIC_BASE_URL=http://127.0.0.1:<port>/lianpiao): a browser
// clicks through the holder's pages, the bureau's console and the API docs through a proxy that strips
// /lianpiao and answers 404 for anything outside it. Every link and form on every page must carry the
// prefix, and no request may miss it.
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { startService, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { startPathProxy, type PathProxy } from "../helpers/path-proxy";
import { fitsAndShoot, launch, tab, verdictOf } from "./browser";

const PREFIX = "/lianpiao";

/** Every href, src and form action on the page: each must be under the prefix (or a fragment). */
async function targetsOf(page: Page): Promise<string[]> {
  return page.$$eval("a[href], form[action], script[src], link[href]", (els) =>
    els.map((e) => e.getAttribute("href") ?? e.getAttribute("action") ?? e.getAttribute("src") ?? ""),
  );
}

function expectUnderPrefix(targets: string[], where: string, origin: string): void {
  for (const t of targets) {
    if (t.startsWith("#")) continue;
    const path = t.startsWith("http") ? (t.startsWith(origin) ? t.slice(origin.length) : `(elsewhere) ${t}`) : t;
    expect(path.startsWith(`${PREFIX}/`) || path === PREFIX, `${where}: ${t}`).to.equal(true);
  }
}

describe("every page behind a reverse proxy under /lianpiao", function () {
  this.timeout(300_000);
  let proxy: PathProxy;
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let browser: Browser;
  let base: string;

  before(async () => {
    proxy = await startPathProxy(PREFIX);
    base = `${proxy.url}${PREFIX}`;
    svc = await startService({ PUBLIC_BASE_URL: base, VERIFY_RATE_PER_MIN: "100000" });
    proxy.setTarget(Number(new URL(svc.url).port));
    creds = svc.credentials();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await svc?.stop();
    await proxy?.close();
  });
  afterEach(() => {
    const missed = proxy.log.filter((l) => l.status === 404 && !l.path.startsWith(`${PREFIX}/v/`) && !l.path.startsWith(`${PREFIX}/check`));
    expect(missed, "requests that missed the prefix").to.deep.equal([]);
  });

  it("the holder's pages: check page, 查验 fields, verdict, red-bill link, back to the check page", async () => {
    const issued = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: { ...MEDICAL_EXAMPLE, remarks: "under a path" } });
    const bill = issued.body;
    expect(bill.verifyUrl.startsWith(`${base}/v/`)).to.equal(true);
    await waitAnchored(svc.url, creds.hospital.apiKey, bill.id);
    const t = await tab(browser, "phone");
    const p = t.page;
    await p.goto(`${base}/`);
    expectUnderPrefix(await targetsOf(p), "check page", proxy.url);
    await p.fill("#f-billCode", bill.billCode);
    await p.fill("#f-billNumber", bill.billNumber);
    await p.fill("#f-checkCode", bill.checkCode);
    await p.fill("#f-issueDate", bill.issuedAt.slice(0, 10));
    await p.fill("#f-total", bill.total);
    await Promise.all([p.waitForURL(`${base}/check?**`), p.click("#manual button[type=submit]")]);
    expect(await verdictOf(p).getAttribute("data-verdict")).to.equal("VALID");
    expectUnderPrefix(await targetsOf(p), "verdict page", proxy.url);
    await Promise.all([p.waitForURL(`${base}/`), p.click("p.again a")]);
    // the QR link, voided: its red bill link, and back
    const v = await call(svc.url, "POST", `/api/v1/invoices/${bill.id}/void`, { key: creds.hospital.apiKey, body: { reason: "路径测试" } });
    expect(v.status).to.equal(200);
    await p.goto(bill.verifyUrl);
    expect(await verdictOf(p).getAttribute("data-verdict")).to.equal("VOIDED");
    expectUnderPrefix(await targetsOf(p), "voided page", proxy.url);
    await Promise.all([p.waitForURL(`${base}/v/**`), p.click("a.onbanner")]);
    expect(await verdictOf(p).getAttribute("data-state")).to.equal("red-bill");
    await Promise.all([p.waitForURL(`${base}/`), p.click("a.home")]);
    await fitsAndShoot(t, "under-a-path-check-phone");
    expect(t.errors).to.deep.equal([]);
    await p.close();
  });

  it("the bureau's console: sign in, every tab, an action, sign out — the cookie scoped to the prefix", async () => {
    const t = await tab(browser, "laptop");
    const p = t.page;
    await p.goto(`${base}/bureau`);
    expectUnderPrefix(await targetsOf(p), "sign-in", proxy.url);
    await p.fill("#key", creds.bureau.apiKey);
    await Promise.all([p.waitForURL(`${base}/bureau`), p.click("main button[type=submit]")]);
    const cookie = (await p.context().cookies()).find((c) => c.name === "lp_bureau");
    expect(cookie?.path).to.equal(`${PREFIX}/bureau`);
    for (const tabName of ["Issuers", "Relying parties", "Bills", "Reconciliation", "Audit log", "Overview"]) {
      await Promise.all([p.waitForLoadState(), p.click(`nav.tabs a:has-text("${tabName}")`)]);
      expect(p.url().startsWith(`${base}/bureau`), tabName).to.equal(true);
      expectUnderPrefix(await targetsOf(p), tabName, proxy.url);
    }
    await p.click(`#issuers a[href="${PREFIX}/bureau/issuers/${creds.hospital.institutionId}"]`);
    await p.waitForSelector("#keys");
    expectUnderPrefix(await targetsOf(p), "issuer", proxy.url);
    await p.fill("#label", "behind the proxy");
    await Promise.all([p.waitForLoadState(), p.click("button:has-text('Issue a key')")]);
    expect((await p.textContent("#new-key"))!.trim()).to.match(/^[A-Za-z0-9_-]{8,200}$/);
    await Promise.all([p.waitForLoadState(), p.click("main a:has-text('Back to the issuer')")]);
    await Promise.all([p.waitForURL(`${base}/bureau`), p.click("header form button")]);
    expect(await p.$("#key")).to.not.equal(null);
    await fitsAndShoot(t, "under-a-path-bureau-laptop");
    expect(t.errors).to.deep.equal([]);
    await p.close();
  });

  it("the API docs load their script and /openapi.json under the prefix, and Try it reaches the API", async () => {
    const t = await tab(browser, "laptop");
    const p = t.page;
    await p.goto(`${base}/docs`);
    expectUnderPrefix(await targetsOf(p), "docs", proxy.url);
    const form = p.locator('form.try[data-path="/healthz"]');
    await form.locator("button").click();
    await p.waitForFunction(() => /^200 /.test((globalThis as any).document.querySelector('form.try[data-path="/healthz"] .out')?.textContent ?? ""));
    const [doc] = await Promise.all([p.waitForResponse(`${base}/openapi.json`), p.click(`a[href="${PREFIX}/openapi.json"]`)]);
    expect(doc.status()).to.equal(200);
    expect(((await doc.json()) as { servers: Array<{ url: string }> }).servers[0].url).to.equal(base);
    expect(t.errors).to.deep.equal([]);
    await p.close();
  });
});
