/**
 * The one error catalogue. Every 4xx/5xx the API gives is one of these codes, answered as RFC 9457
 * problem details. Codes never change meaning.
 */
export const ERRORS = {
  VALIDATION_FAILED: { status: 422, title: "The request body is not a valid bill; see errors[] for each field" },
  MALFORMED_JSON: { status: 400, title: "The request body is not valid JSON" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Send the body with the content type this endpoint takes" },
  PAYLOAD_TOO_LARGE: { status: 413, title: "The request body is too large" },
  UNAUTHENTICATED: { status: 401, title: "Send a valid API key as 'Authorization: Bearer <key>'" },
  MALFORMED_AUTHORIZATION: { status: 400, title: "The Authorization header is not 'Bearer <key>'; see detail for what is wrong with it" },
  FORBIDDEN: { status: 403, title: "This API key may not do that" },
  CSRF_REJECTED: { status: 403, title: "The form's CSRF token is missing or wrong, or it came from another site; reload the page and submit it again" },
  METRICS_TOKEN_REQUIRED: { status: 403, title: "/metrics is served only with METRICS_TOKEN set, or on a server bound to loopback" },
  NOT_FOUND: { status: 404, title: "No such resource" },
  ISSUER_SUSPENDED: { status: 403, title: "The issuer is suspended by the finance bureau and may not issue" },
  RANGE_EXHAUSTED: { status: 409, title: "The issuer's allotted bill numbers are used up; ask the bureau for a new range" },
  IDEMPOTENCY_CONFLICT: { status: 409, title: "This Idempotency-Key was used with another request body" },
  INVALID_IDEMPOTENCY_KEY: { status: 400, title: "Idempotency-Key must be 1-200 visible ASCII characters" },
  INVALID_QUERY: { status: 400, title: "A query parameter is not valid" },
  UNKNOWN_QUERY_PARAMETER: { status: 400, title: "The request has a query parameter this endpoint does not take; errors[] names it" },
  ALREADY_VOIDED: { status: 409, title: "The bill is already voided" },
  ALREADY_REIMBURSED: { status: 409, title: "The bill is already marked reimbursed" },
  BILL_REIMBURSED: { status: 409, title: "The bill is marked reimbursed; the reimbursing party must release it first" },
  NOT_REIMBURSED: { status: 409, title: "The bill is not marked reimbursed by this party" },
  BILL_NOT_VALID: { status: 409, title: "The bill is not in a state that allows this" },
  BILL_NOT_FOUND: { status: 404, title: "No bill matches these fields" },
  ISSUER_EXISTS: { status: 409, title: "An institution with this credit code or account already exists" },
  INVALID_BODY: { status: 422, title: "The request body is not valid; see errors[] for each field" },
  NOT_REIMBURSING_PARTY: { status: 403, title: "Only the party that marked the bill reimbursed may release it" },
  CLAIM_EXCEEDS_REMAINING: { status: 409, title: "The claim is more than the bill's remaining claimable amount; remainingFen says what remains" },
  BILL_CLAIMED: { status: 409, title: "The bill has open claims; the claiming parties must release them first" },
  CLAIM_EXISTS: { status: 409, title: "This party already holds an open claim with this reference on the bill" },
  NO_CLAIM: { status: 404, title: "This party holds no open claim with this reference on the bill" },
  INVALID_WITHHOLD: { status: 400, title: "withhold names a field that cannot be withheld from a copy; errors[] names it" },
  CHAIN_REFUSED: { status: 502, title: "The registry contract refused the transaction; see chainError" },
  RATE_LIMITED: { status: 429, title: "Too many requests; retry after the time in Retry-After" },
  PDF_INVALID: { status: 422, title: "The upload is not a lianpiao PDF bill" },
  FILE_TOO_COMPLEX: { status: 422, title: "The PDF has more objects than any bill, or reading it overran its deadline; it was not read further" },
  OFD_INVALID: { status: 422, title: "The upload is not a lianpiao OFD bill (GB/T 33190 package with the lianpiao-bill.json attachment)" },
  SERVICE_BUSY: { status: 503, title: "The service is busy; retry shortly" },
  CHAIN_UNAVAILABLE: { status: 503, title: "The blockchain node cannot be reached" },
  DELIVERY_IN_PROGRESS: { status: 409, title: "The webhook delivery is being sent right now; retry shortly" },
  WEBHOOKS_UNAVAILABLE: { status: 503, title: "Webhooks need WEBHOOK_SECRET_KEY configured to keep their signing secrets" },
  INTERNAL: { status: 500, title: "Internal error" },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export interface FieldIssue {
  path: string;
  code: string;
  message: string;
}

/** An expected failure that maps to a problem+json answer. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    detail?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? ERRORS[code].title);
    this.status = ERRORS[code].status;
  }
}

export function problemBody(err: ApiError, instance?: string): Record<string, unknown> {
  return {
    type: `https://lianpiao.dev/problems/${err.code.toLowerCase().replace(/_/g, "-")}`,
    title: ERRORS[err.code].title,
    status: err.status,
    code: err.code,
    detail: err.message,
    ...(instance ? { instance } : {}),
    ...err.extra,
  };
}
