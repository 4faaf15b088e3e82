// The production path end to end: deploy the registry with the CLI, initialise the bureau in a fresh
// PostgreSQL, run the service against the node with REGISTRY_ADDRESS (no demo), admit an issuer through
// the API, issue, anchor and verify.
import { expect } from "chai";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { devWallet } from "../../server/chain/accounts";
import { makeCreditCode } from "../../server/issuance/check-digits";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { createTestDatabase } from "../helpers/pg";
import { ROOT, startHardhatNode, startService, tempDir, type ChainNode, type ServiceProcess } from "../helpers/processes";

const run = promisify(execFile);
const cli = (args: string[], env: Record<string, string>) =>
  run(process.execPath, ["scripts/lianpiao.js", ...args], { cwd: ROOT, env: { ...process.env, ...env } });

describe("a production deployment: deploy, bureau init, admit, issue, verify", function () {
  this.timeout(240_000);
  let node: ChainNode;
  let db: { url: string; drop(): Promise<void> };
  let svc: ServiceProcess;
  const bureau = devWallet(5);
  const hospital = devWallet(6);
  const password = "correct horse battery staple";

  before(async () => {
    node = await startHardhatNode();
    db = await createTestDatabase();
  });
  after(async () => {
    await svc?.stop();
    await node?.stop();
    await db?.drop();
  });

  it("runs the whole production path with no demo data", async () => {
    const deployed = JSON.parse((await cli(["deploy", "--rpc", node.url, "--private-key", bureau.privateKey], {})).stdout);
    expect(deployed.address).to.match(/^0x[0-9a-fA-F]{40}$/);

    const env = { RPC_URL: node.url, REGISTRY_ADDRESS: deployed.address, DATABASE_URL: db.url, KEYSTORE_PASSWORD: password };
    const init = JSON.parse(
      (
        await cli(["bureau", "init", "--name", "某市财政局", "--credit-code", makeCreditCode("11110000000077777"), "--import-key-from-env", "BUREAU_KEY"], {
          ...env,
          BUREAU_KEY: bureau.privateKey,
        })
      ).stdout,
    );
    expect(init.account).to.equal(bureau.address);
    expect(init.apiKey).to.match(/^lp_bur_/);
    const again = await cli(["bureau", "init", "--name", "x", "--credit-code", makeCreditCode("11110000000077777")], env).catch((e) => e);
    expect(again.code).to.not.equal(0);

    const dataDir = tempDir();
    svc = await startService({ ...env, SIGNER_PRIVATE_KEYS: hospital.privateKey, CONFIRMATIONS: "1" }, { dataDir });
    expect(fs.existsSync(path.join(dataDir, "demo-credentials.json"))).to.equal(false);

    const admitted = await call(svc.url, "POST", "/api/v1/issuers", {
      key: init.apiKey,
      body: {
        name: "某市人民医院",
        creditCode: makeCreditCode("12110000400077777"),
        kind: "medical",
        account: hospital.address,
        billCode: "11060199",
        range: { start: 1, end: 500000 },
      },
    });
    expect(admitted.status, JSON.stringify(admitted.body)).to.equal(201);

    const bill = await call(svc.url, "POST", "/api/v1/invoices", { key: admitted.body.apiKey, body: MEDICAL_EXAMPLE });
    expect(bill.status, JSON.stringify(bill.body)).to.equal(201);
    expect(bill.body.billCode).to.equal("11060199");
    await waitAnchored(svc.url, admitted.body.apiKey, bill.body.id, 60_000);
    const v = await fetch(bill.body.verifyUrl.replace(/^http:\/\/localhost:\d+/, svc.url), { headers: { accept: "application/json" } });
    const verification = (await v.json()) as { verdict: string; checks: unknown };
    expect(verification.verdict, JSON.stringify(verification.checks)).to.equal("VALID");
  });
});
