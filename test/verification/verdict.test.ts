// The verdict rules of SPEC §4, table-driven over check outcomes.
import { expect } from "chai";
import { verdictOf } from "../../server/verification/checks";
import { escapeHtml } from "../../server/format/html";
import type { Check, CheckName, CheckStatus } from "../../server/verification/types";

const NAMES: CheckName[] = ["integrity", "inclusion", "issuer", "status", "signature", "sm2"];

function checks(overrides: Partial<Record<CheckName, CheckStatus>>): Check[] {
  return NAMES.map((name) => ({ name, status: overrides[name] ?? "passed", detail: "", code: "X" }) as Check);
}

describe("the verdict of a verification", () => {
  const cases: Array<[string, Partial<Record<CheckName, CheckStatus>>, boolean, string]> = [
    ["all checks passed", {}, false, "VALID"],
    ["integrity failed", { integrity: "failed" }, false, "INVALID"],
    ["signature failed", { signature: "failed" }, false, "INVALID"],
    ["inclusion failed", { inclusion: "failed" }, false, "INVALID"],
    ["issuer failed", { issuer: "failed" }, false, "INVALID"],
    ["integrity failed while the chain is down", { integrity: "failed", inclusion: "error" }, false, "INVALID"],
    ["the chain could not be asked", { inclusion: "error", issuer: "error", status: "error" }, false, "ERROR"],
    ["the store could not be asked", { status: "error" }, false, "ERROR"],
    ["an unanswered check on a voided bill", { inclusion: "error", status: "failed" }, true, "ERROR"],
    ["voided", { status: "failed" }, true, "VOIDED"],
    ["voided before it was anchored", { inclusion: "pending", status: "failed" }, true, "VOIDED"],
    ["not yet anchored, signed by an admitted issuer", { inclusion: "pending" }, false, "PENDING"],
    ["too few confirmations", { inclusion: "pending" }, false, "PENDING"],
    ["the SM2 seal failed", { sm2: "failed" }, false, "INVALID"],
    ["the SM2 seal failed while the chain is down", { sm2: "failed", inclusion: "error" }, false, "INVALID"],
    ["pending but the SM2 seal was not checked", { inclusion: "pending", sm2: "skipped" }, false, "INVALID"],
    ["pending but the signature was not checked", { inclusion: "pending", signature: "skipped" }, false, "INVALID"],
  ];
  for (const [when, overrides, voided, verdict] of cases) {
    it(`is ${verdict} when ${when}`, () => {
      expect(verdictOf(checks(overrides), voided)).to.equal(verdict);
    });
  }
});

describe("escaping on every page (the one helper, http/html.ts)", () => {
  it("turns every HTML-significant character of a bill's text into an entity", () => {
    expect(escapeHtml(`<script>alert("x")</script>&'`)).to.equal("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;");
  });
});
