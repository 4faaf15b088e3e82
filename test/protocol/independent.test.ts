// docs/PROTOCOL.md is enough to verify a bill: test/protocol/independent-verifier.ts, written from it
// with general libraries only, reaches the same verdict as lianpiao's own verifier on bills the
// service issued — genuine, pending, voided and tampered.
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { call, MEDICAL_EXAMPLE } from "../helpers/api";
import { startService, tempDir } from "../helpers/processes";
import { fetchPdf, issue, issueAnchored, sharedService, uploadPdf, type DemoCreds, type ServiceProcess } from "../verification/fixtures";
import { verifyPdfIndependently } from "./independent-verifier";

describe("an independent verifier written from docs/PROTOCOL.md alone", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  const dir = tempDir("lianpiao-independent-");
  const save = (name: string, pdf: Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, pdf);
    return file;
  };
  const independently = (file: string) => verifyPdfIndependently(file, creds.rpcUrl, creds.registryAddress);

  before(async () => {
    svc = await sharedService();
    creds = svc.credentials();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("imports nothing from lianpiao's own code, only general libraries", () => {
    const source = fs.readFileSync(path.join(__dirname, "independent-verifier.ts"), "utf8");
    const imports = [...source.matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
    // ../sm/independent-sm2 is test code too: gm-crypto's SM3 and curve arithmetic written from GM/T 0003
    expect(imports.sort()).to.deep.equal(["../sm/independent-sm2", "@openzeppelin/merkle-tree", "canonicalize", "ethers", "node:child_process"]);
    const sm2Source = fs.readFileSync(path.join(__dirname, "..", "sm", "independent-sm2.ts"), "utf8");
    expect([...sm2Source.matchAll(/from "([^"]+)"/g)].map((m) => m[1])).to.deep.equal(["gm-crypto"]);
  });

  it("says VALID for an anchored bill's PDF, as the service does", async () => {
    const bill = await issueAnchored(svc.url, creds.hospital.apiKey);
    const pdf = await fetchPdf(svc.url, creds.hospital.apiKey, bill.id);
    const mine = await independently(save("valid.pdf", pdf));
    expect(mine, JSON.stringify(mine)).to.include({ verdict: "VALID" });
    expect(mine.notChecked.join()).to.match(/§10/);
    expect((await uploadPdf(svc.url, pdf)).body.verdict).to.equal("VALID");
  });

  it("says PENDING for a bill not yet anchored, as the service does", async () => {
    // a service whose batches wait ten minutes: its bill stays pending for the whole test
    const slow = await startService({ BATCH_MAX_AGE_MS: "600000" });
    try {
      const c = slow.credentials();
      const bill = await issue(slow.url, c.hospital.apiKey);
      const pdf = await fetchPdf(slow.url, c.hospital.apiKey, bill.id);
      expect(pdf.toString("latin1")).to.include('"anchor":null');
      expect((await verifyPdfIndependently(save("pending.pdf", pdf), c.rpcUrl, c.registryAddress)).verdict).to.equal("PENDING");
      expect((await uploadPdf(slow.url, pdf)).body.verdict).to.equal("PENDING");
    } finally {
      await slow.stop();
    }
  });

  it("says VOIDED once the issuer voids the bill, as the service does", async () => {
    const bill = await issueAnchored(svc.url, creds.hospital.apiKey, { ...MEDICAL_EXAMPLE, remarks: "independent void" });
    const pdf = await fetchPdf(svc.url, creds.hospital.apiKey, bill.id);
    expect((await call(svc.url, "POST", `/api/v1/invoices/${bill.id}/void`, { key: creds.hospital.apiKey, body: { reason: "重复开票" } })).status).to.equal(
      200,
    );
    const deadline = Date.now() + 30_000;
    let verdict = "";
    while (Date.now() < deadline && verdict !== "VOIDED") {
      verdict = (await independently(save("voided.pdf", pdf))).verdict;
      if (verdict !== "VOIDED") await new Promise((r) => setTimeout(r, 250));
    }
    expect(verdict).to.equal("VOIDED");
    expect((await uploadPdf(svc.url, pdf)).body.verdict).to.equal("VOIDED");
  });

  it("says INVALID when the attachment's amount is edited, as the service does", async () => {
    const bill = await issueAnchored(svc.url, creds.hospital.apiKey);
    const pdf = await fetchPdf(svc.url, creds.hospital.apiKey, bill.id);
    // the attachment is stored uncompressed: the same number of bytes, another total
    const text = pdf.toString("latin1");
    const at = text.indexOf('"total":"157.00"');
    expect(at).to.be.greaterThan(0);
    const forged = Buffer.from(text.slice(0, at) + '"total":"957.00"' + text.slice(at + 16), "latin1");
    const mine = await independently(save("forged.pdf", forged));
    expect(mine.verdict).to.equal("INVALID");
    expect(mine.reasons.join()).to.match(/integrity/);
    expect((await uploadPdf(svc.url, forged)).body.verdict).to.equal("INVALID");
  });

  it("says INVALID for a file with no lianpiao attachment", async () => {
    const mine = await independently(save("empty.pdf", Buffer.from("%PDF-1.7\n%%EOF\n")));
    expect(mine.verdict).to.equal("INVALID");
  });
});
