// Hardening 10: the bureau page's forms (sign-in, sign-out) refuse cross-site request forgery — a
// token in the form (the pre-session cookie's double-submit before sign-in, the session's own token
// after) and Origin / Sec-Fetch-Site from this site — over raw HTTP and in Chromium, where a page on
// another port of 127.0.0.1 is same-site (so SameSite=Strict cookies do go with its forms); and the
// cookies are HttpOnly, SameSite=Strict, and Secure when PUBLIC_BASE_URL is https.
import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";
import { startService, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { cookieHeader, cookiesOf, getPage, postForm, signIn } from "./bureau-session";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

describe("CSRF protection of the bureau page", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;

  before(async () => {
    svc = await startService({});
    creds = svc.credentials();
  });
  after(async () => svc?.stop());

  const signedIn = async (cookies: Record<string, string>) => (await getPage(svc.url, cookies)).html.includes('id="issuers"');

  it("signs in with the sign-in form's token, posted from this site", async () => {
    const cookies = await signIn(svc.url, creds.bureau.apiKey);
    expect(cookies.lp_bureau).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(await signedIn(cookies)).to.equal(true);
  });

  it("refuses a sign-in with no token, a forged one, a token without its cookie, or from another site: 403, no session", async () => {
    const login = await getPage(svc.url);
    expect(login.status).to.equal(200);
    expect(login.html).to.match(/<input type="hidden" name="csrf" value="[A-Za-z0-9_-]{43}">/);
    const token = login.hidden("/bureau/login").csrf;
    expect(token).to.equal(login.cookies.lp_bureau_csrf);
    const key = creds.bureau.apiKey;
    const cases: Array<[string, Record<string, string>, Parameters<typeof postForm>[3]]> = [
      ["no token", { key }, { cookies: login.cookies }],
      ["a forged token", { key, csrf: "A".repeat(43) }, { cookies: login.cookies }],
      ["a token without its cookie", { key, csrf: token }, {}],
      ["another cookie's token", { key, csrf: token }, { cookies: { lp_bureau_csrf: "B".repeat(43) } }],
      ["Origin of another site", { key, csrf: token }, { cookies: login.cookies, origin: "https://evil.example" }],
      ["Origin: null", { key, csrf: token }, { cookies: login.cookies, origin: "null" }],
    ];
    for (const [what, fields, opts] of cases) {
      for (const accept of ["text/html", "application/json"]) {
        const r = await postForm(svc.url, "/bureau/login", fields, { ...opts, accept });
        expect(r.status, `${what} (${accept})`).to.equal(403);
        expect(cookiesOf(r).cookies.lp_bureau, what).to.equal(undefined);
        const text = await r.text();
        if (accept === "application/json") expect(JSON.parse(text).code, what).to.equal("CSRF_REJECTED");
        else expect(text, what).to.contain("Request refused");
      }
    }
    const crossSite = await fetch(`${svc.url}/bureau/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(login.cookies), "sec-fetch-site": "cross-site" },
      body: new URLSearchParams({ key, csrf: token }).toString(),
      redirect: "manual",
    });
    expect(crossSite.status, "Sec-Fetch-Site: cross-site").to.equal(403);
    // and the same form, sent properly, signs in
    expect((await postForm(svc.url, "/bureau/login", { key, csrf: token }, { cookies: login.cookies })).status).to.equal(303);
  });

  it("refuses a sign-out without the session's token (or with the pre-session one, or from another site); the session goes on", async () => {
    const cookies = await signIn(svc.url, creds.bureau.apiKey);
    const dashboard = await getPage(svc.url, cookies);
    const token = dashboard.hidden("/bureau/logout").csrf;
    expect(token)
      .to.match(/^[A-Za-z0-9_-]{43}$/)
      .and.not.equal(cookies.lp_bureau_csrf);
    for (const [what, fields, origin] of [
      ["no token", {}, undefined],
      ["the pre-session token", { csrf: cookies.lp_bureau_csrf }, undefined],
      ["a forged token", { csrf: "C".repeat(43) }, undefined],
      ["another site", { csrf: token }, "http://127.0.0.1:1"],
    ] as Array<[string, Record<string, string>, string | undefined]>) {
      const r = await postForm(svc.url, "/bureau/logout", fields, { cookies, origin });
      expect(r.status, what).to.equal(403);
      expect(await signedIn(cookies), what).to.equal(true);
    }
    const out = await postForm(svc.url, "/bureau/logout", { csrf: token }, { cookies });
    expect(out.status).to.equal(303);
    expect(await signedIn(cookies)).to.equal(false);
  });

  it("sets its cookies HttpOnly, SameSite=Strict, Path=/bureau, and serves the page with a same-origin referrer policy", async () => {
    const login = await getPage(svc.url);
    expect(login.setCookie.join("\n")).to.match(/^lp_bureau_csrf=[A-Za-z0-9_-]{43}; Path=\/bureau; HttpOnly; SameSite=Strict; Max-Age=\d+$/m);
    const r = await postForm(svc.url, "/bureau/login", { key: creds.bureau.apiKey, csrf: login.hidden("/bureau/login").csrf }, { cookies: login.cookies });
    expect(cookiesOf(r).setCookie.join("\n")).to.match(/^lp_bureau=[A-Za-z0-9_-]{43}; Path=\/bureau; HttpOnly; SameSite=Strict; Max-Age=\d+$/m);
    expect((await fetch(`${svc.url}/bureau`)).headers.get("referrer-policy")).to.equal("same-origin");
  });

  it("marks both cookies Secure when PUBLIC_BASE_URL is https", async () => {
    const secure = await startService({ PUBLIC_BASE_URL: "https://bureau.example.test" });
    try {
      const c = secure.credentials();
      const login = await getPage(secure.url);
      expect(login.setCookie.join("\n")).to.match(/^lp_bureau_csrf=[^;]+; Path=\/bureau; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/m);
      // a form from the public origin is the site's own too
      const r = await postForm(
        secure.url,
        "/bureau/login",
        { key: c.bureau.apiKey, csrf: login.hidden("/bureau/login").csrf },
        { cookies: login.cookies, origin: "https://bureau.example.test" },
      );
      expect(r.status).to.equal(303);
      expect(cookiesOf(r).setCookie.join("\n")).to.match(/^lp_bureau=[^;]+; Path=\/bureau; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/m);
    } finally {
      await secure.stop();
    }
  });

  describe("in Chromium", () => {
    let browser: Browser;
    let attacker: http.Server;
    let attackerUrl: string;

    before(async () => {
      browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
      // Another port of 127.0.0.1 is the same site: the SameSite=Strict session cookie goes with its forms.
      attacker = http.createServer((req, res) => {
        const csrf = req.url?.includes("guess") ? `<input type="hidden" name="csrf" value="${"D".repeat(43)}">` : "";
        res.setHeader("content-type", "text/html");
        res.end(
          `<!doctype html><form id="f" method="post" action="${svc.url}/bureau/logout">${csrf}</form><script>document.getElementById("f").submit()</script>`,
        );
      });
      await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
      attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    });
    after(async () => {
      await browser?.close();
      await new Promise((resolve) => attacker?.close(resolve));
    });

    it("keeps the bureau signed in when a same-site page of another origin posts its sign-out form, and signs out from its own button", async () => {
      const page = await browser.newPage();
      await page.goto(`${svc.url}/bureau`);
      await page.fill("#key", creds.bureau.apiKey);
      await Promise.all([page.waitForURL(`${svc.url}/bureau`), page.click("button[type=submit]")]);
      await page.waitForSelector("#issuers");
      for (const path of ["/", "/guess"]) {
        const answer = page.waitForResponse((r) => r.url() === `${svc.url}/bureau/logout`);
        await page.goto(`${attackerUrl}${path}`);
        expect((await answer).status(), path).to.equal(403);
        await page.goto(`${svc.url}/bureau`);
        expect(await page.$("#issuers"), `still signed in after ${path}`).to.not.equal(null);
      }
      await Promise.all([page.waitForLoadState(), page.click("header form button")]);
      expect(await page.$("#key")).to.not.equal(null);
    });
  });
});
