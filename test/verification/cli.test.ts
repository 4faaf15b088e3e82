// `lianpiao verify` against a `hardhat node` process, with the service stopped: the chain alone.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { readFileSync } from "node:fs";
import { renderBillPdf } from "../../server/pdf";
import { RENDERER } from "../../server/pdf/document";
import type { BillEnvelope } from "../../server/issuance/model";
import { NOTICE } from "../../server/verification/notice";
import { waitAnchored } from "../helpers/api";
import { startHardhatNode, startService, ROOT, type ChainNode, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import {
  decoyAfterEof,
  drawnOverByUpdate,
  layoutOf,
  paintOver,
  paintedOverInPlace,
  pageAsFormAround,
  partsOf,
  resavedByQpdf,
  withOpenAction,
} from "../pdf/forgeries";
import { savePdf } from "../pdf/helpers";
import { fetchEnvelope, fetchPdf, issue, issueAnchored } from "./fixtures";

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
  let verifyUrl: string;
  let parts: ReturnType<typeof partsOf>;

  before(async () => {
    node = await startHardhatNode();
    // automine: a second confirmation would never come without another transaction
    // batches wait 2 s: the first download is made while the bill is pending
    svc = await startService({ RPC_URL: node.url, BOOTSTRAP: "dev", CONFIRMATIONS: "1", BATCH_MAX_AGE_MS: "2000" });
    creds = svc.credentials();
    const bill = await issue(svc.url, creds.hospital.apiKey);
    files.delivered_pending = savePdf(`cli-delivered-pending-${bill.id}`, await fetchPdf(svc.url, creds.hospital.apiKey, bill.id));
    await waitAnchored(svc.url, creds.hospital.apiKey, bill.id);
    verifyUrl = bill.verifyUrl;
    const env: BillEnvelope = await fetchEnvelope(svc.url, creds.hospital.apiKey, bill.id);
    const genuine = await fetchPdf(svc.url, creds.hospital.apiKey, bill.id);
    files.genuine = savePdf(`cli-genuine-${bill.id}`, genuine);
    const otherBill = await issueAnchored(svc.url, creds.charity.apiKey, {
      kind: "donation",
      donor: { name: "陈小明", type: "individual" },
      items: [{ name: "儿童先心病救助项目", form: "cash", amount: "500.00" }],
      total: "500.00",
      purpose: "儿童先心病救助",
      payee: "赵六",
      reviewer: "钱七",
    });
    const other = await fetchPdf(svc.url, creds.charity.apiKey, otherBill.id);
    // the attacks, on the genuine anchored file
    files.paintedInPlace = savePdf(`cli-painted-${bill.id}`, paintedOverInPlace(genuine, "¥157.00", "¥9157.00"));
    files.paintedByUpdate = savePdf(`cli-painted-update-${bill.id}`, drawnOverByUpdate(genuine, paintOver(genuine, "¥157.00", "¥9157.00")));
    files.stamped = savePdf(`cli-stamped-${bill.id}`, drawnOverByUpdate(genuine, "q 1 0 0 rg BT /FForged 40 Tf 200 150 Td (PAID - REIMBURSED) Tj ET Q\n"));
    files.formXObject = savePdf(`cli-form-${bill.id}`, pageAsFormAround(other, genuine));
    files.decoy = savePdf(`cli-decoy-${bill.id}`, decoyAfterEof(other, genuine));
    files.openAction = savePdf(`cli-js-${bill.id}`, withOpenAction(genuine, "app.alert('paid');"));
    files.truncated = savePdf(`cli-truncated-${bill.id}`, genuine.subarray(0, layoutOf(genuine).xrefAt + 100));
    files.qpdf = savePdf(`cli-qpdf-${bill.id}`, resavedByQpdf(genuine, `cli-resave-${bill.id}`));
    files.otherRenderer = savePdf(
      `cli-renderer-${bill.id}`,
      Buffer.from(genuine.toString("latin1").replace(`"renderer":"${RENDERER}"`, `"renderer":"${RENDERER.replace(/\d+$/, "9")}"`), "latin1"),
    );
    parts = partsOf(genuine);
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

  it("exits 0 and prints VALID with every check in a table for the genuine PDF, the file check sixth, the notice and the printed link", () => {
    const r = lianpiao(["verify", files.genuine, ...chainArgs()]);
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    expect(r.stdout).to.include("有效 VALID").and.include("内容完整 Integrity").and.include("电子签名 Signature").and.include("原始文件 File");
    expect(r.stdout.match(/通过 Passed/g)).to.have.length(7);
    expect(r.stdout).to.include(`注意 Notice: ${NOTICE}`);
    expect(r.stdout).to.include(`二维码链接 Printed link: ${verifyUrl}`);
    expect(r.stdout).to.include(`byte for byte the file ${RENDERER} renders for this bill`);
  });

  it("re-renders the genuine file as delivered while pending: the file check passes (PENDING: no store to supply the proof)", () => {
    const r = lianpiao(["verify", files.delivered_pending, ...chainArgs(), "--json"]);
    const v = JSON.parse(r.stdout);
    expect(v.verdict).to.equal("PENDING");
    expect(v.notice).to.equal(NOTICE);
    expect(v.checks.map((c: { status: string }) => c.status)).to.deep.equal(["passed", "pending", "passed", "passed", "passed", "passed", "passed"]);
    expect(v.checks[6].detail).to.include(`its QR code links to ${verifyUrl}`);
    expect(readFileSync(files.delivered_pending).equals(readFileSync(files.genuine))).to.equal(false);
  });

  /** The forgery exits 1, not VALID, with the file check failed with `code`, its detail naming what differs. */
  function refused(file: string, code: string, ...named: string[]): void {
    const r = lianpiao(["verify", file, ...chainArgs(), "--json"]);
    expect(r.code, r.stderr).to.equal(1);
    const v = JSON.parse(r.stdout);
    expect(v.verdict).to.equal("INVALID");
    const check = v.checks.find((c: { name: string }) => c.name === "file");
    expect(check).to.include({ status: "failed", code });
    for (const n of named) expect(check.detail).to.include(n);
    expect(v.checks.filter((c: { status: string }) => c.status !== "passed").map((c: { name: string }) => c.name)).to.deep.equal(["file"]);
  }

  it("attack: the total painted over, the content stream rewritten in place", () => {
    refused(files.paintedInPlace, "FILE_MODIFIED", `object ${parts.resources}: the resources of page 1 of 1`);
  });

  it("attack: the total painted over through an incremental update", () => {
    refused(files.paintedByUpdate, "FILE_APPENDED", "after its %%EOF", `redefines object ${parts.page} (the dictionary of page 1 of 1)`);
  });

  it("attack: an incremental update that draws over the page", () => {
    refused(files.stamped, "FILE_APPENDED", "incremental update");
  });

  it("attack: another bill's page drawn as a Form XObject around this bill's attachment", () => {
    refused(files.formXObject, "FILE_MODIFIED", "differs from the issued file from byte");
  });

  it("attack: a decoy object appended after %%EOF", () => {
    refused(files.decoy, "FILE_MODIFIED", "the embedded bill (lianpiao-bill.json)");
  });

  it("attack: JavaScript added (an OpenAction)", () => {
    refused(files.openAction, "FILE_APPENDED", "/OpenAction", "/JavaScript", `redefines object ${parts.catalog} (the document catalog)`);
  });

  it("attack: the file truncated", () => {
    refused(files.truncated, "FILE_TRUNCATED", "cut off inside the cross-reference table");
  });

  it("attack: the file re-saved by qpdf", () => {
    refused(files.qpdf, "FILE_MODIFIED", "the file header");
  });

  it("says ERROR, not INVALID, for a file of another renderer version", () => {
    const r = lianpiao(["verify", files.otherRenderer, ...chainArgs(), "--json"]);
    expect(r.code).to.equal(1);
    const v = JSON.parse(r.stdout);
    expect(v.verdict).to.equal("ERROR");
    expect(v.checks.find((c: { name: string }) => c.name === "file")).to.include({ status: "error", code: "RENDERER_MISMATCH" });
  });

  it("exits 1 with integrity failed for a PDF whose amount was edited", () => {
    const r = lianpiao(["verify", files.tampered, ...chainArgs(), "--json"]);
    expect(r.code).to.equal(1);
    const v = JSON.parse(r.stdout);
    expect(v.verdict).to.equal("INVALID");
    expect(v.checks.find((c: { name: string }) => c.name === "integrity")).to.include({ status: "failed", code: "HASH_MISMATCH" });
    expect(v.checks.find((c: { name: string }) => c.name === "file")).to.include({ status: "skipped" });
  });

  it("prints parseable JSON with --json and says PENDING for a PDF saved before anchoring", () => {
    const r = lianpiao(["verify", files.early, ...chainArgs(), "--json"]);
    expect(r.code).to.equal(1);
    const v = JSON.parse(r.stdout);
    expect(v.verdict).to.equal("PENDING");
    expect(v.anchor).to.equal(null);
    expect(v.checks.map((c: { status: string }) => c.status)).to.deep.equal(["passed", "pending", "passed", "passed", "passed", "passed", "passed"]);
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
