// The OFD file in a browser. (1) ofd.js 0.2.6 (Apache-2.0, the last release before its parser became a
// licensed WebAssembly core that refuses every file without a licence), an OFD reader lianpiao did not
// write, in headless Chromium from a static page this test serves: it must parse the package and draw
// its page with the bill's values (the system's Noto Sans SC through fontconfig, as ofd.js draws text
// by font name). (2) Content.xml drawn as SVG with the package's own embedded font subsets: Chromium
// must accept the fonts, the bill's text must be there, and the printed QR code, read back from the
// pixels with jsQR, must be the bill's link. The screenshots are kept for people to look at.
import { expect } from "chai";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { launch } from "../pages/browser";
import { ROOT } from "../helpers/processes";
import { fetchEnvelope, issueAnchored, sharedService } from "../verification/fixtures";
import { PNG } from "pngjs";
import jsQR from "jsqr";
import { entriesOf, fetchOfd, svgOf, text } from "./helpers";

const CHROMIUM = "/usr/bin/chromium";
export const OFD_SCREENSHOT = path.join(os.tmpdir(), "lianpiao-ofd-render.png");
export const OFDJS_SCREENSHOT = path.join(os.tmpdir(), "lianpiao-ofd-ofdjs.png");

const PAGE = `<!doctype html><meta charset="utf-8"><title>ofd.js</title>
<script src="/ofd.js"></script>
<body style="margin:0;background:#888"><div id="out"></div><script>
ofd.parseOfdDocument({
  ofd: "/bill.ofd",
  success(docs) {
    try {
      const divs = ofd.renderOfd(1200, docs[0]);
      for (const d of divs) document.getElementById("out").appendChild(d);
      document.body.dataset.pages = String(divs.length);
      document.body.dataset.done = "ok";
    } catch (e) { document.body.dataset.done = "render failed: " + e; }
  },
  fail(e) { document.body.dataset.done = "parse failed: " + e; },
});
</script>`;

describe("the OFD file in an independent reader (ofd.js in headless Chromium)", function () {
  this.timeout(180_000);
  let browser: Browser;
  let server: http.Server;
  let base = "";
  let ofd: Buffer;
  let envelope: any;

  before(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    const svc = await sharedService();
    const creds = svc.credentials();
    const bill = await issueAnchored(svc.url, creds.hospital.apiKey);
    ofd = (await fetchOfd(svc.url, creds.hospital.apiKey, bill.id)).bytes;
    envelope = await fetchEnvelope(svc.url, creds.hospital.apiKey, bill.id);
    const files: Record<string, [string, () => Buffer]> = {
      "/": ["text/html; charset=utf-8", () => Buffer.from(PAGE)],
      "/ofd.js": ["text/javascript", () => fs.readFileSync(path.join(ROOT, "node_modules/ofd.js/lib/ofd.umd.min.js"))],
      "/bill.ofd": ["application/ofd", () => ofd],
    };
    server = http.createServer((req, res) => {
      const f = files[(req.url ?? "/").split("?")[0]];
      if (!f) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": f[0] }).end(f[1]());
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://localhost:${(server.address() as AddressInfo).port}`;
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  it("opens in ofd.js and renders its page with the bill's text", async () => {
    const page = await browser.newPage({ viewport: { width: 1240, height: 800 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(base, { waitUntil: "load" });
    await page.waitForFunction(() => (globalThis as any).document.body.dataset.done !== undefined, undefined, { timeout: 60_000 });
    const done = await page.evaluate(() => (globalThis as any).document.body.dataset.done as string);
    expect(done, errors.join("\n")).to.equal("ok");
    expect(await page.evaluate(() => (globalThis as any).document.body.dataset.pages as string)).to.equal("1");
    const shown = await page.locator("#out").innerText();
    // ofd.js draws each TextObject as its own element: the bill's own values must be among them
    for (const v of [envelope.bill.billNumber, envelope.bill.billCode, envelope.bill.total, "医疗收费电子票据"])
      expect(shown.replace(/\s+/g, ""), v).to.include(v);
    await page.locator("#out").screenshot({ path: OFDJS_SCREENSHOT });
    process.stdout.write(`      OFD as ofd.js renders it: ${OFDJS_SCREENSHOT}\n`);
    await page.close();
  });

  it("draws from Content.xml with its own embedded fonts: the bill's text, and a QR code that reads back as the bill's link", async () => {
    const entries = new Map(entriesOf(ofd));
    const page = await browser.newPage({ viewport: { width: 2410, height: 1400 } });
    await page.setContent(svgOf(entries), { waitUntil: "load" });
    await page.evaluate(async () => (globalThis as any).document.fonts.ready);
    // Chromium's font sanitiser accepted both subsets, and they hold the glyphs the page prints
    const loaded = await page.evaluate(() => [...(globalThis as any).document.fonts].map((f: any) => `${f.family}:${f.status}`).sort());
    expect(loaded).to.deep.equal(["OFDFont1:loaded", "OFDFont2:loaded"]);
    const shown = (await page.locator("#page").innerHTML()).replace(/<[^>]+>/g, "");
    for (const v of [envelope.bill.billNumber, envelope.bill.issuer.name, envelope.bill.total]) expect(shown).to.include(v);
    await page.locator("#page").screenshot({ path: OFD_SCREENSHOT });
    await page.close();
    process.stdout.write(`      the OFD page drawn from Content.xml: ${OFD_SCREENSHOT}\n`);
    const img = PNG.sync.read(fs.readFileSync(OFD_SCREENSHOT));
    const qr = jsQR(new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength), img.width, img.height);
    expect(qr?.data).to.equal(envelope.document?.verifyUrl ?? JSON.parse(text(entries.get("Doc_0/Attachs/lianpiao-bill.json")!)).document.verifyUrl);
  });
});
