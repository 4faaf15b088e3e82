/**
 * GET /metrics: the Prometheus text exposition. With METRICS_TOKEN set, only `Authorization: Bearer
 * <token>` may read it; without, it is open only on a server bound to loopback with no proxy in front
 * (config: metricsAccess), and refused everywhere else.
 */
import crypto from "node:crypto";
import type { RequestHandler } from "express";
import { ApiError } from "../http/errors";
import { bearerToken } from "../http/auth";
import type { Metrics } from "./metrics";

function sameSecret(a: string, b: string): boolean {
  const ha = crypto.createHash("sha256").update(a).digest();
  const hb = crypto.createHash("sha256").update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export function metricsRoute(m: Metrics, token?: string, access: "token" | "loopback" | "off" = token ? "token" : "loopback"): RequestHandler {
  return async (req, res, next) => {
    if (access === "off") {
      return next(
        new ApiError(
          "METRICS_TOKEN_REQUIRED",
          "METRICS_TOKEN is not set and this server is not bound to loopback only: set METRICS_TOKEN and send 'Authorization: Bearer <token>'",
        ),
      );
    }
    if (token) {
      const bearer = bearerToken(req.get("authorization") ?? "");
      const given = bearer.ok ? bearer.token : "";
      if (!sameSecret(given, token)) return next(new ApiError("UNAUTHENTICATED", "Send the metrics token as 'Authorization: Bearer <token>'"));
    }
    try {
      const { contentType, body } = await m.expose();
      res.setHeader("Cache-Control", "no-store");
      res.type(contentType).send(body);
    } catch (err) {
      next(err);
    }
  };
}
