/**
 * The last middleware: turns every error into RFC 9457 problem details. Unexpected errors are logged
 * and answered as a bare 500 with no internals.
 */
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "pino";
import { ApiError, problemBody } from "./errors";
import { textOf } from "../format/text";

export function sendProblem(res: Parameters<RequestHandler>[1], err: ApiError, instance?: string): void {
  res
    .status(err.status)
    .type("application/problem+json")
    .send(JSON.stringify(problemBody(err, instance)));
}

/** Errors thrown by body parsers carry `type`; map them to the catalogue. */
function fromParser(err: { type?: string; status?: number }): ApiError | undefined {
  if (err.type === "entity.parse.failed") return new ApiError("MALFORMED_JSON");
  if (err.type === "entity.too.large") return new ApiError("PAYLOAD_TOO_LARGE");
  if (err.type === "encoding.unsupported" || err.type === "charset.unsupported") return new ApiError("UNSUPPORTED_MEDIA_TYPE");
  if (typeof err.status === "number" && err.status >= 400 && err.status < 500) return new ApiError("MALFORMED_JSON", "The request could not be read");
  return undefined;
}

export function problemHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const known = err instanceof ApiError ? err : fromParser(err ?? {});
    if (known) {
      if (known.extra.retryAfter) res.setHeader("Retry-After", textOf(known.extra.retryAfter));
      return sendProblem(res, known, req.originalUrl.split("?")[0]);
    }
    log.error({ err, path: req.path }, "unhandled error");
    if (res.headersSent) return res.end();
    sendProblem(res, new ApiError("INTERNAL"), req.originalUrl.split("?")[0]);
  };
}

export const notFound: RequestHandler = (_req, _res, next) => next(new ApiError("NOT_FOUND"));
