// The link printed as an uploaded PDF's QR code (its attachment's document.verifyUrl), held against
// the bill it carries (no service needed).
import { expect } from "chai";
import { parseVerifyUrl, printedQrFinding, type PrintedQrDeps } from "../../server/verification/printed-qr";

const BASE = "https://piao.example.gov.cn";
const THIS = {
  id: "01JD7Q3W8ZK5C4M2N6P0R9T1VX",
  bill_code: "35010126",
  bill_number: "0000012345",
  verify_key: "Xq8vN2mB7cL4pR0sT6wY1zA3",
  leaf: `0x${"a".repeat(64)}`,
};
const OTHER = {
  id: "01JD7Q3W8ZK5C4M2N6P0R9T1VY",
  bill_code: "35010126",
  bill_number: "0000012346",
  verify_key: "Yy8vN2mB7cL4pR0sT6wY1zA9",
  leaf: `0x${"b".repeat(64)}`,
};
const linkOf = (b: typeof THIS, base = BASE) => `${base}/v/${b.id}?k=${b.verify_key}`;
const presented = { billCode: THIS.bill_code, billNumber: THIS.bill_number, leaf: THIS.leaf.toUpperCase().replace("0X", "0x") };
const store: PrintedQrDeps = { findBill: async (id) => [THIS, OTHER].find((b) => b.id === id), publicBaseUrl: BASE };

describe("holding the printed QR code against the bill a PDF carries", () => {
  it("parses only this service's /v/<id>?k= links", () => {
    expect(parseVerifyUrl(linkOf(THIS), BASE)).to.deep.equal({ id: THIS.id, key: THIS.verify_key });
    expect(parseVerifyUrl(`${BASE}/base/v/abc?k=1`, `${BASE}/base/`)).to.deep.equal({ id: "abc", key: "1" });
    for (const url of [
      linkOf(THIS, "https://piao.example.gov.cn.evil.example"),
      linkOf(THIS, "http://piao.example.gov.cn"),
      `${BASE}/x/v/${THIS.id}?k=1`,
      `${BASE}/v/${THIS.id}`,
      `${BASE}/v/${THIS.id}/x?k=1`,
      `${BASE}/v/${THIS.id}?k=1&k=2`,
      "not a url",
      `javascript:alert(1)//v/a?k=1`,
    ]) {
      expect(parseVerifyUrl(url, BASE), url).to.equal(null);
    }
    // without a configured base, any http(s) origin with the right path
    expect(parseVerifyUrl(linkOf(THIS, "http://localhost:8080"))).to.deep.equal({ id: THIS.id, key: THIS.verify_key });
    expect(parseVerifyUrl("ftp://x/v/a?k=1")).to.equal(null);
  });

  it("matches the bill's own link, and fails another bill's, a wrong key and an unknown id alike", async () => {
    expect(await printedQrFinding(linkOf(THIS), presented, store)).to.deep.equal({ kind: "matches", url: linkOf(THIS) });
    const findings = await Promise.all(
      [linkOf(OTHER), `${BASE}/v/${THIS.id}?k=wrong`, `${BASE}/v/${THIS.id}?k=${OTHER.verify_key}`, `${BASE}/v/NOSUCHBILL?k=${THIS.verify_key}`].map((url) =>
        printedQrFinding(url, presented, store),
      ),
    );
    // the bill's own code, number and key, but another leaf: not the stored bill
    findings.push(await printedQrFinding(linkOf(THIS), { ...presented, leaf: OTHER.leaf }, store));
    for (const f of findings) expect(f).to.deep.equal(findings[0]);
    expect(findings[0]).to.include({ kind: "mismatch", code: "QR_OTHER_BILL" });
    expect(JSON.stringify(findings[0])).to.include(THIS.bill_number).and.not.include(OTHER.bill_number);
  });

  it("fails a link to another site", async () => {
    expect(await printedQrFinding(linkOf(THIS, "https://evil.example"), presented, store)).to.include({ kind: "mismatch", code: "QR_OTHER_SITE" });
    expect(await printedQrFinding("javascript:alert(1)", presented, store)).to.include({ kind: "mismatch", code: "QR_OTHER_SITE" });
  });

  it("makes a store that cannot be asked an unchecked finding", async () => {
    const down = await printedQrFinding(linkOf(THIS), presented, {
      findBill: async () => {
        throw new Error("connection refused");
      },
    });
    expect(down).to.include({ kind: "unchecked", code: "STORE_UNAVAILABLE" });
  });
});
