// Adversarial review of the bureau console's actions (admit, suspend, reinstate, allot, keys, revoke,
// reconciliation) over raw HTTP, against a real service: forged or missing form tokens, another
// session's token, a form from another origin or site, an issuer's or a relying party's key signing in,
// a planted session cookie (fixation), and API keys sent as Bearer to the console's routes. Each
// refused action must change nothing: the hospital stays active with the same keys and ranges.
import { expect } from "chai";
import { makeCreditCode } from "../../server/issuance/check-digits";
import { call } from "../helpers/api";
import { sharedService } from "../verification/fixtures";
import type { DemoCreds, ServiceProcess } from "../helpers/processes";
import { cookieHeader, cookiesOf, getPage, postForm, signIn } from "./bureau-session";

describe("attacks on the bureau console", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let cookies: Record<string, string>;
  let csrf: string;
  let hospitalPage: string;

  const page = async (path: string, c: Record<string, string> = cookies) => {
    const r = await fetch(`${svc.url}${path}`, { headers: { cookie: cookieHeader(c) }, redirect: "manual" });
    return { status: r.status, html: await r.text() };
  };
  /** What the console's actions could change about the hospital: its status, keys and ranges. */
  const hospitalState = async () => {
    const html = (await page(`/bureau/issuers/${creds.hospital.institutionId}`)).html;
    const keys = (html.match(/data-key="/g) ?? []).length;
    const revokable = (html.match(/\/revoke"/g) ?? []).length;
    const active = html.includes("暂停 Suspend");
    const ranges = (html.match(/data-range="/g) ?? []).length;
    const parties = (await call(svc.url, "GET", "/api/v1/relying-parties", { key: creds.bureau.apiKey })).body.items.length;
    return { keys, revokable, active, ranges, parties };
  };

  before(async () => {
    svc = await sharedService();
    creds = svc.credentials();
    cookies = await signIn(svc.url, creds.bureau.apiKey);
    const p = await page(`/bureau/issuers/${creds.hospital.institutionId}`);
    expect(p.status).to.equal(200);
    hospitalPage = p.html;
    csrf = /name="csrf" value="([A-Za-z0-9_-]{43})"/.exec(hospitalPage)![1];
  });

  const actions = () => {
    const id = creds.hospital.institutionId;
    const keyId = /data-key="([^"]+)"/.exec(hospitalPage)?.[1] ?? "none";
    return [
      ["suspend", `/bureau/issuers/${id}/suspend`, { reason: "csrf" }],
      ["allot", `/bureau/issuers/${id}/ranges`, { billCode: "33010126", start: "900000", end: "900010" }],
      ["issue a key", `/bureau/issuers/${id}/keys`, { label: "stolen" }],
      ["revoke a key", `/bureau/issuers/${id}/keys/${keyId}/revoke`, {}],
      ["admit a party", "/bureau/relying-parties", { name: "Evil Corp", creditCode: makeCreditCode("91110000MA0000999") }],
      ["reconcile", "/bureau/reconciliation", { rescan: "true" }],
    ] as Array<[string, string, Record<string, string>]>;
  };

  it("refuses every console action without the session's own token or from another site: 403, nothing changed", async () => {
    const before = await hospitalState();
    expect(before.active).to.equal(true);
    const other = await signIn(svc.url, creds.bureau.apiKey);
    const otherCsrf = /name="csrf" value="([A-Za-z0-9_-]{43})"/.exec((await page("/bureau/issuers", other)).html)![1];
    expect(otherCsrf).to.not.equal(csrf);
    const cases: Array<[string, (f: Record<string, string>) => Record<string, string>, Parameters<typeof postForm>[3]]> = [
      ["no token", (f) => f, { cookies }],
      ["a forged token", (f) => ({ ...f, csrf: "A".repeat(43) }), { cookies }],
      ["another session's token", (f) => ({ ...f, csrf: otherCsrf }), { cookies }],
      ["the pre-session cookie's token", (f) => ({ ...f, csrf: cookies.lp_bureau_csrf ?? "x" }), { cookies }],
      ["the right token from another origin", (f) => ({ ...f, csrf }), { cookies, origin: "https://evil.example" }],
      ["the right token with Origin: null", (f) => ({ ...f, csrf }), { cookies, origin: "null" }],
      ["the right token, no session cookie", (f) => ({ ...f, csrf }), {}],
    ];
    for (const [action, path, fields] of actions()) {
      for (const [what, form, opts] of cases) {
        const r = await postForm(svc.url, path, form(fields), opts);
        expect(r.status, `${action}: ${what}`).to.equal(403);
      }
      // Sec-Fetch-Site from a browser on another site (or a same-site sibling origin)
      for (const site of ["cross-site", "same-site"]) {
        const r = await fetch(`${svc.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(cookies), "sec-fetch-site": site, origin: svc.url },
          body: new URLSearchParams({ ...fields, csrf }).toString(),
          redirect: "manual",
        });
        expect(r.status, `${action}: Sec-Fetch-Site ${site}`).to.equal(403);
      }
    }
    expect(await hospitalState()).to.deep.equal(before);
  });

  it("does nothing on a GET of an action's address", async () => {
    const before = await hospitalState();
    for (const [action, path] of actions()) {
      const r = await page(path);
      expect(r.status, action).to.be.oneOf([200, 404, 405]);
    }
    expect(await hospitalState()).to.deep.equal(before);
  });

  it("signs in no issuer's or relying party's key, and a planted session cookie never becomes a session (fixation)", async () => {
    for (const key of [creds.hospital.apiKey, creds.charity.apiKey, creds.insurer.apiKey]) {
      const login = await getPage(svc.url);
      const r = await postForm(svc.url, "/bureau/login", { ...login.hidden("/bureau/login"), key }, { cookies: login.cookies });
      expect(r.status).to.equal(401);
      expect(cookiesOf(r).cookies.lp_bureau ?? "").to.equal("");
    }
    const planted = "P".repeat(43);
    const login = await getPage(svc.url, { lp_bureau: planted });
    expect(login.html).to.not.contain('id="issuers"');
    const r = await postForm(
      svc.url,
      "/bureau/login",
      { ...login.hidden("/bureau/login"), key: creds.bureau.apiKey },
      { cookies: { ...login.cookies, lp_bureau: planted } },
    );
    expect(r.status).to.equal(303);
    const issued = cookiesOf(r).cookies.lp_bureau;
    expect(issued).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(issued).to.not.equal(planted);
    expect((await getPage(svc.url, { lp_bureau: planted })).html).to.not.contain('id="issuers"');
  });

  it("takes no API key as Bearer on the console's routes (the issuer's, a party's, or the bureau's own)", async () => {
    const before = await hospitalState();
    for (const key of [creds.hospital.apiKey, creds.insurer.apiKey, creds.bureau.apiKey]) {
      const g = await fetch(`${svc.url}/bureau/issuers`, { headers: { authorization: `Bearer ${key}` }, redirect: "manual" });
      expect(await g.text()).to.not.contain('id="issuers"');
      for (const [action, path, fields] of actions()) {
        const r = await fetch(`${svc.url}${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ ...fields, csrf }).toString(),
          redirect: "manual",
        });
        expect(r.status, `${action} with a Bearer key`).to.equal(403);
      }
    }
    // and an issuer's key cannot use the bureau's API either
    const api = await call(svc.url, "POST", `/api/v1/issuers/${creds.hospital.institutionId}/suspend`, { key: creds.hospital.apiKey, body: { reason: "x" } });
    expect(api.status).to.be.oneOf([403, 404]);
    expect(await hospitalState()).to.deep.equal(before);
  });

  it("still takes the genuine form (the baseline: the refusals above are the guard, not a broken route)", async () => {
    const before = await hospitalState();
    expect(before.keys, JSON.stringify(before)).to.be.above(0);
    expect(before.ranges, JSON.stringify(before)).to.be.above(0);
    const r = await postForm(svc.url, `/bureau/issuers/${creds.hospital.institutionId}/keys`, { csrf, label: "baseline" }, { cookies });
    expect(r.status).to.be.oneOf([200, 201, 303]);
    const after = await hospitalState();
    expect(after.keys, "the state read above sees a change").to.equal(before.keys + 1);
  });
});
