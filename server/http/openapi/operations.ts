/**
 * Every operation of the HTTP API, once: path, who may call it, request and response shapes.
 * Areas add their operations here; the document, the docs page and the contract tests read this list.
 */
import type { ZodType } from "zod";
import { invoiceSchema } from "../../issuance/schema";
import type { Role } from "../../store/schema";
import { BUREAU_OPERATIONS } from "./operations-bureau";
import { BillDetail, BillList, BillSummary, Envelope, Health, Problem, Ready } from "./shapes";

export interface Operation {
  method: "get" | "post" | "put" | "delete";
  /** OpenAPI path template: /api/v1/invoices/{id} */
  path: string;
  summary: string;
  tag: string;
  /** roles that may call it, or "public" */
  access: Role[] | "public";
  request?: { contentType: string; schema?: ZodType; description?: string };
  responses: Record<number, { description: string; schema?: ZodType; contentType?: string }>;
  /** a sign-in: it checks a credential sent in the body, so it may answer 401 to anyone */
  signIn?: boolean;
  /** a browser form: without its CSRF token, or from another site, it answers 403 to anyone */
  csrf?: boolean;
  parameters?: Array<{ name: string; in: "query" | "path" | "header"; required?: boolean; description: string }>;
}

const problem = (description: string) => ({ description, schema: Problem, contentType: "application/problem+json" });
const authProblems = { 401: problem("no or unknown API key"), 403: problem("the key's role may not do this") };

const CORE_OPERATIONS: Operation[] = [
  { method: "get", path: "/healthz", summary: "Liveness", tag: "operations", access: "public", responses: { 200: { description: "the process is up", schema: Health } } },
  {
    method: "get", path: "/readyz", summary: "Readiness: database and chain", tag: "operations", access: "public",
    responses: { 200: { description: "ready", schema: Ready }, 503: { description: "a dependency is unreachable", schema: Ready } },
  },
  {
    method: "get", path: "/metrics", summary: "Prometheus metrics (Bearer METRICS_TOKEN; without it, only on a server bound to loopback)", tag: "operations", access: "public",
    responses: { 200: { description: "text exposition format", contentType: "text/plain" }, 401: { description: "METRICS_TOKEN required" }, 403: problem("no METRICS_TOKEN configured and the server is not bound to loopback") },
  },
  { method: "get", path: "/openapi.json", summary: "This document (OpenAPI 3.1)", tag: "operations", access: "public", responses: { 200: { description: "the OpenAPI document" } } },
  { method: "get", path: "/docs", summary: "Browsable API documentation", tag: "operations", access: "public", responses: { 200: { description: "HTML", contentType: "text/html" } } },
  {
    method: "post", path: "/api/v1/invoices", summary: "Issue a bill (medical fee e-bill or donation receipt)", tag: "issuance", access: ["issuer"],
    request: { contentType: "application/json", schema: invoiceSchema },
    parameters: [{ name: "Idempotency-Key", in: "header", description: "the same key and body return the same bill; another body is 409" }],
    responses: { 201: { description: "issued, pending anchoring", schema: BillSummary }, 400: problem("malformed JSON"), 409: problem("idempotency conflict or range exhausted"), 415: problem("not JSON"), 422: problem("not a valid bill; errors[] names each field"), ...authProblems },
  },
  {
    method: "get", path: "/api/v1/invoices", summary: "List bills (an issuer's own; all for the bureau), newest first", tag: "issuance", access: ["issuer", "bureau"],
    parameters: [
      { name: "limit", in: "query", description: "1–200, default 50" },
      { name: "before", in: "query", description: "the nextCursor of the previous page" },
      { name: "status", in: "query", description: "pending | anchored | voided" },
    ],
    responses: { 200: { description: "a page of bills", schema: BillList }, 400: problem("bad query"), ...authProblems },
  },
  {
    method: "get", path: "/api/v1/invoices/{id}", summary: "A bill with its anchor", tag: "issuance", access: ["issuer", "bureau"],
    responses: { 200: { description: "the bill", schema: BillDetail }, 404: problem("no such bill (or not yours)"), ...authProblems },
  },
  {
    method: "get", path: "/api/v1/invoices/{id}/envelope", summary: "The machine-readable bill with its Merkle proof", tag: "issuance", access: ["issuer", "bureau"],
    responses: { 200: { description: "the envelope embedded in the PDF", schema: Envelope }, 404: problem("no such bill (or not yours)"), ...authProblems },
  },
  {
    method: "get", path: "/api/v1/invoices/{id}/pdf", summary: "The bill as PDF (QR code, embedded machine-readable bill)", tag: "issuance", access: ["issuer", "bureau"],
    responses: { 200: { description: "application/pdf", contentType: "application/pdf" }, 404: problem("no such bill (or not yours)"), 503: problem("renderer busy"), ...authProblems },
  },
];

export const OPERATIONS: Operation[] = [...CORE_OPERATIONS, ...BUREAU_OPERATIONS];

/** Express path (":id") of an OpenAPI path ("{id}"). */
export function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ":$1");
}

export function findOperation(method: string, path: string): Operation | undefined {
  return OPERATIONS.find((o) => o.method === method.toLowerCase() && expressPath(o.path) === path);
}
