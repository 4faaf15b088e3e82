/**
 * Every operation of the HTTP API, once: path, operationId, who may call it, request and response
 * shapes, the problem codes each error status can carry. Areas add their operations here; the
 * document, the docs page and the contract tests read this list.
 */
import { invoiceSchema } from "../issuance/schema";
import { copyQuery, invoiceListQuery } from "../issuance/routes";
import { DONATION_EXAMPLE, INPATIENT_EXAMPLE, IN_KIND_EXAMPLE, MEDICAL_EXAMPLE } from "../issuance/examples";
import { deliveriesQuery, Delivery, DeliveryList, Subscription, SubscriptionCreated, SubscriptionList, subscriptionBody } from "../webhooks/routes";
import { BUREAU_OPERATIONS } from "./operations-bureau";
import { PAGE_OPERATIONS } from "./operations-pages";
import { BillDetail, BillList, BillSummary, Envelope, Health, Ready } from "./shapes";
import { authProblems, badQuery, problem } from "./responses";
export { authProblems, badQuery, problem } from "./responses";

export type { Operation, ResponseSpec } from "./responses";
import type { Operation } from "./responses";

const issueExamples = {
  medical: { summary: "SPEC §7: an outpatient medical fee e-bill", value: MEDICAL_EXAMPLE },
  donation: { summary: "SPEC §7: a donation receipt", value: DONATION_EXAMPLE },
  inpatient: { summary: "An inpatient bill with the national fields: a foreign patient's passport, stay dates, the full settlement", value: INPATIENT_EXAMPLE },
  inKind: { summary: "An anonymous, restricted donation of goods with their valuation", value: IN_KIND_EXAMPLE },
};

const CORE_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/healthz",
    operationId: "getHealth",
    summary: "Liveness",
    tag: "operations",
    access: "public",
    responses: { 200: { description: "The process is up.", schema: Health } },
  },
  {
    method: "get",
    path: "/readyz",
    operationId: "getReadiness",
    summary: "Readiness: database and chain",
    tag: "operations",
    access: "public",
    responses: { 200: { description: "Ready.", schema: Ready }, 503: { description: "A dependency is unreachable.", schema: Ready } },
  },
  {
    method: "get",
    path: "/metrics",
    operationId: "getMetrics",
    summary: "Prometheus metrics (Bearer METRICS_TOKEN; without it, only on a server bound to loopback)",
    tag: "operations",
    access: "public",
    responses: {
      200: { description: "Text exposition format.", contentType: "text/plain" },
      401: { description: "METRICS_TOKEN required.", contentType: "text/plain" },
      403: problem("No METRICS_TOKEN is configured and the server is not bound to loopback.", "METRICS_TOKEN_REQUIRED"),
    },
  },
  {
    method: "get",
    path: "/openapi.json",
    operationId: "getOpenApiDocument",
    summary: "This document (OpenAPI 3.1)",
    tag: "operations",
    access: "public",
    responses: { 200: { description: "The OpenAPI document.", contentType: "application/json" } },
  },
  {
    method: "get",
    path: "/docs",
    operationId: "getDocsPage",
    summary: "Browsable API documentation with a try-it form",
    tag: "operations",
    access: "public",
    responses: { 200: { description: "HTML.", contentType: "text/html" } },
  },
  {
    method: "get",
    path: "/docs/try.js",
    operationId: "getDocsScript",
    summary: "The docs page's own same-origin script (try-it)",
    tag: "operations",
    access: "public",
    responses: { 200: { description: "JavaScript.", contentType: "text/javascript" } },
  },
  {
    method: "post",
    path: "/api/v1/invoices",
    operationId: "issueInvoice",
    summary: "Issue a bill (medical fee e-bill or donation receipt)",
    tag: "issuance",
    access: ["issuer"],
    description:
      "Validates the bill (each field's rule, the sums, the settlement, the dates, the identity documents; every problem at once in errors[]), numbers it from the issuer's range, signs it and stores it for anchoring. The bill records what was sent and nothing else.",
    request: { contentType: "application/json", schema: invoiceSchema, examples: issueExamples },
    parameters: [
      {
        name: "Idempotency-Key",
        in: "header",
        description: "1–200 visible ASCII characters: the same key and body return the same bill (Idempotent-Replayed: true); another body is 409.",
        schema: { type: "string", maxLength: 200 },
      },
    ],
    responses: {
      201: { description: "Issued, pending anchoring.", schema: BillSummary, headers: { Location: "The bill's URL." } },
      400: problem("Malformed JSON or a bad Idempotency-Key.", "MALFORMED_JSON", "INVALID_IDEMPOTENCY_KEY"),
      ...authProblems,
      403: problem("The key's role may not issue, or the issuer is suspended.", "FORBIDDEN", "ISSUER_SUSPENDED"),
      409: problem("The Idempotency-Key was used with another body, or the issuer's bill numbers are used up.", "IDEMPOTENCY_CONFLICT", "RANGE_EXHAUSTED"),
      413: problem("The body is over 1 MB.", "PAYLOAD_TOO_LARGE"),
      415: problem("Not application/json.", "UNSUPPORTED_MEDIA_TYPE"),
      422: problem("Not a valid bill: errors[] names each field with its code.", "VALIDATION_FAILED"),
    },
  },
  {
    method: "get",
    path: "/api/v1/invoices",
    operationId: "listInvoices",
    summary: "Find bills: by number, 业务流水号, visit number, payer name, dates (an issuer's own; all for the bureau)",
    tag: "issuance",
    access: ["issuer", "bureau"],
    description: "Newest first, in pages. Filters combine; they match exactly. Any other query parameter is 400 UNKNOWN_QUERY_PARAMETER.",
    query: invoiceListQuery,
    responses: { 200: { description: "A page of bills.", schema: BillList }, 400: badQuery, ...authProblems },
  },
  {
    method: "get",
    path: "/api/v1/invoices/{id}",
    operationId: "getInvoice",
    summary: "A bill with its content and anchor",
    tag: "issuance",
    access: ["issuer", "bureau"],
    responses: { 200: { description: "The bill.", schema: BillDetail }, 404: problem("No such bill (or not yours).", "NOT_FOUND"), ...authProblems },
  },
  {
    method: "get",
    path: "/api/v1/invoices/{id}/envelope",
    operationId: "getInvoiceEnvelope",
    summary: "The machine-readable bill with its Merkle proof",
    tag: "issuance",
    access: ["issuer", "bureau"],
    responses: {
      200: { description: "The envelope embedded in the PDF.", schema: Envelope },
      404: problem("No such bill (or not yours).", "NOT_FOUND"),
      ...authProblems,
    },
  },
  {
    method: "get",
    path: "/api/v1/invoices/{id}/copy",
    operationId: "getInvoiceCopy",
    summary: "A redacted copy of the bill (PDF or JSON) with the ID number, the items or the payer's name withheld; it still verifies VALID",
    tag: "issuance",
    access: ["issuer"],
    query: copyQuery,
    responses: {
      200: {
        description: "The copy: a PDF whose QR code is the copy's own link, or (format=json) the copy's envelope with its document record.",
        contentType: "application/pdf",
        alternatives: { "application/json": { description: "The copy's envelope with `document` (the PDF's attachment)." } },
      },
      400: problem(
        "withhold names a field that cannot be withheld, or a query parameter this endpoint does not take.",
        "INVALID_WITHHOLD",
        "UNKNOWN_QUERY_PARAMETER",
        "INVALID_QUERY",
      ),
      404: problem("No such bill (or not yours).", "NOT_FOUND"),
      503: problem("The renderer is busy; retry after Retry-After.", "SERVICE_BUSY"),
      ...authProblems,
    },
  },
  {
    method: "get",
    path: "/api/v1/invoices/{id}/pdf",
    operationId: "getInvoicePdf",
    summary: "The bill as PDF (QR code, embedded machine-readable bill)",
    tag: "issuance",
    access: ["issuer", "bureau"],
    responses: {
      200: { description: "The PDF.", contentType: "application/pdf" },
      404: problem("No such bill (or not yours).", "NOT_FOUND"),
      503: problem("The renderer is busy; retry after Retry-After.", "SERVICE_BUSY"),
      ...authProblems,
    },
  },
  {
    method: "get",
    path: "/api/v1/invoices/{id}/ofd",
    operationId: "getInvoiceOfd",
    summary: "The bill as OFD (GB/T 33190): the PDF's pages, the machine-readable bill as an attachment, signed with the issuer's SM2 key",
    tag: "issuance",
    access: ["issuer", "bureau"],
    responses: {
      200: { description: "The OFD package.", contentType: "application/ofd" },
      404: problem("No such bill (or not yours).", "NOT_FOUND"),
      ...authProblems,
    },
  },
  {
    method: "post",
    path: "/api/v1/webhooks",
    operationId: "createWebhookSubscription",
    summary: "Subscribe to events about the institution's bills; the signing secret is shown once",
    tag: "webhooks",
    access: ["issuer", "relying_party"],
    description:
      'Deliveries are POSTs of the event (JSON) with Lianpiao-Event-Id, Lianpiao-Event-Type, Lianpiao-Delivery-Id and Lianpiao-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>. Refuse a t more than 300 s from your clock. Answer 2xx within 10 s; anything else is retried with exponential backoff. Deduplicate on Lianpiao-Event-Id.',
    request: {
      contentType: "application/json",
      schema: subscriptionBody,
      examples: {
        anchored: {
          summary: "Anchors and voids",
          value: { url: "https://his.example-hospital.cn/lianpiao/events", events: ["bill.anchored", "bill.voided"], description: "HIS billing" },
        },
      },
    },
    responses: {
      201: { description: "Subscribed; `secret` is shown only here.", schema: SubscriptionCreated },
      ...authProblems,
      415: problem("Not application/json.", "UNSUPPORTED_MEDIA_TYPE"),
      422: problem("Invalid body: errors[] names each field.", "INVALID_BODY"),
      503: problem("WEBHOOK_SECRET_KEY is not configured.", "WEBHOOKS_UNAVAILABLE"),
    },
  },
  {
    method: "get",
    path: "/api/v1/webhooks",
    operationId: "listWebhookSubscriptions",
    summary: "The institution's webhook subscriptions",
    tag: "webhooks",
    access: ["issuer", "relying_party"],
    responses: { 200: { description: "Subscriptions (no secrets).", schema: SubscriptionList }, 400: badQuery, ...authProblems },
  },
  {
    method: "get",
    path: "/api/v1/webhooks/{id}",
    operationId: "getWebhookSubscription",
    summary: "One webhook subscription",
    tag: "webhooks",
    access: ["issuer", "relying_party"],
    responses: {
      200: { description: "The subscription (no secret).", schema: Subscription },
      404: problem("No such subscription (or not yours).", "NOT_FOUND"),
      ...authProblems,
    },
  },
  {
    method: "delete",
    path: "/api/v1/webhooks/{id}",
    operationId: "deleteWebhookSubscription",
    summary: "Unsubscribe; pending deliveries are dropped, the log stays",
    tag: "webhooks",
    access: ["issuer", "relying_party"],
    responses: { 204: { description: "Deleted." }, 404: problem("No such subscription (or not yours).", "NOT_FOUND"), ...authProblems },
  },
  {
    method: "get",
    path: "/api/v1/webhooks/{id}/deliveries",
    operationId: "listWebhookDeliveries",
    summary: "The delivery log of a subscription: each event, its state and every attempt",
    tag: "webhooks",
    access: ["issuer", "relying_party"],
    query: deliveriesQuery,
    responses: {
      200: { description: "A page of deliveries, newest first.", schema: DeliveryList },
      400: badQuery,
      404: problem("No such subscription (or not yours).", "NOT_FOUND"),
      ...authProblems,
    },
  },
  {
    method: "post",
    path: "/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver",
    operationId: "redeliverWebhook",
    summary: "Send a delivery again now (also a delivered or failed one)",
    tag: "webhooks",
    access: ["issuer", "relying_party"],
    responses: {
      202: { description: "Queued and being sent; its attempt appears in the log.", schema: Delivery },
      404: problem("No such subscription or delivery (or not yours).", "NOT_FOUND"),
      409: problem("It is being sent right now.", "DELIVERY_IN_PROGRESS"),
      ...authProblems,
    },
  },
];

export const OPERATIONS: Operation[] = [...CORE_OPERATIONS, ...BUREAU_OPERATIONS, ...PAGE_OPERATIONS];

/** Express path (":id") of an OpenAPI path ("{id}"). */
export function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ":$1");
}

export function findOperation(method: string, path: string): Operation | undefined {
  return OPERATIONS.find((o) => o.method === method.toLowerCase() && expressPath(o.path) === path);
}
