// The file check's rules without a service (server/verification/file-check.ts): what it answers for
// each situation, and what it does to the verdict.
import { expect } from "chai";
import { leafOf } from "../../server/issuance/canonical";
import { commitBill } from "../../server/issuance/commitments";
import type { BillEnvelope } from "../../server/issuance/model";
import { RENDERER } from "../../server/pdf/document";
import { renderBillPdf } from "../../server/pdf/render";
import { sha256Hex } from "../../server/store/delivered-files";
import { failed, passed } from "../../server/verification/checks";
import { fileCheck, withFileCheck, type FileCheckDeps, type ServiceFiles } from "../../server/verification/file-check";
import type { Check, Verification } from "../../server/verification/types";
import { outpatient } from "../pdf/fixtures";

const URL = "https://piao.example.gov.cn/v/BILL1?k=secret-key";
const { billHash: hash, salts } = commitBill(outpatient as unknown as Record<string, unknown>);
const envelope: BillEnvelope = {
  format: "lianpiao-bill/3",
  bill: outpatient,
  salts,
  withheld: {},
  billHash: hash,
  leaf: leafOf(hash),
  signature: `0x${"c".repeat(130)}`,
  sm2: { publicKey: `0x04${"d".repeat(128)}`, signature: `0x${"e".repeat(128)}` },
  anchor: null,
};
const attachment = (document: unknown = { renderer: RENDERER, verifyUrl: URL }) => ({ ...envelope, document });
const row = { id: "BILL1", bill_code: outpatient.billCode, bill_number: outpatient.billNumber, verify_key: "secret-key", leaf: envelope.leaf };

describe("the file check's rules", function () {
  this.timeout(60_000);
  let pdf: Buffer;
  let renders = 0;
  const render: FileCheckDeps["render"] = async (e, verifyUrl) => {
    renders++;
    return renderBillPdf(e, { verifyUrl });
  };
  const service = (over: Partial<ServiceFiles> = {}): ServiceFiles => ({
    findByNumber: async (code, number) => (code === row.bill_code && number === row.bill_number ? row : undefined),
    delivered: async () => undefined,
    findBill: async (id) => (id === row.id ? row : undefined),
    publicBaseUrl: "https://piao.example.gov.cn",
    ...over,
  });
  before(async () => {
    pdf = await renderBillPdf(envelope, { verifyUrl: URL });
  });

  it("passes the issued file: without a store it reports the link, with one it holds the link against the bill", async () => {
    const cli = await fileCheck(pdf, attachment(), { render });
    expect(cli).to.include({ name: "file", status: "passed" });
    expect(cli.detail).to.include(`its QR code links to ${URL}`);
    const svc = await fileCheck(pdf, attachment(), { render, service: service() });
    expect(svc.detail).to.include("its QR code is this bill's verification link");
  });

  it("passes a delivered file by its SHA-256 without rendering, whatever renderer made it", async () => {
    const before = renders;
    const delivered = async (id: string, sha: string) =>
      id === row.id && sha === sha256Hex(pdf) ? { billId: id, sha256: sha, bytes: pdf.length, renderer: "lianpiao-pdf/1", createdAt: 0 } : undefined;
    const c = await fileCheck(pdf, attachment({ renderer: "lianpiao-pdf/1", verifyUrl: URL }), { render, service: service({ delivered }) });
    expect(c).to.include({ status: "passed" });
    expect(c.detail).to.include("lianpiao-pdf/1");
    expect(renders).to.equal(before);
  });

  it("cannot compare a file of another renderer, or one that names none: error, not failure", async () => {
    expect(await fileCheck(pdf, attachment({ renderer: "lianpiao-pdf/9", verifyUrl: URL }), { render })).to.include({
      status: "error",
      code: "RENDERER_MISMATCH",
    });
    expect(await fileCheck(pdf, envelope, { render })).to.include({ status: "error", code: "RENDERER_MISMATCH" });
    expect(await fileCheck(pdf, attachment({ renderer: 7 }), { render })).to.include({ status: "failed", code: "FILE_MODIFIED" });
  });

  it("does not render an altered or malformed bill, nor one this service never issued", async () => {
    const before = renders;
    expect(await fileCheck(pdf, { ...attachment(), bill: { ...outpatient, total: "1.00" } }, { render })).to.include({ status: "skipped" });
    expect(await fileCheck(pdf, { hello: 1 }, { render })).to.include({ status: "skipped" });
    const foreign = await fileCheck(pdf, attachment(), { render, service: service({ findByNumber: async () => undefined }) });
    expect(foreign).to.include({ status: "failed", code: "FILE_NOT_ISSUED" });
    expect(renders).to.equal(before);
  });

  it("says ERROR when the renderer is busy or fails, or the store cannot be asked", async () => {
    const busy = Object.assign(new Error("busy"), { code: "PDF_RENDER_BUSY" });
    expect(await fileCheck(pdf, attachment(), { render: async () => Promise.reject(busy) })).to.include({ status: "error", code: "SERVICE_BUSY" });
    expect(await fileCheck(pdf, attachment(), { render: async () => Promise.reject(new Error("boom")) })).to.include({
      status: "error",
      code: "RENDER_FAILED",
    });
    const down = service({ findByNumber: async () => Promise.reject(new Error("connection refused")) });
    expect(await fileCheck(pdf, attachment(), { render, service: down })).to.include({ status: "error", code: "STORE_UNAVAILABLE" });
  });

  it("fails a genuine rendering whose link is another site's or another bill's", async () => {
    for (const [url, code] of [
      ["https://evil.example/v/BILL1?k=secret-key", "QR_OTHER_SITE"],
      ["https://piao.example.gov.cn/v/BILL1?k=guess", "QR_OTHER_BILL"],
    ]) {
      const forged = await renderBillPdf(envelope, { verifyUrl: url });
      expect(await fileCheck(forged, attachment({ renderer: RENDERER, verifyUrl: url }), { render, service: service() }), url).to.include({
        status: "failed",
        code,
      });
    }
  });

  it("makes the verdict INVALID when it fails (over VOIDED and ERROR), ERROR when it cannot tell, and keeps VALID when it passes", () => {
    const six: Check[] = ["integrity", "inclusion", "issuer", "status", "signature", "sm2"].map((n) => passed(n as Check["name"], ""));
    const base = { notice: "", bill: null, anchor: null, reimbursement: null, claims: null, withheld: [] };
    const valid: Verification = { verdict: "VALID", checks: six, ...base };
    const voided: Verification = {
      verdict: "VOIDED",
      checks: [...six.slice(0, 3), failed("status", "VOIDED", "voided"), ...six.slice(4)],
      void: { reason: "r", at: null },
      ...base,
    };
    const error: Verification = {
      verdict: "ERROR",
      checks: [...six.slice(0, 1), { name: "inclusion", status: "error", code: "CHAIN_UNREACHABLE", detail: "" }, ...six.slice(2)],
      ...base,
    };
    const ok = passed("file", "same");
    const bad = failed("file", "FILE_MODIFIED", "differs");
    const cannot: Check = { name: "file", status: "error", code: "RENDERER_MISMATCH", detail: "" };
    expect(withFileCheck(valid, ok).verdict).to.equal("VALID");
    expect(withFileCheck(valid, ok).checks.map((c) => c.name)).to.deep.equal(["integrity", "inclusion", "issuer", "status", "signature", "sm2", "file"]);
    expect(withFileCheck(valid, bad).verdict).to.equal("INVALID");
    expect(withFileCheck(valid, cannot).verdict).to.equal("ERROR");
    expect(withFileCheck(voided, ok)).to.deep.include({ verdict: "VOIDED", void: { reason: "r", at: null } });
    const voidedBad = withFileCheck(voided, bad);
    expect(voidedBad.verdict).to.equal("INVALID");
    expect(voidedBad).to.not.have.property("void");
    expect(withFileCheck(error, bad).verdict).to.equal("INVALID");
    expect(withFileCheck(error, ok).verdict).to.equal("ERROR");
  });
});
