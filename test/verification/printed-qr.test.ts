// The QR code printed on an uploaded PDF, held against the bill it carries (no service needed).
import { expect } from "chai";
import { failed, passed, verdictOf, withPrintedQr } from "../../server/verification/checks";
import { parseVerifyUrl, printedQrFinding, type PrintedQrDeps } from "../../server/verification/printed-qr";
import type { Check } from "../../server/verification/types";

const BASE = "https://piao.example.gov.cn";
const THIS = { id: "01JD7Q3W8ZK5C4M2N6P0R9T1VX", bill_code: "35010126", bill_number: "0000012345", verify_key: "Xq8vN2mB7cL4pR0sT6wY1zA3" };
const OTHER = { id: "01JD7Q3W8ZK5C4M2N6P0R9T1VY", bill_code: "35010126", bill_number: "0000012346", verify_key: "Yy8vN2mB7cL4pR0sT6wY1zA9" };
const linkOf = (b: typeof THIS, base = BASE) => `${base}/v/${b.id}?k=${b.verify_key}`;
const presented = { billCode: THIS.bill_code, billNumber: THIS.bill_number };
const store: PrintedQrDeps = { findBill: async (id) => [THIS, OTHER].find((b) => b.id === id), publicBaseUrl: BASE };
const read = (...texts: string[]) => ({ ok: true as const, text: texts[0], texts });

describe("holding the printed QR code against the bill a PDF carries", () => {
  it("parses only this service's /v/<id>?k= links", () => {
    expect(parseVerifyUrl(linkOf(THIS), BASE)).to.deep.equal({ id: THIS.id, key: THIS.verify_key });
    expect(parseVerifyUrl(`${BASE}/base/v/abc?k=1`, `${BASE}/base/`)).to.deep.equal({ id: "abc", key: "1" });
    for (const url of [linkOf(THIS, "https://piao.example.gov.cn.evil.example"), linkOf(THIS, "http://piao.example.gov.cn"), `${BASE}/x/v/${THIS.id}?k=1`,
      `${BASE}/v/${THIS.id}`, `${BASE}/v/${THIS.id}/x?k=1`, `${BASE}/v/${THIS.id}?k=1&k=2`, "not a url", `javascript:alert(1)//v/a?k=1`]) {
      expect(parseVerifyUrl(url, BASE), url).to.equal(null);
    }
    // without a configured base, any http(s) origin with the right path
    expect(parseVerifyUrl(linkOf(THIS, "http://localhost:8080"))).to.deep.equal({ id: THIS.id, key: THIS.verify_key });
    expect(parseVerifyUrl("ftp://x/v/a?k=1")).to.equal(null);
  });

  it("matches the bill's own link, and fails another bill's, a wrong key and an unknown id alike", async () => {
    expect(await printedQrFinding(read(linkOf(THIS)), presented, store)).to.deep.equal({ kind: "matches", url: linkOf(THIS) });
    const findings = await Promise.all([
      linkOf(OTHER),
      `${BASE}/v/${THIS.id}?k=wrong`,
      `${BASE}/v/${THIS.id}?k=${OTHER.verify_key}`,
      `${BASE}/v/NOSUCHBILL?k=${THIS.verify_key}`,
    ].map((url) => printedQrFinding(read(url), presented, store)));
    for (const f of findings) expect(f).to.deep.equal(findings[0]);
    expect(findings[0]).to.include({ kind: "mismatch", code: "QR_OTHER_BILL" });
    expect(JSON.stringify(findings[0])).to.include(THIS.bill_number).and.not.include(OTHER.bill_number);
  });

  it("fails a link to another site, and any page that also shows a code that is not the bill's", async () => {
    expect(await printedQrFinding(read(linkOf(THIS, "https://evil.example")), presented, store)).to.include({ kind: "mismatch", code: "QR_OTHER_SITE" });
    expect(await printedQrFinding(read(linkOf(THIS), linkOf(OTHER)), presented, store)).to.include({ kind: "mismatch", code: "QR_OTHER_BILL" });
  });

  it("notes an unreadable code, and makes a store that cannot be asked an unchecked finding", async () => {
    const none = await printedQrFinding({ ok: false, code: "NO_QR", message: "no QR code" }, presented, store);
    expect(none).to.deep.equal({ kind: "unreadable", reason: "NO_QR: no QR code" });
    const down = await printedQrFinding(read(linkOf(THIS)), presented, { findBill: async () => { throw new Error("connection refused"); } });
    expect(down).to.include({ kind: "unchecked", code: "STORE_UNAVAILABLE" });
  });

  it("folds the finding into the integrity check and so into the verdict", () => {
    const ok = passed("integrity", "The bill hashes to 0xab");
    const rest: Check[] = ["inclusion", "issuer", "status", "signature"].map((n) => passed(n as Check["name"], ""));
    const verdict = (integrity: Check) => verdictOf([integrity, ...rest], false);
    expect(withPrintedQr(ok, undefined)).to.equal(ok);
    expect(verdict(withPrintedQr(ok, { kind: "matches", url: "u" }))).to.equal("VALID");
    const unread = withPrintedQr(ok, { kind: "unreadable", reason: "NO_QR: none" });
    expect(unread).to.include({ status: "passed" });
    expect(unread.detail).to.include("could not be read (NO_QR: none)");
    expect(verdict(unread)).to.equal("VALID");
    const printed = withPrintedQr(ok, { kind: "printed", url: "https://x/v/a?k=b" });
    expect(printed.detail).to.include("https://x/v/a?k=b");
    expect(verdict(printed)).to.equal("VALID");
    const other = withPrintedQr(ok, { kind: "mismatch", code: "QR_OTHER_BILL", detail: "belongs to another bill" });
    expect(other).to.deep.equal(failed("integrity", "QR_OTHER_BILL", "belongs to another bill"));
    expect(verdict(other)).to.equal("INVALID");
    // a bill already failing keeps its first reason
    const tampered = withPrintedQr(failed("integrity", "HASH_MISMATCH", "altered"), { kind: "mismatch", code: "QR_OTHER_BILL", detail: "belongs to another bill" });
    expect(tampered).to.include({ status: "failed", code: "HASH_MISMATCH" });
    expect(tampered.detail).to.include("belongs to another bill");
    const unchecked = withPrintedQr(ok, { kind: "unchecked", code: "STORE_UNAVAILABLE", detail: "store down" });
    expect(unchecked).to.include({ status: "error", code: "STORE_UNAVAILABLE" });
    expect(verdict(unchecked)).to.equal("ERROR");
  });
});
