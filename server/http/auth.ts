/**
 * Authentication by API key (Authorization: Bearer <key>) and role checks. Failed attempts are
 * rate-limited per client address so keys cannot be guessed at speed.
 */
import type { Request, RequestHandler } from "express";
import type { KeyResolver, Principal } from "../registry/api-keys";
import type { Role } from "../store/schema";
import { ApiError } from "./errors";
import { RateLimiter } from "./rate-limit";

declare module "express-serve-static-core" {
  interface Request {
    principal?: Principal;
  }
}

export function authenticate(keys: KeyResolver, failures = new RateLimiter(30, 60_000)): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get("authorization");
    if (!header) return next();
    const m = /^Bearer\s+([A-Za-z0-9_\-]{8,200})$/.exec(header);
    const principal = m ? await keys.resolve(m[1]) : null;
    if (!principal) {
      const wait = failures.hit(req.ip ?? "unknown");
      if (wait > 0) return next(new ApiError("RATE_LIMITED", "Too many failed authentications", { retryAfter: wait }));
      return next(new ApiError("UNAUTHENTICATED", "The API key is unknown or revoked"));
    }
    req.principal = principal;
    next();
  };
}

/** Only these roles pass; the principal is then guaranteed on req. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.principal) return next(new ApiError("UNAUTHENTICATED"));
    if (!roles.includes(req.principal.institution.role)) return next(new ApiError("FORBIDDEN", `This endpoint is for: ${roles.join(", ")}`));
    next();
  };
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw new ApiError("UNAUTHENTICATED");
  return req.principal;
}
