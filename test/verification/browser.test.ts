// The verify page in a real browser at a phone's size: verdict visible, no console errors (CSP too).
import { expect } from "chai";
import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { chromium, type Browser } from "playwright-core";
import { call, MEDICAL_EXAMPLE } from "../helpers/api";
import { NOTICE } from "../../server/verification/notice";
import { issueAnchored, screenshotPath, sharedService, type DemoCreds, type ServiceProcess } from "./fixtures";

const CHROMIUM = "/usr/bin/chromium";

describe("the verify page in headless Chromium on a phone", function () {
  this.timeout(180_000);
  let browser: Browser;
  let svc: ServiceProcess;
  let creds: DemoCreds;

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    svc = await sharedService();
    creds = svc.credentials();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  });
  after(async () => browser?.close());

  /** Loads `url` at 390×844; returns the verdict shown, the visible text and every console error. */
  async function open(url: string, shot: string) {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(String(e)));
    const response = await page.goto(url, { waitUntil: "load" });
    const banner = page.locator("[data-verdict]");
    expect(await banner.isVisible()).to.equal(true);
    const box = await banner.boundingBox();
    const result = {
      status: response?.status(),
      verdict: await banner.getAttribute("data-verdict"),
      heading: await page.locator("h1").innerText(),
      text: await page.locator("body").innerText(),
      // these callbacks run in the page, where the DOM globals exist (this project compiles without "dom")
      bannerColour: await banner.evaluate((el) => (globalThis as any).getComputedStyle(el).backgroundImage as string),
      aboveTheFold: box !== null && box.y + box.height <= 844,
      fitsWidth: await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth <= 390),
      errors,
    };
    await page.screenshot({ path: screenshotPath(shot), fullPage: true });
    await page.close();
    return result;
  }

  it("shows a VALID bill as 有效 / VALID in green, above the fold, with no console errors", async () => {
    const bill = await issueAnchored(svc.url, creds.hospital.apiKey);
    const r = await open(bill.verifyUrl, "valid");
    expect(r.errors).to.deep.equal([]);
    expect(r.verdict).to.equal("VALID");
    expect(r.heading).to.include("有效").and.include("VALID");
    expect(r.bannerColour).to.include("rgb(30, 125, 58)");
    expect(r.aboveTheFold && r.fitsWidth).to.equal(true);
    expect(r.text).to.include("张*").and.include(bill.billNumber).and.include("壹佰伍拾柒元整").and.not.include("张三");
    // only the data on this page is authoritative, not what a PDF or printout shows
    expect(r.text).to.include(NOTICE.slice(0, 20)).and.include("Only the data in this answer is authoritative");
  });

  it("shows a voided bill as 已冲红 / VOIDED in red with its reason, with no console errors", async () => {
    const bill = await issueAnchored(svc.url, creds.hospital.apiKey, { ...MEDICAL_EXAMPLE, remarks: "browser void" });
    const v = await call(svc.url, "POST", `/api/v1/invoices/${bill.id}/void`, { key: creds.hospital.apiKey, body: { reason: "重复开票 duplicate" } });
    expect(v.status, JSON.stringify(v.body)).to.equal(200);
    const r = await open(bill.verifyUrl, "voided");
    expect(r.errors).to.deep.equal([]);
    expect(r.verdict).to.equal("VOIDED");
    expect(r.heading).to.include("已冲红").and.include("VOIDED");
    expect(r.bannerColour).to.include("rgb(164, 22, 26)");
    expect(r.text).to.include("重复开票 duplicate");
  });

  it("shows a bill edited in the service's database as 无效 / INVALID, because the chain disagrees", async () => {
    const bill = await issueAnchored(svc.url, creds.hospital.apiKey, { ...MEDICAL_EXAMPLE, remarks: "browser tamper" });
    const db = new Database(join(svc.dataDir, "lianpiao.sqlite"));
    db.pragma("busy_timeout = 5000");
    const row = db.prepare("SELECT envelope FROM bills WHERE id = ?").get(bill.id) as { envelope: string };
    const env = JSON.parse(row.envelope);
    env.bill.total = "1570.00";
    db.prepare("UPDATE bills SET envelope = ? WHERE id = ?").run(JSON.stringify(env), bill.id);
    db.close();
    const r = await open(bill.verifyUrl, "invalid");
    expect(r.errors).to.deep.equal([]);
    expect(r.verdict).to.equal("INVALID");
    expect(r.heading).to.include("无效").and.include("INVALID");
    expect(r.text).to.include("未通过 Failed");
  });

  it("shows an unknown id as 未找到票据 / Bill not found, with no error but the 404 itself", async () => {
    const r = await open(`${svc.url}/v/NoSuchBill000000?k=abcdefabcdefabcdef`, "not-found");
    expect(r.status).to.equal(404);
    // the browser reports the navigation's own 404 status; anything else would be a page fault
    expect(r.errors.filter((e) => !/status of 404/.test(e))).to.deep.equal([]);
    expect(r.heading).to.include("未找到票据").and.include("Bill not found");
  });
});
