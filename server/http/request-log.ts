/**
 * One log line per request: method, route path, status, time. Never the query string (the QR key
 * travels there) nor any header (API keys travel there).
 *
 * Lines of answers below 500 are debug: at the default level (info) nothing of them is built, so the
 * hot paths (issuing, QR scans) pay one listener and one clock read per request, not a log entry.
 */
import type { RequestHandler } from "express";
import type { Logger } from "pino";

export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const error = res.statusCode >= 500;
      if (!error && !log.isLevelEnabled("debug")) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const entry = { method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10, actor: req.principal?.institution.id };
      if (error) log.error(entry, "request");
      else log.debug(entry, "request");
    });
    next();
  };
}
