// The bureau's console in headless Chromium at 390×844 and 1280×800, clicked through: sign in, admit
// an issuer (its key shown once), suspend and reinstate it, allot and extend a number range, issue and
// revoke a key, admit a relying party, search bills and download the CSV, run a reconciliation, and
// find every action in the audit log. No horizontal overflow; screenshots saved and printed.
import { readFileSync } from "node:fs";
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { call, MEDICAL_EXAMPLE } from "../helpers/api";
import { startService, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { makeCreditCode } from "../../server/issuance/check-digits";
import { parseCsv } from "../../server/registry/bills-export";
import { fitsAndShoot, launch, tab, VIEWPORTS } from "./browser";

export async function signInBrowser(page: Page, home: string, key: string): Promise<void> {
  await page.goto(home);
  await page.fill("#key", key);
  await Promise.all([page.waitForURL(home), page.click("main button[type=submit]")]);
  await page.waitForSelector("nav.tabs");
}

describe("the bureau's console in headless Chromium", function () {
  this.timeout(300_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let browser: Browser;

  before(async () => {
    svc = await startService({});
    creds = svc.credentials();
    await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await svc?.stop();
  });

  for (const size of ["phone", "laptop"] as const) {
    it(`shows every section without horizontal overflow at ${VIEWPORTS[size].width} px`, async () => {
      const t = await tab(browser, size);
      await signInBrowser(t.page, `${svc.url}/bureau`, creds.bureau.apiKey);
      for (const [path, name] of [
        ["", "overview"],
        ["/issuers", "issuers"],
        [`/issuers/${creds.hospital.institutionId}`, "issuer"],
        ["/relying-parties", "relying-parties"],
        ["/bills", "bills"],
        ["/reconciliation", "reconciliation"],
        ["/audit", "audit"],
      ]) {
        const r = await t.page.goto(`${svc.url}/bureau${path}`);
        expect(r?.status(), path).to.equal(200);
        await fitsAndShoot(t, `bureau-${name}-${size}`);
      }
      expect(t.errors).to.deep.equal([]);
      await t.page.close();
    });
  }

  it("admits, suspends, reinstates, allots and extends ranges, issues and revokes keys, admits a relying party — each audited", async () => {
    const t = await tab(browser, "phone");
    const p = t.page;
    await signInBrowser(p, `${svc.url}/bureau`, creds.bureau.apiKey);
    await p.click('nav.tabs a[href="/bureau/issuers"]');
    const credit = makeCreditCode("12100000MB0" + String(Date.now()).slice(-6));
    await p.fill("#name", "示范市第三人民医院");
    await p.fill("#creditCode", credit);
    await p.selectOption("#kind", "medical");
    await p.fill("#billCode", "11060199");
    await p.fill("#start", "1");
    await p.fill("#end", "1000");
    await Promise.all([p.waitForLoadState(), p.click("main form button[type=submit]")]);
    const key = (await p.textContent("#new-key"))!.trim();
    expect(key).to.match(/^[A-Za-z0-9_-]{8,200}$/);
    await fitsAndShoot(t, "bureau-admitted-phone");
    // the new key works on the API
    expect((await fetch(`${svc.url}/api/v1/invoices?limit=1`, { headers: { authorization: `Bearer ${key}` } })).status).to.equal(200);
    await Promise.all([p.waitForLoadState(), p.click("main a:has-text('Open the issuer')")]);
    const issuerUrl = p.url();
    const issuerId = decodeURIComponent(issuerUrl.split("/").pop()!);
    // suspend, then reinstate
    await p.fill("#reason", "资料待补 documents missing");
    await Promise.all([p.waitForURL(issuerUrl), p.click("button:has-text('Suspend')")]);
    expect(await p.textContent("#issuer-state")).to.include("suspended");
    await Promise.all([p.waitForURL(issuerUrl), p.click("button:has-text('Reinstate')")]);
    expect(await p.textContent("#issuer-state")).to.include("active");
    // extend the range (the next 1000 numbers), then allot a second bill code
    await Promise.all([p.waitForURL(issuerUrl), p.click("form.extend button")]);
    expect(await p.$$eval("#ranges tbody tr", (rows) => rows.map((r) => r.textContent))).to.have.length(2);
    expect(await p.textContent("#ranges tbody tr:nth-child(2)"))
      .to.include("1001")
      .and.include("2000");
    await p.fill('form:has(button:has-text("Allot")) #billCode', "11060198");
    await p.fill('form:has(button:has-text("Allot")) #start', "1");
    await p.fill('form:has(button:has-text("Allot")) #end', "50");
    await Promise.all([p.waitForURL(issuerUrl), p.click("button:has-text('Allot')")]);
    expect(await p.$$eval("#ranges tbody tr", (rows) => rows.length)).to.equal(3);
    // an overlapping range is refused in words, with the API's code
    await p.fill('form:has(button:has-text("Allot")) #billCode', "11060198");
    await p.fill('form:has(button:has-text("Allot")) #start', "10");
    await p.fill('form:has(button:has-text("Allot")) #end', "20");
    await Promise.all([p.waitForLoadState(), p.click("button:has-text('Allot')")]);
    expect(await p.getAttribute("[role=alert]", "data-code")).to.equal("INVALID_BODY");
    expect(await p.textContent("[role=alert]")).to.include("overlaps");
    await fitsAndShoot(t, "bureau-refused-phone");
    await p.goto(issuerUrl);
    // a second key, then revoke the first
    await p.fill("#label", "billing system 2");
    await Promise.all([p.waitForLoadState(), p.click("button:has-text('Issue a key')")]);
    expect((await p.textContent("#new-key"))!.trim())
      .to.match(/^[A-Za-z0-9_-]{8,200}$/)
      .and.not.equal(key);
    await p.goto(issuerUrl);
    await Promise.all([p.waitForURL(issuerUrl), p.click("#keys tbody tr:first-child button:has-text('Revoke')")]);
    expect(await p.textContent("#keys tbody tr:first-child")).to.include("revoked");
    expect((await fetch(`${svc.url}/api/v1/invoices?limit=1`, { headers: { authorization: `Bearer ${key}` } })).status).to.equal(401);
    await fitsAndShoot(t, "bureau-issuer-after-phone");
    // a relying party
    await p.goto(`${svc.url}/bureau/relying-parties`);
    await p.fill("#rp-name", "示范市医保中心");
    await p.fill("#rp-credit", makeCreditCode("11100000MB1" + String(Date.now()).slice(-6)));
    await Promise.all([p.waitForLoadState(), p.click("main form button[type=submit]")]);
    const partyKey = (await p.textContent("#new-key"))!.trim();
    expect(partyKey).to.match(/^[A-Za-z0-9_-]{8,200}$/);
    // its keys: a second one, then the first revoked
    await Promise.all([p.waitForLoadState(), p.click("main a:has-text('Open the relying party')")]);
    const partyUrl = p.url();
    await Promise.all([p.waitForLoadState(), p.click("button:has-text('Issue a key')")]);
    expect((await p.textContent("#new-key"))!.trim())
      .to.match(/^[A-Za-z0-9_-]{8,200}$/)
      .and.not.equal(partyKey);
    await p.goto(partyUrl);
    await Promise.all([p.waitForURL(partyUrl), p.click("#keys tbody tr:first-child button:has-text('Revoke')")]);
    expect(await p.textContent("#keys tbody tr:first-child")).to.include("revoked");
    expect((await fetch(`${svc.url}/api/v1/webhooks`, { headers: { authorization: `Bearer ${partyKey}` } })).status).to.equal(401);
    await fitsAndShoot(t, "bureau-relying-party-phone");
    // every action is in the audit log
    await p.goto(`${svc.url}/bureau/audit`);
    const actions = await p.$$eval("#audit tbody tr", (rows) => rows.map((r) => r.getAttribute("data-action")));
    for (const a of ["issuer.admit", "issuer.suspend", "issuer.reinstate", "issuer.range", "key.create", "key.revoke", "relying_party.admit"])
      expect(actions, a).to.include(a);
    await p.fill("#a-subject", issuerId);
    await Promise.all([p.waitForLoadState(), p.click("form.filters button")]);
    const filtered = await p.$$eval("#audit tbody tr td:nth-child(4)", (tds) => tds.map((td) => td.textContent));
    expect(filtered.length).to.be.greaterThan(4);
    for (const s of filtered) expect(s).to.equal(issuerId);
    await fitsAndShoot(t, "bureau-audit-phone");
    expect(t.errors.filter((e) => !/status of 4\d\d/.test(e))).to.deep.equal([]);
    await p.close();
  });

  it("searches bills with the API's filters, downloads them as CSV, and runs a reconciliation", async () => {
    const t = await tab(browser, "laptop");
    const p = t.page;
    await signInBrowser(p, `${svc.url}/bureau`, creds.bureau.apiKey);
    await p.goto(`${svc.url}/bureau/bills`);
    await p.fill("#q-issuerId", creds.hospital.institutionId);
    await p.selectOption("#q-kind", "medical");
    await Promise.all([p.waitForLoadState(), p.click("form.filters button")]);
    expect(await p.$$eval("#bills tbody tr", (r) => r.length)).to.equal(1);
    expect(await p.textContent("#bills tbody tr"))
      .to.include("张*")
      .and.include("157.00");
    const [download] = await Promise.all([p.waitForEvent("download"), p.click("#dl-csv")]);
    const csv = readFileSync((await download.path())!, "utf8");
    const rows = parseCsv(csv).filter((r) => r.length > 1);
    expect(rows).to.have.length(2);
    expect(rows[1][1]).to.match(/^="\d{10}"$/);
    const status = rows[1][rows[0].indexOf("状态 status")];
    expect(rows[1][rows[0].indexOf("类别 category")]).to.equal(status === "pending" ? "original+pending" : "original");
    // a bad filter is the API's refusal, in words
    await p.goto(`${svc.url}/bureau/bills?kind=cars`);
    expect(await p.getAttribute("[role=alert]", "data-code")).to.equal("INVALID_QUERY");
    await p.goto(`${svc.url}/bureau/reconciliation`);
    await Promise.all([p.waitForLoadState(), p.click("main form button[type=submit]")]);
    // the store and the chain agree on this service: clean, and it says what it checked
    expect(await p.getAttribute("#recon-verdict", "data-clean")).to.equal("true");
    expect(await p.$$eval("#discrepancies li", (l) => l.map((x) => x.textContent))).to.deep.equal(["无 None"]);
    expect(Number(await p.textContent('[data-checked="bills"] .n'))).to.be.at.least(1);
    await fitsAndShoot(t, "bureau-reconciliation-laptop");
    // the run, and the sign-in, are in the audit log
    await p.goto(`${svc.url}/bureau/audit`);
    const actions = await p.$$eval("#audit tbody tr", (rows) => rows.map((r) => r.getAttribute("data-action")));
    expect(actions).to.include.members(["registry.reconcile", "bureau.sign_in"]);
    await p.close();
  });
});
