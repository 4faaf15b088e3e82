/**
 * Operations of the bureau, voiding, reimbursement and verification areas (see operations.ts).
 */
import { z } from "zod";
import { admitBody, keyBody, rangeBody, statusBody } from "../../registry/issuer-routes";
import { markBody, voidBody } from "../../lifecycle/routes";
import { relyingPartyBody } from "../../registry/relying-parties";
import { manualBody } from "../../verification/routes";
import type { Operation } from "./operations";
import { AuditPage, BillDetail, BillSummary, Issuer, IssuerList, Problem, Reconciliation, RegistryBills, Reimbursement, RelyingParty, Stats, Verification } from "./shapes";

const problem = (description: string) => ({ description, schema: Problem, contentType: "application/problem+json" });
const auth = { 401: problem("no or unknown API key"), 403: problem("the key's role may not do this") };
const bureau = ["bureau"] as Operation["access"];
const html = (description: string) => ({ description, contentType: "text/html" });

export const BUREAU_OPERATIONS: Operation[] = [
  {
    method: "post", path: "/api/v1/issuers", summary: "Admit an issuer: on chain, its key, its bill range, its first API key (shown once)", tag: "bureau", access: bureau,
    request: { contentType: "application/json", schema: admitBody },
    responses: { 201: { description: "admitted", schema: Issuer }, 409: problem("credit code or account already admitted"), 422: problem("invalid body"), 502: problem("the chain refused"), ...auth },
  },
  { method: "get", path: "/api/v1/issuers", summary: "Issuers with state, ranges and figures", tag: "bureau", access: bureau, responses: { 200: { description: "issuers", schema: IssuerList }, 400: problem("bad query"), 422: problem("bad query"), ...auth } },
  { method: "get", path: "/api/v1/issuers/{id}", summary: "One issuer, its keys and its state on chain", tag: "bureau", access: bureau, responses: { 200: { description: "the issuer", schema: Issuer }, 404: problem("no such issuer"), ...auth } },
  ...(["suspend", "reinstate"] as const).map((action): Operation => ({
    method: "post", path: `/api/v1/issuers/{id}/${action}`, summary: action === "suspend" ? "Suspend an issuer on chain and off; its earlier bills stay valid" : "Reinstate a suspended issuer", tag: "bureau", access: bureau,
    request: { contentType: "application/json", schema: statusBody },
    responses: { 200: { description: "new state", schema: Issuer }, 404: problem("no such issuer"), 409: problem("already in that state"), 422: problem("invalid body"), ...auth },
  })),
  {
    method: "post", path: "/api/v1/issuers/{id}/ranges", summary: "Allot a further bill-number range (号段)", tag: "bureau", access: bureau,
    request: { contentType: "application/json", schema: rangeBody },
    responses: { 201: { description: "allotted" }, 404: problem("no such issuer"), 422: problem("invalid or overlapping range"), ...auth },
  },
  {
    method: "post", path: "/api/v1/issuers/{id}/keys", summary: "A new API key for the institution (shown once)", tag: "bureau", access: bureau,
    request: { contentType: "application/json", schema: keyBody },
    responses: { 201: { description: "the key" }, 404: problem("no such institution"), 422: problem("invalid body"), ...auth },
  },
  {
    method: "post", path: "/api/v1/relying-parties", summary: "Admit a relying party (insurer, employer, tax office): its role on chain and its first API key (shown once)", tag: "bureau", access: bureau,
    request: { contentType: "application/json", schema: relyingPartyBody },
    responses: { 201: { description: "admitted", schema: RelyingParty }, 409: problem("credit code already admitted"), 422: problem("invalid body"), 502: problem("the chain refused"), ...auth },
  },
  { method: "get", path: "/api/v1/relying-parties", summary: "Relying parties", tag: "bureau", access: bureau, responses: { 200: { description: "relying parties", schema: z.object({ items: z.array(RelyingParty) }) }, ...auth } },
  {
    method: "post", path: "/api/v1/relying-parties/{id}/keys", summary: "A new API key for a relying party (shown once)", tag: "bureau", access: bureau,
    request: { contentType: "application/json" },
    responses: { 201: { description: "the key" }, 404: problem("no such relying party"), 422: problem("invalid body"), ...auth },
  },
  { method: "delete", path: "/api/v1/relying-parties/{id}/keys/{keyId}", summary: "Revoke a relying party's API key", tag: "bureau", access: bureau, responses: { 204: { description: "revoked" }, 404: problem("no such key"), ...auth } },
  { method: "delete", path: "/api/v1/issuers/{id}/keys/{keyId}", summary: "Revoke an API key", tag: "bureau", access: bureau, responses: { 204: { description: "revoked" }, 404: problem("no such key"), ...auth } },
  {
    method: "get", path: "/api/v1/registry/stats", summary: "Figures per issuer and day or month", tag: "bureau", access: bureau,
    parameters: ["kind", "issuerId", "from", "to", "groupBy"].map((name) => ({ name, in: "query" as const, description: name })),
    responses: { 200: { description: "figures", schema: Stats }, 400: problem("bad query"), 422: problem("bad query"), ...auth },
  },
  {
    method: "get", path: "/api/v1/registry/bills", summary: "Search bills; JSON pages or CSV (Accept: text/csv)", tag: "bureau", access: bureau,
    responses: { 200: { description: "a page of bills, or CSV", schema: RegistryBills }, 400: problem("bad query"), 422: problem("bad query"), ...auth },
  },
  {
    method: "get", path: "/api/v1/registry/reconciliation", summary: "Compare the store with the registry's events on chain", tag: "bureau", access: bureau,
    responses: { 200: { description: "the report, each discrepancy precisely", schema: Reconciliation }, 400: problem("bad query"), 422: problem("bad query"), 503: problem("chain unreachable"), ...auth },
  },
  { method: "get", path: "/api/v1/audit", summary: "The append-only audit log", tag: "bureau", access: bureau, responses: { 200: { description: "entries", schema: AuditPage }, 400: problem("bad query"), 422: problem("bad query"), ...auth } },
  {
    method: "post", path: "/api/v1/invoices/{id}/void", summary: "Void (冲红) a bill and issue its red bill", tag: "lifecycle", access: ["issuer"],
    request: { contentType: "application/json", schema: voidBody },
    responses: { 200: { description: "voided, with redBill", schema: BillDetail.extend({ redBill: BillSummary }) }, 403: problem("issuer suspended"), 404: problem("no such bill (or not yours)"), 409: problem("already voided, reimbursed, or a mark in flight"), 422: problem("invalid body"), 401: auth[401] },
  },
  {
    method: "post", path: "/api/v1/reimbursements", summary: "Mark a bill reimbursed (报销/入账); a second mark is 409 with who and when", tag: "lifecycle", access: ["relying_party"],
    request: { contentType: "application/json", schema: markBody },
    responses: { 201: { description: "marked", schema: Reimbursement }, 404: problem("no bill matches"), 409: problem("already reimbursed, voided or not yet anchored"), 422: problem("invalid body"), 429: problem("too many attempts by this party matched no bill; Retry-After says when to retry"), ...auth },
  },
  ...(["delete", "post"] as const).map((method): Operation => ({
    method, path: method === "delete" ? "/api/v1/reimbursements/{billCode}/{billNumber}" : "/api/v1/reimbursements/{billCode}/{billNumber}/release",
    summary: "Release the caller's reimbursement mark", tag: "lifecycle", access: ["relying_party"],
    responses: { 200: { description: "released", schema: Reimbursement.extend({ released: z.literal(true) }) }, 404: problem("no such bill"), 409: problem("not reimbursed"), 422: problem("bad bill code or number"), ...auth },
  })),
  {
    method: "post", path: "/api/v1/verify", summary: "Verify an uploaded PDF bill from its embedded attachment; VALID only when the file is exactly the file issued for it (check `file`)", tag: "verification", access: "public",
    request: { contentType: "application/pdf", description: "the PDF bytes" },
    responses: { 200: { description: "the verification", schema: Verification }, 413: problem("too large"), 415: problem("not a PDF"), 422: problem("not a lianpiao PDF"), 429: problem("rate limited") },
  },
  {
    method: "post", path: "/api/v1/verify/manual", summary: "Manual check (查验): code, number, check code, issue date, total", tag: "verification", access: "public",
    request: { contentType: "application/json", schema: manualBody },
    responses: { 200: { description: "the verification", schema: Verification }, 404: problem("no bill matches"), 422: problem("invalid body"), 429: problem("rate limited") },
  },
  {
    method: "get", path: "/v/{id}", summary: "The QR verification page (HTML, or JSON with Accept: application/json); ?k= is the bill's key", tag: "verification", access: "public",
    parameters: [{ name: "k", in: "query", required: true, description: "the per-bill key from the QR code" }],
    responses: { 200: { description: "the verification page or JSON", schema: Verification }, 404: problem("unknown bill or wrong key (indistinguishable)"), 429: problem("rate limited") },
  },
  { method: "get", path: "/bureau", summary: "The bureau's page (sign in with the bureau key)", tag: "bureau", access: "public", responses: { 200: html("the page or the sign-in form"), 303: { description: "to sign in" } } },
  { method: "post", path: "/bureau/login", summary: "Sign in to the bureau page (form fields key and csrf, the pre-session token of the sign-in form)", tag: "bureau", access: "public", signIn: true, csrf: true, request: { contentType: "application/x-www-form-urlencoded" }, responses: { 303: { description: "signed in" }, 401: html("wrong key"), 403: html("missing or wrong CSRF token, or a form from another site (CSRF_REJECTED as problem+json to Accept: application/json)"), 400: html("no key"), 429: html("too many failed sign-ins") } },
  { method: "post", path: "/bureau/logout", summary: "Sign out of the bureau page (form field csrf, the session's token)", tag: "bureau", access: "public", csrf: true, request: { contentType: "application/x-www-form-urlencoded" }, responses: { 303: { description: "signed out" }, 403: html("missing or wrong CSRF token, or a form from another site") } },
];
