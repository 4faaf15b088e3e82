// Hardening 9: what the service writes under DATA_DIR (the SQLite store with verification keys and ID
// numbers, its -wal/-shm files, the embedded chain journal, the keystore password, the demo
// credentials) is readable by its user only, also when an older install left it 0644; and the demo
// keys are never printed: the ready line names the 0600 file that holds them.
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { startService, tempDir, type ServiceProcess } from "../helpers/processes";

function modes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir)) out[f] = (fs.statSync(path.join(dir, f)).mode & 0o777).toString(8);
  return out;
}

describe("files under DATA_DIR", function () {
  this.timeout(180_000);
  let svc: ServiceProcess | undefined;
  let umask: number;
  before(() => {
    umask = process.umask(0o022); // the usual umask: files would be 0644 unless the service says otherwise
  });
  after(async () => {
    await svc?.stop();
    process.umask(umask);
  });

  it("are created 0600 in a 0700 directory, and the demo keys stay in their file, not the output", async () => {
    const dataDir = path.join(tempDir(), "data");
    svc = await startService({}, { dataDir });
    const creds = svc.credentials();
    const files = modes(dataDir);
    for (const f of ["lianpiao.sqlite", "lianpiao.sqlite-wal", "lianpiao.sqlite-shm", "chain-journal.sqlite", "keystore-password", "demo-credentials.json"])
      expect(files, f).to.have.property(f);
    for (const [f, mode] of Object.entries(files)) expect(mode, f).to.equal("600");
    expect((fs.statSync(dataDir).mode & 0o777).toString(8)).to.equal("700");
    for (const role of ["hospital", "charity", "bureau", "insurer"] as const) expect(svc.output()).to.not.contain(creds[role].apiKey);
    expect(svc.output()).to.contain(path.join(dataDir, "demo-credentials.json"));
  });

  it("narrows files an older install left 0644 to 0600, and keeps the same keys", async () => {
    const dataDir = svc!.dataDir;
    const creds = svc!.credentials();
    await svc!.stop();
    for (const f of fs.readdirSync(dataDir)) fs.chmodSync(path.join(dataDir, f), 0o644);
    svc = await startService({}, { dataDir });
    for (const [f, mode] of Object.entries(modes(dataDir))) expect(mode, f).to.equal("600");
    expect(svc.credentials().hospital.apiKey).to.equal(creds.hospital.apiKey);
    for (const role of ["hospital", "charity", "bureau", "insurer"] as const) expect(svc.output()).to.not.contain(creds[role].apiKey);
    expect(svc.output()).to.contain("demo-credentials.json");
  });

  it("makes new keys, 0600 and unprinted, when the credentials file was removed", async () => {
    const dataDir = svc!.dataDir;
    const old = svc!.credentials();
    await svc!.stop();
    fs.rmSync(path.join(dataDir, "demo-credentials.json"));
    svc = await startService({}, { dataDir });
    const creds = svc.credentials();
    expect(creds.hospital.apiKey).to.not.equal(old.hospital.apiKey);
    expect(svc.output()).to.not.contain(creds.hospital.apiKey);
    expect(modes(dataDir)["demo-credentials.json"]).to.equal("600");
  });
});
