// Every route of the app against every kind of caller, generated from the app's own route table:
// a new route that is not in the operation list fails here, and so does one that lets in the wrong role.
import { expect } from "chai";
import { OPERATIONS, expressPath, type Operation } from "../../server/openapi/operations";
import { routeTable } from "../../server/http/route-table";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { startInProcess, type InProcess } from "../helpers/in-process";

type Caller = "none" | "wrong" | "revoked" | "bureau" | "hospital" | "charity" | "insurer";
const CALLERS: Caller[] = ["none", "wrong", "revoked", "bureau", "hospital", "charity", "insurer"];
const ROLE: Partial<Record<Caller, string>> = { bureau: "bureau", hospital: "issuer", charity: "issuer", insurer: "relying_party" };

/**
 * The expected answer, written once: no key → 401 on a protected route; a wrong or revoked key → 401
 * anywhere under /api (a bad credential is never ignored); a role the operation does not name → 403;
 * otherwise the request reaches the handler (any status but 401/403, never 5xx).
 */
function expected(op: Operation, caller: Caller): "401" | "403" | "passes" {
  const underApi = op.path.startsWith("/api/");
  if ((caller === "wrong" || caller === "revoked") && underApi) return "401";
  if (op.access === "public") return "passes";
  if (caller === "none" || caller === "wrong" || caller === "revoked") return "401";
  return op.access.includes(ROLE[caller] as never) ? "passes" : "403";
}

describe("the authorization matrix over the app's route table", function () {
  this.timeout(180_000);
  let sys: InProcess;
  const keys: Partial<Record<Caller, string>> = {};
  const params: Record<string, string> = {};

  before(async () => {
    sys = await startInProcess({ AUTH_FAILURES_PER_MIN: "10000", VERIFY_RATE_PER_MIN: "10000" });
    const d = sys.sys.demo!;
    Object.assign(keys, {
      bureau: d.bureau.apiKey,
      hospital: d.hospital.apiKey,
      charity: d.charity.apiKey,
      insurer: d.insurer.apiKey,
      wrong: "lp_iss_notAKeyThatExists00000000000",
    });
    const made = await call(sys.url, "POST", `/api/v1/issuers/${d.hospital.institutionId}/keys`, { key: d.bureau.apiKey, body: {} });
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    const revoked = await call(sys.url, "DELETE", `/api/v1/issuers/${d.hospital.institutionId}/keys/${made.body.id}`, { key: d.bureau.apiKey });
    expect(revoked.status).to.be.oneOf([200, 204]);
    keys.revoked = made.body.apiKey ?? made.body.key;
    const bill = await call(sys.url, "POST", "/api/v1/invoices", { key: d.hospital.apiKey, body: MEDICAL_EXAMPLE });
    await waitAnchored(sys.url, d.hospital.apiKey, bill.body.id, 20_000);
    // Ids that exist where reading is harmless, and ids that do not where acting would change state.
    Object.assign(params, { id: bill.body.id, billCode: bill.body.billCode, billNumber: bill.body.billNumber, keyId: "key_does_not_exist" });
  });
  after(async () => sys?.stop());

  it("lists every route of the app in the operation table", () => {
    const documented = new Set(OPERATIONS.map((o) => `${o.method} ${expressPath(o.path)}`));
    const missing = routeTable(sys.sys.app).filter((r) => !documented.has(`${r.method} ${r.path}`));
    expect(missing, "routes without an access rule").to.deep.equal([]);
  });

  it("answers every operation for every caller as the table says", async () => {
    const failures: string[] = [];
    let cells = 0;
    for (const op of OPERATIONS) {
      // Acting on an issuer by id uses a made-up id: the matrix checks who may call, not what it does.
      const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
        name === "id" && op.path.startsWith("/api/v1/issuers") ? "iss_does_not_exist" : (params[name] ?? "x"),
      );
      for (const caller of CALLERS) {
        const body =
          op.method === "get" || op.method === "delete" ? undefined : op.request?.contentType === "application/json" || !op.request ? {} : "not a pdf";
        const headers: Record<string, string> = op.request && op.request.contentType !== "application/json" ? { "content-type": op.request.contentType } : {};
        const r = await call(sys.url, op.method.toUpperCase(), path, { key: keys[caller], body, headers });
        const want = expected(op, caller);
        cells++;
        // A sign-in judges the credential in its body (empty here), whoever calls it; a browser form
        // refuses a request without its CSRF token (403), whoever calls it.
        const passes = r.status < 500 && (r.status !== 403 || !!op.csrf) && (r.status !== 401 || !!op.signIn);
        const ok = want === "passes" ? passes : r.status === Number(want);
        if (!ok) failures.push(`${op.method.toUpperCase()} ${path} as ${caller}: ${r.status}, expected ${want}`);
      }
    }
    expect(failures).to.deep.equal([]);
    expect(cells).to.equal(OPERATIONS.length * CALLERS.length);
  });
});
