/**
 * Operations of the bureau, voiding, reimbursement and verification areas (see operations.ts).
 */
import { admitBody, issuerListQuery, keyBody, rangeBody, statusBody } from "../registry/issuer-routes";
import { markBody, releaseClaimBody, voidBody } from "../lifecycle/routes";
import { relyingPartyBody } from "../registry/relying-parties";
import { manualBody } from "../verification/routes";
import { reconQuery, registryBillsQuery, statsQuery } from "../registry/registry-routes";
import { auditQuery } from "../registry/audit-routes";
import { authProblems, badQuery, problem, type Operation } from "./responses";
import { CopyAttachment, ApiKeyCreated, AuditPage, BillDetail, BillSummary, Issuer, IssuerList, RangeAllotted, Reconciliation, RegistryBills, Reimbursement, RelyingParty, RelyingPartyList, Stats, Verification } from "./shapes";

const bureau = ["bureau"] as Operation["access"];
const html = (description: string) => ({ description, contentType: "text/html" });
const notFound = (what: string) => problem(`No such ${what}.`, "NOT_FOUND");
const invalidBody = problem("Invalid body: errors[] names each field.", "INVALID_BODY");
const notJson = problem("Not application/json.", "UNSUPPORTED_MEDIA_TYPE");
const verifyLimited = problem("Too many verifications from this address; retry after Retry-After.", "RATE_LIMITED");

export const BUREAU_OPERATIONS: Operation[] = [
  {
    method: "post", path: "/api/v1/issuers", operationId: "admitIssuer", summary: "Admit an issuer: on chain, its key, its bill range, its first API key (shown once)", tag: "bureau", access: bureau,
    request: { contentType: "application/json", schema: admitBody },
    responses: { 201: { description: "Admitted.", schema: Issuer }, ...authProblems, 409: problem("Credit code or account already admitted.", "ISSUER_EXISTS"), 415: notJson, 422: invalidBody, 502: problem("The chain refused.", "CHAIN_REFUSED") },
  },
  { method: "get", path: "/api/v1/issuers", operationId: "listIssuers", summary: "Issuers with state, ranges and figures", tag: "bureau", access: bureau, query: issuerListQuery, responses: { 200: { description: "Issuers.", schema: IssuerList }, 400: badQuery, ...authProblems } },
  { method: "get", path: "/api/v1/issuers/{id}", operationId: "getIssuer", summary: "One issuer, its keys and its state on chain", tag: "bureau", access: bureau, responses: { 200: { description: "The issuer.", schema: Issuer }, 404: notFound("issuer"), ...authProblems } },
  ...(["suspend", "reinstate"] as const).map((action): Operation => ({
    method: "post", path: `/api/v1/issuers/{id}/${action}`, operationId: action === "suspend" ? "suspendIssuer" : "reinstateIssuer",
    summary: action === "suspend" ? "Suspend an issuer on chain and off; its earlier bills stay valid" : "Reinstate a suspended issuer", tag: "bureau", access: bureau,
    request: { contentType: "application/json", schema: statusBody },
    responses: { 200: { description: "The new state.", schema: Issuer }, 404: notFound("issuer"), 409: problem("Already in that state.", "BILL_NOT_VALID", "ISSUER_EXISTS"), 422: invalidBody, 502: problem("The chain refused.", "CHAIN_REFUSED"), ...authProblems },
  })),
  {
    method: "post", path: "/api/v1/issuers/{id}/ranges", operationId: "allotRange", summary: "Allot a further bill-number range (号段)", tag: "bureau", access: bureau,
    request: { contentType: "application/json", schema: rangeBody },
    responses: { 201: { description: "Allotted.", schema: RangeAllotted }, 404: notFound("issuer"), 415: notJson, 422: problem("Invalid or overlapping range.", "INVALID_BODY"), 502: problem("The chain refused.", "CHAIN_REFUSED"), ...authProblems },
  },
  {
    method: "post", path: "/api/v1/issuers/{id}/keys", operationId: "createIssuerKey", summary: "A new API key for the institution (shown once)", tag: "bureau", access: bureau,
    request: { contentType: "application/json", schema: keyBody },
    responses: { 201: { description: "The key.", schema: ApiKeyCreated }, 404: notFound("institution"), 422: invalidBody, ...authProblems },
  },
  {
    method: "post", path: "/api/v1/relying-parties", operationId: "admitRelyingParty", summary: "Admit a relying party (insurer, employer, tax office): its role on chain and its first API key (shown once)", tag: "bureau", access: bureau,
    request: { contentType: "application/json", schema: relyingPartyBody },
    responses: { 201: { description: "Admitted.", schema: RelyingParty }, 409: problem("Credit code already admitted.", "ISSUER_EXISTS"), 415: notJson, 422: invalidBody, 502: problem("The chain refused.", "CHAIN_REFUSED"), ...authProblems },
  },
  { method: "get", path: "/api/v1/relying-parties", operationId: "listRelyingParties", summary: "Relying parties", tag: "bureau", access: bureau, responses: { 200: { description: "Relying parties.", schema: RelyingPartyList }, ...authProblems } },
  {
    method: "post", path: "/api/v1/relying-parties/{id}/keys", operationId: "createRelyingPartyKey", summary: "A new API key for a relying party (shown once)", tag: "bureau", access: bureau,
    request: { contentType: "application/json", schema: keyBody },
    responses: { 201: { description: "The key.", schema: ApiKeyCreated }, 404: notFound("relying party"), 415: notJson, 422: invalidBody, ...authProblems },
  },
  { method: "delete", path: "/api/v1/relying-parties/{id}/keys/{keyId}", operationId: "revokeRelyingPartyKey", summary: "Revoke a relying party's API key", tag: "bureau", access: bureau, responses: { 204: { description: "Revoked." }, 404: notFound("key"), ...authProblems } },
  { method: "delete", path: "/api/v1/issuers/{id}/keys/{keyId}", operationId: "revokeIssuerKey", summary: "Revoke an API key", tag: "bureau", access: bureau, responses: { 204: { description: "Revoked." }, 404: notFound("key"), ...authProblems } },
  {
    method: "get", path: "/api/v1/registry/stats", operationId: "getRegistryStats", summary: "Figures per issuer and day or month", tag: "bureau", access: bureau,
    query: statsQuery,
    responses: { 200: { description: "Figures.", schema: Stats }, 400: badQuery, ...authProblems },
  },
  {
    method: "get", path: "/api/v1/registry/bills", operationId: "searchRegistryBills", summary: "Search bills with the issuers' filters; JSON pages, CSV or XLSX", tag: "bureau", access: bureau,
    description: "The same filters as GET /api/v1/invoices, and the bureau's own. JSON pages; or the whole result as CSV (RFC 4180, UTF-8 with BOM; codes written =\"…\" so spreadsheets keep them as text; text starting with = + - @ prefixed with ') or as XLSX (codes as text cells, totals as numbers), by `format` or Accept.",
    query: registryBillsQuery,
    responses: {
      200: {
        description: "A page of bills, or every matching bill as CSV or XLSX.",
        schema: RegistryBills,
        alternatives: { "text/csv": { description: "RFC 4180 CSV with a UTF-8 BOM; the header row is CSV_HEADER." }, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { description: "An XLSX workbook, one sheet.", binary: true } },
      },
      400: badQuery, ...authProblems,
    },
  },
  {
    method: "get", path: "/api/v1/registry/reconciliation", operationId: "reconcileRegistry", summary: "Compare the store with the registry's events on chain", tag: "bureau", access: bureau,
    query: reconQuery,
    responses: { 200: { description: "The report, each discrepancy precisely.", schema: Reconciliation }, 400: badQuery, 503: problem("The chain cannot be reached.", "CHAIN_UNAVAILABLE"), ...authProblems },
  },
  { method: "get", path: "/api/v1/audit", operationId: "listAuditLog", summary: "The append-only audit log", tag: "bureau", access: bureau, query: auditQuery, responses: { 200: { description: "Entries.", schema: AuditPage }, 400: badQuery, ...authProblems } },
  {
    method: "post", path: "/api/v1/invoices/{id}/void", operationId: "voidInvoice", summary: "Void (冲红) a bill and issue its red bill", tag: "lifecycle", access: ["issuer"],
    request: { contentType: "application/json", schema: voidBody, examples: { refund: { summary: "A refund", value: { reason: "患者退费" } } } },
    responses: {
      200: { description: "Voided, with its red bill.", schema: BillDetail.extend({ redBill: BillSummary }).meta({ id: "VoidedBill", description: "The voided bill and its red bill (红字票据)." }) },
      ...authProblems,
      403: problem("The key's role may not void, or the issuer is suspended.", "FORBIDDEN", "ISSUER_SUSPENDED"),
      404: problem("No such bill (or not yours).", "NOT_FOUND"),
      409: problem("Already voided, reimbursed, claimed in parts (the parties must release their claims first), a red bill, or a mark in flight.", "ALREADY_VOIDED", "BILL_REIMBURSED", "BILL_CLAIMED", "BILL_NOT_VALID", "RANGE_EXHAUSTED"),
      415: notJson,
      422: invalidBody,
      503: problem("The chain cannot be read to check the bill's marks.", "CHAIN_UNAVAILABLE"),
    },
  },
  {
    method: "post", path: "/api/v1/reimbursements", operationId: "markReimbursed", summary: "Mark a bill reimbursed (报销/入账), or claim a part of it in fen (amountFen); a claim over what remains is 409 with remainingFen", tag: "lifecycle", access: ["relying_party"],
    request: {
      contentType: "application/json",
      schema: markBody,
      examples: {
        claim: { summary: "An insurer's claim of the whole bill", value: { billCode: "11060126", billNumber: "0000000001", checkCode: "8A3F2K", total: "157.00", reference: "CLAIM-2026-0001" } },
        part: { summary: "A claim of 20.00 yuan of the bill's claimable amount", value: { billCode: "11060126", billNumber: "0000000001", checkCode: "8A3F2K", total: "157.00", reference: "CLAIM-2026-0002", amountFen: 2000 } },
      },
    },
    responses: {
      201: { description: "Marked, or claimed (then with amountFen, claimableFen, claimedFen and remainingFen).", schema: Reimbursement },
      404: problem("No bill matches these fields.", "BILL_NOT_FOUND"),
      409: problem(
        "Already reimbursed, voided, a red bill or not yet anchored; a claim over the remaining amount (remainingFen, claimedFen, claimableFen in the body); a second open claim of the party with the same reference; a whole-bill mark of a bill with claims.",
        "ALREADY_REIMBURSED", "BILL_NOT_VALID", "CLAIM_EXCEEDS_REMAINING", "CLAIM_EXISTS", "BILL_CLAIMED",
      ),
      415: notJson, 422: invalidBody,
      503: problem("The chain cannot be read to check the bill's marks.", "CHAIN_UNAVAILABLE"),
      ...authProblems,
      429: problem("Too many failed authentications from this address, or too many attempts by this party that matched no bill; Retry-After says when to retry.", "RATE_LIMITED"),
    },
  },
  ...(["delete", "post"] as const).map((method): Operation => ({
    method, path: method === "delete" ? "/api/v1/reimbursements/{billCode}/{billNumber}" : "/api/v1/reimbursements/{billCode}/{billNumber}/release",
    operationId: method === "delete" ? "deleteReimbursement" : "releaseReimbursement",
    summary: "Release the caller's reimbursement mark", tag: "lifecycle", access: ["relying_party"],
    responses: {
      200: { description: "Released.", schema: Reimbursement },
      404: problem("No such bill.", "BILL_NOT_FOUND"),
      409: problem("Not reimbursed.", "NOT_REIMBURSED"),
      422: problem("Bad bill code or number.", "INVALID_BODY"),
      503: problem("The chain cannot be read.", "CHAIN_UNAVAILABLE"),
      ...authProblems,
      403: problem("Another party's mark, or this key's role may not release.", "NOT_REIMBURSING_PARTY", "FORBIDDEN"),
    },
  })),
  {
    method: "post", path: "/api/v1/reimbursements/{billCode}/{billNumber}/release-claim", operationId: "releaseClaim",
    summary: "Release the caller's own claim (by its reference) on a bill; its amount can be claimed again", tag: "lifecycle", access: ["relying_party"],
    request: { contentType: "application/json", schema: releaseClaimBody, examples: { release: { summary: "Release a claim", value: { reference: "CLAIM-2026-0002" } } } },
    responses: {
      200: { description: "Released, with the bill's claimed and remaining amounts after it.", schema: Reimbursement },
      404: problem("No such bill, or the caller holds no open claim with this reference on it (another party's claim is not the caller's).", "BILL_NOT_FOUND", "NO_CLAIM"),
      415: notJson, 422: invalidBody,
      ...authProblems,
    },
  },
  {
    method: "post", path: "/api/v1/verify", operationId: "verifyPdf", summary: "Verify an uploaded PDF or OFD bill; VALID only when the file is exactly the file issued for it (check `file`)", tag: "verification", access: "public",
    request: { contentType: "application/pdf", description: "The PDF bytes (application/pdf) or the OFD package (application/ofd).", binary: true, alsoBinary: ["application/ofd"] },
    responses: { 200: { description: "The verification.", schema: Verification }, 413: problem("Over 5 MB.", "PAYLOAD_TOO_LARGE"), 415: problem("Neither a PDF nor an OFD file.", "UNSUPPORTED_MEDIA_TYPE"), 422: problem("Not a lianpiao PDF or OFD bill (`PDF_INVALID` with `extractCode`, `OFD_INVALID`), or a PDF with more objects than any bill or whose reading overran its deadline (`FILE_TOO_COMPLEX`, with `limit`: `objects` or `time`).", "PDF_INVALID", "OFD_INVALID", "FILE_TOO_COMPLEX"), 429: verifyLimited, 503: problem("Too many uploads are being read; retry after Retry-After.", "SERVICE_BUSY") },
  },
  {
    method: "post", path: "/api/v1/verify/manual", operationId: "verifyManual", summary: "Manual check (查验): code, number, check code, issue date, total", tag: "verification", access: "public",
    request: { contentType: "application/json", schema: manualBody, examples: { printed: { summary: "What is printed on the bill", value: { billCode: "11060126", billNumber: "0000000001", checkCode: "8A3F2K", issueDate: "2026-11-23", total: "157.00" } } } },
    responses: { 200: { description: "The verification.", schema: Verification }, 404: problem("No bill matches.", "BILL_NOT_FOUND"), 415: notJson, 422: problem("Invalid body.", "INVALID_BODY"), 429: verifyLimited },
  },
  {
    method: "get", path: "/v/{id}", operationId: "verifyByLink", summary: "The QR verification page (HTML, or JSON with Accept: application/json); ?k= is the bill's key", tag: "verification", access: "public",
    parameters: [{ name: "k", in: "query", required: true, description: "The per-bill key from the QR code." }],
    responses: { 200: { description: "The verification page or JSON.", schema: Verification, alternatives: { "text/html": { description: "The page." } } }, 404: problem("Unknown bill or wrong key (indistinguishable).", "NOT_FOUND"), 429: verifyLimited },
  },
  ...(["pdf", "json"] as const).map((format): Operation => ({
    method: "get", path: `/v/{id}/copy.${format}`, operationId: format === "pdf" ? "getHolderCopyPdf" : "getHolderCopyJson",
    summary: `The holder's redacted copy as ${format.toUpperCase()}: chosen fields withheld (?withhold=idNumber,items,payerName); ?k= is the bill's key`, tag: "verification", access: "public",
    parameters: [
      { name: "k", in: "query", required: true, description: "The per-bill key from the QR code: whoever has the link is the holder." },
      { name: "withhold", in: "query", required: true, description: "Comma separated: idNumber, items (the totals stay), payerName (a donation receipt's donor)." },
    ],
    responses: {
      200: format === "pdf" ? { description: "The copy as PDF; its QR code is the copy's own link (/v/{id}/copy), never the holder's.", contentType: "application/pdf" } : { description: "The copy's envelope with its document record (exactly the PDF's attachment).", schema: CopyAttachment },
      400: problem("withhold names a field that cannot be withheld.", "INVALID_WITHHOLD"),
      404: problem("Unknown bill or wrong key (indistinguishable).", "NOT_FOUND"),
      429: verifyLimited,
    },
  })),
  {
    method: "get", path: "/v/{id}/copy", operationId: "verifyCopyByLink", summary: "A redacted copy's own link (its QR code): the verification of the copy, listing what it withholds", tag: "verification", access: "public",
    parameters: [
      { name: "w", in: "query", required: true, description: "The withheld fields of the copy (idNumber, items, payerName)." },
      { name: "c", in: "query", required: true, description: "The copy link's mac under the bill's key." },
    ],
    responses: { 200: { description: "The verification page or JSON of the copy.", schema: Verification, alternatives: { "text/html": { description: "The page." } } }, 404: problem("Unknown bill or a link that is not this bill's copy link (indistinguishable).", "NOT_FOUND"), 429: verifyLimited },
  },
  {
    method: "get", path: "/v/{id}/ofd", operationId: "downloadOfdByLink", summary: "The holder's OFD copy of the bill; ?k= is the bill's key, as for the verification page", tag: "verification", access: "public",
    parameters: [{ name: "k", in: "query", required: true, description: "The per-bill key from the QR code." }],
    responses: { 200: { description: "The OFD package.", contentType: "application/ofd" }, 404: problem("Unknown bill or wrong key (indistinguishable).", "NOT_FOUND"), 429: verifyLimited },
  },
  { method: "get", path: "/bureau", operationId: "getBureauPage", summary: "The bureau's page (sign in with the bureau key)", tag: "bureau", access: "public", responses: { 200: html("The page or the sign-in form."), 303: { description: "To sign in." } } },
  { method: "post", path: "/bureau/login", operationId: "bureauSignIn", summary: "Sign in to the bureau page (form fields key and csrf, the pre-session token of the sign-in form)", tag: "bureau", access: "public", signIn: true, csrf: true, request: { contentType: "application/x-www-form-urlencoded" }, responses: { 303: { description: "Signed in." }, 400: html("No key."), 401: html("Wrong key."), 403: html("Not a bureau key, a missing or wrong CSRF token, or a form from another site (CSRF_REJECTED as problem+json to Accept: application/json)."), 429: html("Too many failed sign-ins.") } },
  { method: "post", path: "/bureau/logout", operationId: "bureauSignOut", summary: "Sign out of the bureau page (form field csrf, the session's token)", tag: "bureau", access: "public", csrf: true, request: { contentType: "application/x-www-form-urlencoded" }, responses: { 303: { description: "Signed out." }, 403: html("A missing or wrong CSRF token, or a form from another site.") } },
];
