/**
 * Request parsing for every API endpoint: zod schemas in, catalogue errors
 * out (422 INVALID_BODY with errors[], 400 INVALID_QUERY).
 */
import type { Request } from "express";
import type { z } from "zod";
import { ApiError, type FieldIssue } from "./errors";

function issuesOf(err: z.ZodError): FieldIssue[] {
  return err.issues.map((i) => ({
    path: i.path.map((p, n) => (typeof p === "number" ? `[${p}]` : n === 0 ? String(p) : `.${String(p)}`)).join("") || "(body)",
    code:
      i.code === "custom" && typeof i.params?.code === "string"
        ? i.params.code
        : i.code === "unrecognized_keys"
          ? "UNKNOWN_FIELD"
          : i.code === "invalid_type"
            ? "TYPE"
            : "INVALID_VALUE",
    message: i.message,
  }));
}

export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  if (!req.is("application/json")) throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json");
  return parseInput(schema, req.body ?? {});
}

/** A body by the API's schema, from wherever it came (the console's forms too): 422 INVALID_BODY with errors[]. */
export function parseInput<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const errors = issuesOf(r.error);
  throw new ApiError("INVALID_BODY", `${errors.length} problem(s): ${errors[0].path}: ${errors[0].message}`, { errors });
}

/**
 * Parses the query string with a strict schema. A parameter the endpoint does not take is a 400
 * UNKNOWN_QUERY_PARAMETER naming it (errors[].path is the parameter); a bad value is INVALID_QUERY.
 */
export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const r = schema.safeParse(req.query);
  if (r.success) return r.data;
  const unknown = r.error.issues.flatMap((i) => (i.code === "unrecognized_keys" ? i.keys : []));
  if (unknown.length) {
    const errors = unknown.map((k) => ({ path: k, code: "UNKNOWN_QUERY_PARAMETER", message: "is not a query parameter of this endpoint" }));
    throw new ApiError("UNKNOWN_QUERY_PARAMETER", `Unknown query parameter${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`, { errors });
  }
  const errors = r.error.issues.map((i) => ({
    path: i.path.map(String).join(".") || "(query)",
    code: i.code === "invalid_type" ? "TYPE" : "INVALID_VALUE",
    message: i.message,
  }));
  throw new ApiError("INVALID_QUERY", errors.map((i) => `${i.path}: ${i.message}`).join("; "), { errors });
}

/** A field of an HTML form (application/x-www-form-urlencoded): its text, or undefined when absent or repeated. */
export function formField(req: Request, name: string): string | undefined {
  const body: unknown = req.body;
  if (typeof body !== "object" || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}
