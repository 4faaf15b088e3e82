// The holder's pages in headless Chromium at 390×844 and 1280×800: the check page at /, the 查验
// fields and the PDF upload answering the QR link's verdict page, a wrong key, a PENDING page that
// refreshes itself, and the headline's states (reimbursed, voided with its red bill, red bill,
// donation wording). A real service, a real chain, a real browser.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import type { Browser } from "playwright-core";
import { call, DONATION_EXAMPLE, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { startService, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { fetchPdf, issue, issueAnchored } from "../verification/fixtures";
import { fitsAndShoot, launch, SHOT_DIR, tab, verdictOf, VIEWPORTS } from "./browser";

/** The holder's pages are used with the browser's JavaScript off: they must need none. */
const NO_JS = { javaScript: false };

describe("the holder's pages in headless Chromium, JavaScript off", function () {
  this.timeout(240_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let browser: Browser;

  before(async () => {
    // a batch waits 2.5 s: long enough to see a PENDING page, short enough to see it become VALID
    svc = await startService({ VERIFY_RATE_PER_MIN: "100000", BATCH_MAX_AGE_MS: "2500" });
    creds = svc.credentials();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await svc?.stop();
  });

  for (const size of ["phone", "laptop"] as const) {
    it(`checks a bill by its five printed fields from the page at / (${VIEWPORTS[size].width} px)`, async () => {
      const bill = await issueAnchored(svc.url, creds.hospital.apiKey, { ...MEDICAL_EXAMPLE, remarks: `manual ${size}` });
      const t = await tab(browser, size, NO_JS);
      const r = await t.page.goto(`${svc.url}/`);
      expect(r?.status()).to.equal(200);
      expect(await t.page.locator("h2").allInnerTexts()).to.include.members(["输入票面信息查验 Check by the printed fields", "上传 PDF 查验 Check a PDF file"]);
      await fitsAndShoot(t, `check-page-${size}`);
      await t.page.fill("#f-billCode", bill.billCode);
      await t.page.fill("#f-billNumber", bill.billNumber);
      await t.page.fill("#f-checkCode", bill.checkCode.toLowerCase());
      await t.page.fill("#f-issueDate", bill.issuedAt.slice(0, 10));
      await t.page.fill("#f-total", "157.00");
      await Promise.all([t.page.waitForURL(/\/check\?/), t.page.click("#manual button[type=submit]")]);
      expect(await verdictOf(t.page).getAttribute("data-verdict")).to.equal("VALID");
      expect(await verdictOf(t.page).getAttribute("data-state")).to.equal("valid");
      const text = await t.page.locator("body").innerText();
      expect(text).to.include(bill.billNumber).and.include("张*").and.not.include("张三");
      // every check in Chinese and in English
      expect(text).to.include("票据内容与开具时一致，未被篡改。").and.include("The bill hashes to");
      // times on the page are ISO 8601 at +08:00
      expect(text).to.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00/);
      await fitsAndShoot(t, `manual-valid-${size}`);
      expect(t.errors).to.deep.equal([]);
      await t.page.close();
    });
  }

  it("says which field is malformed, that no bill matches, and that an upload is too large or missing, in words on the page", async () => {
    const t = await tab(browser, "phone", NO_JS);
    const bad = await t.page.goto(`${svc.url}/check?billCode=123&billNumber=0000000001&checkCode=ABCDEF&issueDate=2026-01-01&total=1.00`);
    expect(bad?.status()).to.equal(400);
    expect(await t.page.locator("[data-field]").evaluateAll((els) => els.map((e) => e.getAttribute("data-field")))).to.deep.equal(["billCode"]);
    expect(await t.page.inputValue("#f-billNumber")).to.equal("0000000001");
    const none = await t.page.goto(`${svc.url}/check?billCode=11060126&billNumber=0000000001&checkCode=ZZZZZZ&issueDate=2026-01-01&total=1.00`);
    expect(none?.status()).to.equal(404);
    expect(await t.page.locator("[role=alert]").innerText())
      .to.include("没有与这五项信息都相符的票据")
      .and.include("No bill matches all five fields");
    await fitsAndShoot(t, "manual-no-match-phone");
    await t.page.close();
    // an upload over 5 MB, and a form without the file: readable pages, not JSON
    const boundary = "----lianpiao-test";
    const big = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="pdf"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
      Buffer.alloc(6 * 1024 * 1024, 0x41),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const tooBig = await fetch(`${svc.url}/check/pdf`, { method: "POST", headers: { "content-type": `multipart/form-data; boundary=${boundary}` }, body: big });
    expect(tooBig.status).to.equal(413);
    expect(tooBig.headers.get("content-type")).to.match(/^text\/html/);
    expect(await tooBig.text())
      .to.include("文件太大")
      .and.include("The file is too large");
    const empty = await fetch(`${svc.url}/check/pdf`, {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      body: `--${boundary}--\r\n`,
    });
    expect(empty.status).to.equal(400);
    expect(await empty.text()).to.include("请选择一个 PDF 文件再上传");
  });

  for (const size of ["phone", "laptop"] as const) {
    it(`checks an uploaded PDF through the multipart form (${VIEWPORTS[size].width} px), and refuses a file that is not a bill`, async () => {
      const bill = await issueAnchored(svc.url, creds.hospital.apiKey, { ...MEDICAL_EXAMPLE, remarks: `upload ${size}` });
      const file = join(SHOT_DIR, `bill-${size}.pdf`);
      writeFileSync(file, await fetchPdf(svc.url, creds.hospital.apiKey, bill.id));
      const t = await tab(browser, size, NO_JS);
      await t.page.goto(`${svc.url}/`);
      await t.page.setInputFiles("#f-pdf", file);
      await Promise.all([t.page.waitForURL(/\/check\/pdf$/), t.page.click("#upload button[type=submit]")]);
      expect(await verdictOf(t.page).getAttribute("data-verdict")).to.equal("VALID");
      expect(await t.page.locator('[data-check="file"]').getAttribute("data-status")).to.equal("passed");
      expect(await t.page.locator('[data-check="file"] .check-zh').innerText()).to.equal("上传的文件与系统开具的文件完全一致。");
      await fitsAndShoot(t, `upload-valid-${size}`);
      const junk = join(SHOT_DIR, "not-a-bill.pdf");
      writeFileSync(junk, "%PDF-1.4\nnot a bill\n%%EOF\n");
      await t.page.goto(`${svc.url}/`);
      await t.page.setInputFiles("#f-pdf", junk);
      await Promise.all([t.page.waitForURL(/\/check\/pdf$/), t.page.click("#upload button[type=submit]")]);
      expect(await t.page.locator("[role=alert]").innerText())
        .to.include("不是本系统开具的电子票据")
        .and.include("not an e-bill PDF issued by this service");
      expect(t.errors.filter((e) => !/status of 422/.test(e))).to.deep.equal([]);
      await t.page.close();
    });
  }

  it("answers a wrong, a missing key and an unknown id with the same check page, byte for byte, revealing nothing", async () => {
    const bill = await issue(svc.url, creds.hospital.apiKey, { ...MEDICAL_EXAMPLE, remarks: "wrong key" });
    const id = new URL(bill.verifyUrl).pathname.split("/").pop();
    const answers = await Promise.all(
      [`/v/${id}?k=wrongwrongwrong`, `/v/${id}`, "/v/NoSuchBill000000?k=abcdefabcdef"].map(async (p) => {
        const r = await fetch(`${svc.url}${p}`);
        return { status: r.status, body: await r.text() };
      }),
    );
    for (const a of answers) expect(a).to.deep.equal(answers[0]);
    expect(answers[0].status).to.equal(404);
    expect(answers[0].body).to.include('action="/check"').and.not.include(bill.billNumber).and.not.include("张");
    const t = await tab(browser, "phone", NO_JS);
    await t.page.goto(`${svc.url}/v/${id}?k=wrongwrongwrong`);
    expect(await t.page.locator("[role=alert]").innerText())
      .to.include("未找到票据")
      .and.include("Bill not found");
    expect(await t.page.locator("#f-billCode").isVisible()).to.equal(true);
    await fitsAndShoot(t, "wrong-key-phone");
    await t.page.close();
  });

  it("shows a PENDING page that refreshes itself, without script, until the bill is anchored", async () => {
    const bill = await issue(svc.url, creds.hospital.apiKey, { ...MEDICAL_EXAMPLE, remarks: "pending page" });
    const html = await (await fetch(bill.verifyUrl)).text();
    expect(html).to.match(/<meta http-equiv="refresh" content="\d+">/);
    const t = await tab(browser, "phone", NO_JS);
    await t.page.goto(bill.verifyUrl);
    expect(await verdictOf(t.page).getAttribute("data-verdict")).to.equal("PENDING");
    expect(await t.page.locator("h1").innerText()).to.include("待上链");
    await fitsAndShoot(t, "pending-phone");
    await t.page.waitForSelector('[data-verdict="VALID"]', { timeout: 30_000 });
    expect(await t.page.locator("meta[http-equiv=refresh]").count()).to.equal(0);
    await t.page.close();
  });

  it("headlines a reimbursed bill as 已报销 with who and when, never a plain green VALID", async () => {
    const bill = await issueAnchored(svc.url, creds.hospital.apiKey, { ...MEDICAL_EXAMPLE, remarks: "reimbursed page" });
    const m = await call(svc.url, "POST", "/api/v1/reimbursements", {
      key: creds.insurer.apiKey,
      body: { billCode: bill.billCode, billNumber: bill.billNumber, checkCode: bill.checkCode, total: bill.total, reference: "CLAIM-PAGE-1" },
    });
    expect(m.status, JSON.stringify(m.body)).to.be.oneOf([200, 201]);
    for (const size of ["phone", "laptop"] as const) {
      const t = await tab(browser, size, NO_JS);
      await t.page.goto(bill.verifyUrl);
      const banner = verdictOf(t.page);
      expect(await banner.getAttribute("data-state")).to.equal("reimbursed");
      expect(await t.page.locator("h1").innerText())
        .to.include("已报销")
        .and.include("REIMBURSED")
        .and.not.include("有效");
      const colour = await banner.evaluate((el) => (globalThis as any).getComputedStyle(el).backgroundImage as string);
      expect(colour).to.not.include("rgb(30, 125, 58)");
      expect(await banner.innerText())
        .to.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00/)
        .and.include("不能再用于报销");
      await fitsAndShoot(t, `reimbursed-${size}`);
      expect(t.errors).to.deep.equal([]);
      await t.page.close();
    }
  });

  it("headlines a voided bill with when, why and a link to its red bill, and the red bill with a link back", async () => {
    const bill = await issueAnchored(svc.url, creds.hospital.apiKey, { ...MEDICAL_EXAMPLE, remarks: "voided page" });
    const v = await call(svc.url, "POST", `/api/v1/invoices/${bill.id}/void`, { key: creds.hospital.apiKey, body: { reason: "重复开票 duplicate" } });
    expect(v.status, JSON.stringify(v.body)).to.equal(200);
    const t = await tab(browser, "phone", NO_JS);
    await t.page.goto(bill.verifyUrl);
    const banner = verdictOf(t.page);
    expect(await banner.getAttribute("data-verdict")).to.equal("VOIDED");
    const said = await banner.innerText();
    expect(said)
      .to.include("已冲红")
      .and.include("重复开票 duplicate")
      .and.match(/冲红时间：\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00/)
      .and.include("红字票据：");
    await fitsAndShoot(t, "voided-phone");
    await Promise.all([t.page.waitForURL(/\/v\//), t.page.click("a.onbanner")]);
    const red = verdictOf(t.page);
    expect(await red.getAttribute("data-state")).to.equal("red-bill");
    expect(await t.page.locator("h1").innerText())
      .to.include("红字票据")
      .and.not.include("有效");
    expect(await red.innerText()).to.include(`${bill.billCode}-${bill.billNumber}`);
    await fitsAndShoot(t, "red-bill-phone");
    await Promise.all([t.page.waitForURL(bill.verifyUrl), t.page.click("a.onbanner")]);
    expect(await verdictOf(t.page).getAttribute("data-verdict")).to.equal("VOIDED");
    expect(t.errors).to.deep.equal([]);
    await t.page.close();
  });

  it("words a donation receipt as a donation (捐赠, 入账), never 报销", async () => {
    const bill = await issueAnchored(svc.url, creds.charity.apiKey, DONATION_EXAMPLE);
    const t = await tab(browser, "laptop", NO_JS);
    await t.page.goto(bill.verifyUrl);
    const text = await t.page.locator("body").innerText();
    expect(text).to.include("公益事业捐赠统一票据").and.include("捐赠人").and.include("未入账").and.not.include("报销");
    await fitsAndShoot(t, "donation-laptop");
    await t.page.close();
  });
});
