/**
 * Authentication by API key (Authorization: Bearer <key>) and role checks. Failed attempts are
 * rate-limited per client address so keys cannot be guessed at speed.
 */
import type { Request, RequestHandler } from "express";
import type { Institution, Role } from "../store/schema";
import { ApiError } from "./errors";
import { RateLimiter, clientKey } from "./rate-limit";

declare module "express-serve-static-core" {
  interface Request {
    principal?: Principal;
  }
}

/** Who made a request: the API key's id and its institution. */
export interface Principal {
  keyId: string;
  institution: Institution;
}

/** Looks an API key up (registry/api-keys.ts KeyResolver, injected at wiring). */
export interface KeyLookup {
  resolve(key: string): Promise<Principal | null>;
}

const CHALLENGE = 'Bearer realm="lianpiao"';

/**
 * Reads `Authorization: Bearer <token>` (RFC 6750 §2.1; the scheme is case-insensitive, RFC 9110
 * §11.1). What is wrong with any other header is said: no scheme, another scheme, no token, or more
 * than one token.
 */
export function bearerToken(header: string): { ok: true; token: string } | { ok: false; detail: string } {
  const m = /^\s*(\S+)(?:\s+(.*?))?\s*$/.exec(header);
  if (!m) return { ok: false, detail: "The Authorization header is empty; send 'Authorization: Bearer <key>'" };
  const [, scheme, rest] = m;
  if (rest === undefined) {
    return /^bearer$/i.test(scheme)
      ? { ok: false, detail: "The Authorization header has the Bearer scheme but no key; send 'Authorization: Bearer <key>'" }
      : { ok: false, detail: "The Authorization header has no scheme; send the key as 'Authorization: Bearer <key>'" };
  }
  if (!/^bearer$/i.test(scheme)) {
    const shown = /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]{0,30}$/.test(scheme) ? `the ${scheme} scheme` : "an unknown scheme";
    return { ok: false, detail: `The Authorization header uses ${shown}; this API takes 'Authorization: Bearer <key>'` };
  }
  if (!/^[A-Za-z0-9._~+/-]+=*$/.test(rest))
    return { ok: false, detail: "The Bearer token is malformed: one token of letters, digits and -._~+/ (RFC 6750), with nothing after it" };
  return { ok: true, token: rest };
}

const API_KEY = /^[A-Za-z0-9_-]{8,200}$/;

export function authenticate(keys: KeyLookup, failures = new RateLimiter(30, 60_000)): RequestHandler {
  return async (req, res, next) => {
    const header = req.get("authorization");
    // no header, or an empty one: no credential offered (a protected route then answers 401)
    if (header === undefined || header.trim() === "") return next();
    const bearer = bearerToken(header);
    const token = bearer.ok && API_KEY.test(bearer.token) ? bearer.token : null;
    if (token === null) {
      res.setHeader("WWW-Authenticate", `${CHALLENGE}, error="invalid_request"`);
      return next(
        new ApiError("MALFORMED_AUTHORIZATION", bearer.ok ? "The Bearer token is not an API key: 8 to 200 letters, digits, '_' or '-'" : bearer.detail),
      );
    }
    const principal = await keys.resolve(token);
    if (!principal) {
      const wait = await failures.hit(clientKey(req.ip));
      if (wait > 0) return next(new ApiError("RATE_LIMITED", "Too many failed authentications", { retryAfter: wait }));
      res.setHeader("WWW-Authenticate", `${CHALLENGE}, error="invalid_token"`);
      return next(new ApiError("UNAUTHENTICATED", "The API key is unknown or revoked"));
    }
    req.principal = principal;
    next();
  };
}

/** Only these roles pass; the principal is then guaranteed on req. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, res, next) => {
    if (!req.principal) {
      res.setHeader("WWW-Authenticate", CHALLENGE);
      return next(new ApiError("UNAUTHENTICATED"));
    }
    if (!roles.includes(req.principal.institution.role)) return next(new ApiError("FORBIDDEN", `This endpoint is for: ${roles.join(", ")}`));
    next();
  };
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw new ApiError("UNAUTHENTICATED");
  return req.principal;
}
