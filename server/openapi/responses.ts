/** Response specs and the operation type shared by the operation lists (operations.ts, operations-bureau.ts). */
import type { z, ZodType } from "zod";
import type { Role } from "../store/schema";
import type { ErrorCode } from "../http/errors";
import { Problem } from "./shapes";

export interface ResponseSpec {
  description: string;
  schema?: ZodType;
  contentType?: string;
  /** problem codes this status can carry */
  codes?: ErrorCode[];
  /** further representations of the same answer (CSV, XLSX), by media type */
  alternatives?: Record<string, { description: string; binary?: boolean }>;
  headers?: Record<string, string>;
}

export const problem = (description: string, ...codes: ErrorCode[]): ResponseSpec => ({
  description,
  schema: Problem,
  contentType: "application/problem+json",
  codes,
});
export const authProblems = {
  401: problem("No API key, or an unknown or revoked one.", "UNAUTHENTICATED"),
  403: problem("This API key's role may not do this.", "FORBIDDEN"),
  429: problem("Too many failed authentications from this address; retry after Retry-After.", "RATE_LIMITED"),
};
export const badQuery = problem(
  "A query parameter this endpoint does not take (errors[] names it), or a bad value.",
  "UNKNOWN_QUERY_PARAMETER",
  "INVALID_QUERY",
);

export interface Operation {
  method: "get" | "post" | "put" | "delete";
  /** OpenAPI path template: /api/v1/invoices/{id} */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** roles that may call it, or "public" */
  access: Role[] | "public";
  request?: {
    contentType: string;
    schema?: ZodType;
    description?: string;
    examples?: Record<string, { summary: string; value: unknown }>;
    binary?: boolean;
    /** further binary media types it takes */ alsoBinary?: string[];
  };
  responses: Record<number, ResponseSpec>;
  /** a sign-in: it checks a credential sent in the body, so it may answer 401 to anyone */
  signIn?: boolean;
  /** a browser form: without its CSRF token, or from another site, it answers 403 to anyone */
  csrf?: boolean;
  /** its query parameters, as the strict schema the route parses them with */
  query?: z.ZodObject;
  parameters?: Array<{ name: string; in: "query" | "path" | "header"; required?: boolean; description: string; schema?: Record<string, unknown> }>;
}
