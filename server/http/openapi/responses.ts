/** Response specs shared by the operation lists (operations.ts, operations-bureau.ts). */
import type { ZodType } from "zod";
import type { ErrorCode } from "../errors";
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

export const problem = (description: string, ...codes: ErrorCode[]): ResponseSpec => ({ description, schema: Problem, contentType: "application/problem+json", codes });
export const authProblems = {
  401: problem("No API key, or an unknown or revoked one.", "UNAUTHENTICATED"),
  403: problem("This API key's role may not do this.", "FORBIDDEN"),
  429: problem("Too many failed authentications from this address; retry after Retry-After.", "RATE_LIMITED"),
};
export const badQuery = problem("A query parameter this endpoint does not take (errors[] names it), or a bad value.", "UNKNOWN_QUERY_PARAMETER", "INVALID_QUERY");

