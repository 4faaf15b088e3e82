// The bureau console's sessions live in the database: a sign-in on one replica holds on another that
// shares the PostgreSQL, survives a restart, carries the same CSRF token everywhere, and only the
// token's hash is stored. Sign-out on one replica ends it on all.
import crypto from "node:crypto";
import { expect } from "chai";
import pg from "pg";
import { createTestDatabase } from "../helpers/pg";
import { startHardhatNode, startService, tempDir, type ChainNode, type ServiceProcess } from "../helpers/processes";
import { getPage, postForm, signIn } from "../security/bureau-session";

describe("bureau sessions in the database, across replicas and restarts (postgres)", function () {
  this.timeout(300_000);
  let node: ChainNode;
  let db: { url: string; drop(): Promise<void> };
  let a: ServiceProcess;
  let b: ServiceProcess;
  let env: Record<string, string>;
  let dataDir: string;

  before(async () => {
    node = await startHardhatNode();
    db = await createTestDatabase();
    dataDir = tempDir();
    env = { RPC_URL: node.url, BOOTSTRAP: "dev", DATABASE_URL: db.url, CONFIRMATIONS: "1" };
    a = await startService({ ...env, INSTANCE_ID: "a" }, { dataDir });
    b = await startService({ ...env, INSTANCE_ID: "b" }, { dataDir });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await node?.stop();
    await db?.drop();
  });

  const signedIn = (html: string) => html.includes("/bureau/logout");

  it("holds a sign-in made on one replica on the other, with the same form token, storing only the token's hash", async () => {
    const cookies = await signIn(a.url, a.credentials().bureau.apiKey);
    const onA = await getPage(a.url, cookies);
    const onB = await getPage(b.url, cookies);
    expect(signedIn(onA.html) && signedIn(onB.html)).to.equal(true);
    expect(onB.hidden("/bureau/logout").csrf).to.equal(onA.hidden("/bureau/logout").csrf);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const { rows } = await c.query("SELECT * FROM bureau_sessions");
    await c.end();
    expect(rows).to.have.length(1);
    expect(rows[0].token_hash).to.equal(crypto.createHash("sha256").update(cookies.lp_bureau).digest("hex"));
    expect(JSON.stringify(rows)).to.not.include(cookies.lp_bureau).and.not.include(onA.hidden("/bureau/logout").csrf);
  });

  it("survives a restart, takes an action posted to the other replica with the token of the first, and signs out everywhere", async () => {
    const creds = a.credentials();
    const cookies = await signIn(a.url, creds.bureau.apiKey);
    await a.stop();
    a = await startService({ ...env, INSTANCE_ID: "a" }, { dataDir });
    const page = await getPage(a.url, cookies);
    expect(signedIn(page.html), "after the restart").to.equal(true);
    const csrf = page.hidden("/bureau/logout").csrf;
    // an action on replica b with the form token read on a: a new key for the hospital, audited
    const made = await postForm(b.url, `/bureau/issuers/${creds.hospital.institutionId}/keys`, { csrf, label: "from replica b" }, { cookies });
    expect(made.status).to.equal(201);
    const shown = /id="new-key">([A-Za-z0-9_-]+)</.exec(await made.text())?.[1];
    expect(shown).to.be.a("string");
    const works = await fetch(`${a.url}/api/v1/invoices?limit=1`, { headers: { authorization: `Bearer ${shown}` } });
    expect(works.status).to.equal(200);
    const audit = await fetch(`${a.url}/api/v1/audit?action=key.create&subject=${creds.hospital.institutionId}`, {
      headers: { authorization: `Bearer ${creds.bureau.apiKey}` },
    });
    const entries = ((await audit.json()) as { items: Array<{ detail: { label: string } }> }).items;
    expect(entries.map((e) => e.detail.label)).to.include("from replica b");
    // without the token, or with another's, the action is refused and nothing is made
    expect(
      (await postForm(b.url, `/bureau/issuers/${creds.hospital.institutionId}/keys`, { csrf: "A".repeat(43), label: "forged" }, { cookies })).status,
    ).to.equal(403);
    // sign-out on b ends the session on a too
    expect((await postForm(b.url, "/bureau/logout", { csrf }, { cookies })).status).to.equal(303);
    expect(signedIn((await getPage(a.url, cookies)).html)).to.equal(false);
  });
});
