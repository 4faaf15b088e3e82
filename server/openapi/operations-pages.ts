/**
 * The server-rendered pages: the holder's check page and the bureau's console (see operations.ts).
 * Every console form is a browser form: signed in, with the session's CSRF token, from this site.
 */
import type { Operation } from "./responses";

const html = (description: string) => ({ description, contentType: "text/html" });
const page = (path: string, operationId: string, summary: string, tag = "bureau"): Operation => ({
  method: "get",
  path,
  operationId,
  summary,
  tag,
  access: "public",
  responses: { 200: html("The page, or the sign-in form when not signed in.") },
});
const form = (path: string, operationId: string, summary: string): Operation => ({
  method: "post",
  path,
  operationId,
  summary: `${summary} (console form: fields and csrf, the session's token)`,
  tag: "bureau",
  access: "public",
  csrf: true,
  request: { contentType: "application/x-www-form-urlencoded" },
  responses: {
    201: html("Done; a new API key is shown once."),
    303: { description: "Done; back to the page." },
    403: html("Not signed in, a missing or wrong CSRF token, or a form from another site."),
    404: html("No such issuer or key."),
    409: html("Refused: already exists."),
    422: html("Refused: a field is invalid (each named)."),
  },
});

export const PAGE_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/",
    operationId: "getCheckPage",
    summary: "The holder's check page: the five 查验 fields and a PDF upload (HTML, no script)",
    tag: "verification",
    access: "public",
    responses: { 200: html("The check page.") },
  },
  {
    method: "get",
    path: "/check",
    operationId: "checkPage",
    summary: "The verdict page for the five printed fields (the check page's form); a PENDING answer reloads itself",
    tag: "verification",
    access: "public",
    parameters: ["billCode", "billNumber", "checkCode", "issueDate", "total"].map((name) => ({
      name,
      in: "query" as const,
      description: `The printed ${name}.`,
    })),
    responses: {
      200: html("The verdict page."),
      303: { description: "No fields: to the check page." },
      400: html("A malformed field (each named)."),
      404: html("No bill matches all five."),
      429: html("Too many checks."),
    },
  },
  {
    method: "post",
    path: "/check/pdf",
    operationId: "checkPdfPage",
    summary: "The verdict page for an uploaded PDF (multipart form field pdf)",
    tag: "verification",
    access: "public",
    request: { contentType: "multipart/form-data", description: "The form with the file in field `pdf`." },
    responses: {
      200: html("The verdict page."),
      400: html("No file."),
      413: html("Over 5 MB."),
      422: html("Not a lianpiao PDF."),
      429: html("Too many checks."),
    },
  },
  page("/bureau/issuers", "getConsoleIssuers", "The console's issuers, with the admission form"),
  page("/bureau/issuers/{id}", "getConsoleIssuer", "One issuer: state, ranges, keys, and their actions"),
  page("/bureau/relying-parties", "getConsoleRelyingParties", "The console's relying parties, with the admission form"),
  page("/bureau/relying-parties/{id}", "getConsoleRelyingParty", "One relying party and its API keys"),
  page("/bureau/bills", "getConsoleBills", "The console's bill search (the API's filters), with CSV and XLSX download links"),
  {
    method: "get",
    path: "/bureau/bills/export",
    operationId: "getConsoleBillsExport",
    summary: "Every matching bill as CSV or XLSX (format=csv|xlsx, the API's filters), signed in",
    tag: "bureau",
    access: "public",
    responses: { 200: { description: "The file, or the sign-in form.", contentType: "text/csv" } },
  },
  page("/bureau/reconciliation", "getConsoleReconciliation", "The console's reconciliation page"),
  page("/bureau/audit", "getConsoleAudit", "The console's audit log (filter by action, subject)"),
  form("/bureau/issuers", "consoleAdmitIssuer", "Admit an issuer"),
  form("/bureau/issuers/{id}/suspend", "consoleSuspendIssuer", "Suspend an issuer"),
  form("/bureau/issuers/{id}/reinstate", "consoleReinstateIssuer", "Reinstate an issuer"),
  form("/bureau/issuers/{id}/ranges", "consoleAllotRange", "Allot or extend a number range"),
  form("/bureau/issuers/{id}/keys", "consoleIssueKey", "Issue an API key"),
  form("/bureau/issuers/{id}/keys/{keyId}/revoke", "consoleRevokeKey", "Revoke an API key"),
  form("/bureau/relying-parties", "consoleAdmitRelyingParty", "Admit a relying party"),
  form("/bureau/relying-parties/{id}/keys", "consoleIssuePartyKey", "Issue a relying party an API key"),
  form("/bureau/relying-parties/{id}/keys/{keyId}/revoke", "consoleRevokePartyKey", "Revoke a relying party's API key"),
  {
    ...form("/bureau/reconciliation", "consoleReconcile", "Run a reconciliation and read its findings"),
    responses: {
      200: html("The findings."),
      403: html("Not signed in, a missing or wrong CSRF token, or a form from another site."),
      503: html("The chain could not be reached."),
    },
  },
];
