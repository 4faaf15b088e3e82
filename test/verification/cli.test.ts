// `lianpiao verify` against a `hardhat node` process, with the service stopped: the chain alone.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { renderBillPdf } from "../../server/pdf";
import type { BillEnvelope } from "../../server/issuance/model";
import { startHardhatNode, startService, ROOT, type ChainNode, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { savePdf } from "../pdf/helpers";
import { fetchEnvelope, fetchPdf, issueAnchored } from "./fixtures";

function lianpiao(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["scripts/lianpiao.js", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the lianpiao verify command", function () {
  this.timeout(180_000);
  let node: ChainNode;
  let svc: ServiceProcess;
  let creds: DemoCreds;
  const files: Record<string, string> = {};

  before(async () => {
    node = await startHardhatNode();
    // automine: a second confirmation would never come without another transaction
    svc = await startService({ RPC_URL: node.url, BOOTSTRAP: "dev", CONFIRMATIONS: "1" });
    creds = svc.credentials();
    const bill = await issueAnchored(svc.url, creds.hospital.apiKey);
    const env: BillEnvelope = await fetchEnvelope(svc.url, creds.hospital.apiKey, bill.id);
    files.genuine = savePdf(`cli-genuine-${bill.id}`, await fetchPdf(svc.url, creds.hospital.apiKey, bill.id));
    const edited = { ...env, bill: { ...env.bill, total: "15.70" } } as BillEnvelope;
    files.tampered = savePdf(`cli-tampered-${bill.id}`, await renderBillPdf(edited, { verifyUrl: bill.verifyUrl }));
    files.early = savePdf(`cli-early-${bill.id}`, await renderBillPdf({ ...env, anchor: null }, { verifyUrl: bill.verifyUrl }));
    // from here on there is no service: only the chain
    await svc.stop();
  });
  after(async () => {
    await svc?.stop();
    await node?.stop();
    if (svc) rmSync(svc.dataDir, { recursive: true, force: true });
  });

  const chainArgs = () => ["--rpc", node.url, "--registry", creds.registryAddress];

  it("exits 0 and prints VALID with every check in a table for the genuine PDF", () => {
    const r = lianpiao(["verify", files.genuine, ...chainArgs()]);
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    expect(r.stdout).to.include("有效 VALID").and.include("内容完整 Integrity").and.include("电子签名 Signature");
    expect(r.stdout.match(/通过 passed/g)).to.have.length(5);
  });

  it("exits 1 with integrity failed for a PDF whose amount was edited", () => {
    const r = lianpiao(["verify", files.tampered, ...chainArgs(), "--json"]);
    expect(r.code).to.equal(1);
    const v = JSON.parse(r.stdout);
    expect(v.verdict).to.equal("INVALID");
    expect(v.checks.find((c: { name: string }) => c.name === "integrity")).to.include({ status: "failed", code: "HASH_MISMATCH" });
  });

  it("prints parseable JSON with --json and says PENDING for a PDF saved before anchoring", () => {
    const r = lianpiao(["verify", files.early, ...chainArgs(), "--json"]);
    expect(r.code).to.equal(1);
    const v = JSON.parse(r.stdout);
    expect(v.verdict).to.equal("PENDING");
    expect(v.anchor).to.equal(null);
    expect(v.checks.map((c: { status: string }) => c.status)).to.deep.equal(["passed", "pending", "passed", "passed", "passed"]);
  });

  it("says PENDING when the anchor has fewer confirmations than asked for", () => {
    const r = lianpiao(["verify", files.genuine, ...chainArgs(), "--json", "--confirmations", "1000"]);
    expect(r.code).to.equal(1);
    expect(JSON.parse(r.stdout).verdict).to.equal("PENDING");
  });

  it("says ERROR, not INVALID, when the RPC node cannot be reached", () => {
    const r = lianpiao(["verify", files.genuine, "--rpc", "http://127.0.0.1:9", "--registry", creds.registryAddress, "--json", "--timeout", "2000"]);
    expect(r.code).to.equal(1);
    const v = JSON.parse(r.stdout);
    expect(v.verdict).to.equal("ERROR");
    expect(v.checks.filter((c: { status: string }) => c.status === "failed")).to.deep.equal([]);
  });

  it("exits 2 for usage errors", () => {
    expect(lianpiao(["verify", files.genuine]).code).to.equal(2);
    expect(lianpiao(["verify", files.genuine, "--rpc", node.url, "--registry", "0x12"]).code).to.equal(2);
    expect(lianpiao(["verify", "/no/such/file.pdf", ...chainArgs()]).code).to.equal(2);
    expect(lianpiao(["verify", files.genuine, ...chainArgs(), "--no-such-option"]).code).to.equal(2);
  });
});
