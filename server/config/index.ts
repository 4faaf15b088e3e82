/**
 * All configuration, validated once at start-up. Nothing else reads process.env.
 */
import net from "node:net";
import path from "node:path";
import { z } from "zod";

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def);

const PROXY_NAMES = ["loopback", "linklocal", "uniquelocal"];

/** One TRUST_PROXY entry: a named range, an IP address, or a network in CIDR notation. */
function proxyEntryProblem(entry: string): string | null {
  if (PROXY_NAMES.includes(entry)) return null;
  const [ip, prefix, extra] = entry.split("/");
  const family = net.isIP(ip);
  if (!family || extra !== undefined) return `"${entry}" is not an IP address, a CIDR network or one of ${PROXY_NAMES.join(", ")}`;
  if (prefix === undefined) return null;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `"${entry}": the prefix length must be 0 to ${max}`;
  return null;
}

/**
 * TRUST_PROXY: the proxies whose X-Forwarded-For is believed, comma separated; "none" (the default)
 * believes none, so a client cannot name its own address. A hop count is refused: it would believe
 * whatever the nearest hops say, whoever they are.
 */
const trustProxy = z
  .string()
  .default("none")
  .transform((v, ctx) => {
    const entries = v
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean);
    if (entries.length === 0 || (entries.length === 1 && ["none", "false"].includes(entries[0]))) return [] as string[];
    for (const e of entries) {
      const problem = proxyEntryProblem(e);
      if (problem)
        ctx.addIssue({ code: "custom", message: `${problem}; give the addresses or networks of your proxies, e.g. "10.0.0.0/8" or "loopback", or "none"` });
    }
    return entries;
  });

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address");

const schema = z
  .object({
    PORT: int(3000, 0, 65535),
    HOST: z.string().default("0.0.0.0"),
    DATA_DIR: z.string().default("./data"),
    DATABASE_URL: z
      .string()
      .regex(/^(postgres(ql)?:\/\/|sqlite:)/, "must be postgres://… or sqlite:<file>")
      .optional(),
    RPC_URL: z.string().url("must be an http(s):// or ws(s):// URL").optional(),
    REGISTRY_ADDRESS: address.optional(),
    BOOTSTRAP: z.enum(["none", "dev"]).optional(),
    PUBLIC_BASE_URL: z.string().url().optional(),
    /** port of the embedded chain's JSON-RPC endpoint (0 picks a free one) */
    EMBEDDED_RPC_PORT: int(8545, 0, 65535),
    CONFIRMATIONS: z.coerce.number().int().min(1).max(100).optional(),
    BATCH_MAX_SIZE: int(1000, 1, 16_000_000),
    BATCH_MAX_AGE_MS: int(250, 0),
    ANCHOR_POLL_MS: int(100, 10),
    /** how long a sent transaction may stay unmined before it is re-sent with a higher fee */
    TX_BUMP_AFTER_MS: int(15_000, 100),
    RPC_TIMEOUT_MS: int(8_000, 100),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** unlocks the encrypted signer keystore in the database */
    KEYSTORE_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
    /** private keys in the environment, comma separated, instead of the keystore */
    SIGNER_PRIVATE_KEYS: z.string().optional(),
    INSTANCE_ID: z.string().optional(),
    /** proxies whose X-Forwarded-For is believed (addresses, CIDR networks, loopback/linklocal/uniquelocal); none by default */
    TRUST_PROXY: trustProxy,
    VERIFY_RATE_PER_MIN: int(120, 1),
    /** failed authentications allowed per client per minute before 429 */
    AUTH_FAILURES_PER_MIN: int(30, 1),
    /** reimbursement attempts per relying party per minute whose printed fields match no bill, before 429 */
    REIMBURSEMENT_FAILURES_PER_MIN: int(20, 1),
    /**
     * GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`. Without it /metrics is served only by
     * a server bound to loopback with no trusted proxy in front (see metricsAccess below).
     */
    METRICS_TOKEN: z
      .string()
      .min(16, "must be at least 16 characters")
      .regex(/^[A-Za-z0-9._~+/-]+=*$/, "must be a bearer token: letters, digits and -._~+/ (RFC 6750)")
      .optional(),
    /** deadline of each /readyz probe (database, chain head) */
    READY_TIMEOUT_MS: int(2_000, 100),
    /** 32 bytes (64 hex characters or base64): encrypts webhook signing secrets; generated in DATA_DIR on development chains */
    WEBHOOK_SECRET_KEY: z
      .string()
      .refine((k) => /^[0-9a-fA-F]{64}$/.test(k) || Buffer.from(k, "base64").length === 32, "must be 32 bytes: 64 hex characters or base64")
      .optional(),
    WEBHOOK_POLL_MS: int(500, 10),
    WEBHOOK_TIMEOUT_MS: int(10_000, 100),
    /** first retry delay; each further one doubles, up to WEBHOOK_RETRY_MAX_MS */
    WEBHOOK_RETRY_BASE_MS: int(10_000, 10),
    WEBHOOK_RETRY_MAX_MS: int(3_600_000, 10),
    WEBHOOK_MAX_ATTEMPTS: int(15, 1, 100),
    /** test-only: names a pipeline point at which the process exits abruptly (fault tests) */
    LIANPIAO_CRASH_AT: z.string().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.REGISTRY_ADDRESS && !c.RPC_URL) {
      ctx.addIssue({ code: "custom", path: ["REGISTRY_ADDRESS"], message: "needs RPC_URL" });
    }
    if (c.RPC_URL && !c.REGISTRY_ADDRESS && c.BOOTSTRAP !== "dev") {
      ctx.addIssue({ code: "custom", path: ["RPC_URL"], message: "needs REGISTRY_ADDRESS, or BOOTSTRAP=dev to deploy one" });
    }
  });

export type ChainMode = "embedded" | "dev" | "external";

/** Who may read GET /metrics: holders of METRICS_TOKEN, anyone (loopback only), or no one. */
export type MetricsAccess = "token" | "loopback" | "off";

/** A host name or address that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  sqlitePath: string;
  chainMode: ChainMode;
  rpcUrl?: string;
  registryAddress?: string;
  publicBaseUrl: string;
  embeddedRpcPort: number;
  confirmations: number;
  batchMaxSize: number;
  batchMaxAgeMs: number;
  anchorPollMs: number;
  txBumpAfterMs: number;
  rpcTimeoutMs: number;
  logLevel: string;
  keystorePassword?: string;
  signerPrivateKeys: string[];
  instanceId: string;
  /** the trusted proxies (express "trust proxy"); empty: none, req.ip is the socket's address */
  trustProxy: string[];
  verifyRatePerMin: number;
  authFailuresPerMin: number;
  reimbursementFailuresPerMin: number;
  metricsToken?: string;
  metricsAccess: MetricsAccess;
  /** said once at start-up: settings that are valid but worth knowing about */
  notices: string[];
  readyTimeoutMs: number;
  crashAt?: string;
  webhooks: { secretKey?: string; pollMs: number; timeoutMs: number; retryBaseMs: number; retryMaxMs: number; maxAttempts: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const c = parsed.data;
  const chainMode: ChainMode = !c.RPC_URL ? "embedded" : c.BOOTSTRAP === "dev" && !c.REGISTRY_ADDRESS ? "dev" : "external";
  const dataDir = path.resolve(c.DATA_DIR);
  // /metrics tells about the whole system: open only where nobody else can connect.
  const behindProxy = c.TRUST_PROXY.length > 0;
  const metricsAccess: MetricsAccess = c.METRICS_TOKEN ? "token" : isLoopbackHost(c.HOST) && !behindProxy ? "loopback" : "off";
  const notices: string[] = [];
  if (metricsAccess === "off") {
    notices.push(
      `METRICS_TOKEN is not set and ${behindProxy ? "TRUST_PROXY says requests come through a proxy" : `HOST=${c.HOST} is not a loopback address`}: ` +
        "GET /metrics is refused (403). Set METRICS_TOKEN and scrape with 'Authorization: Bearer <token>', or bind HOST=127.0.0.1 with no proxy.",
    );
  }
  const sqliteUrl = c.DATABASE_URL?.startsWith("sqlite:") ? c.DATABASE_URL.slice("sqlite:".length) : undefined;
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir,
    databaseUrl: sqliteUrl ? undefined : c.DATABASE_URL,
    sqlitePath: sqliteUrl ? path.resolve(sqliteUrl) : path.join(dataDir, "lianpiao.sqlite"),
    chainMode,
    rpcUrl: c.RPC_URL,
    registryAddress: c.REGISTRY_ADDRESS,
    publicBaseUrl: (c.PUBLIC_BASE_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ""),
    embeddedRpcPort: c.EMBEDDED_RPC_PORT,
    // automine on the embedded chain: a mined block is final; real nodes get a safety margin.
    confirmations: c.CONFIRMATIONS ?? (chainMode === "embedded" ? 1 : 2),
    batchMaxSize: c.BATCH_MAX_SIZE,
    batchMaxAgeMs: c.BATCH_MAX_AGE_MS,
    anchorPollMs: c.ANCHOR_POLL_MS,
    txBumpAfterMs: c.TX_BUMP_AFTER_MS,
    rpcTimeoutMs: c.RPC_TIMEOUT_MS,
    logLevel: c.LOG_LEVEL,
    keystorePassword: c.KEYSTORE_PASSWORD,
    signerPrivateKeys: (c.SIGNER_PRIVATE_KEYS ?? "")
      .split(",")
      .map((k) => k.trim())
      .filter(Boolean),
    instanceId: c.INSTANCE_ID ?? `${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    trustProxy: c.TRUST_PROXY,
    verifyRatePerMin: c.VERIFY_RATE_PER_MIN,
    authFailuresPerMin: c.AUTH_FAILURES_PER_MIN,
    reimbursementFailuresPerMin: c.REIMBURSEMENT_FAILURES_PER_MIN,
    metricsToken: c.METRICS_TOKEN,
    metricsAccess,
    notices,
    readyTimeoutMs: c.READY_TIMEOUT_MS,
    crashAt: c.LIANPIAO_CRASH_AT,
    webhooks: {
      secretKey: c.WEBHOOK_SECRET_KEY,
      pollMs: c.WEBHOOK_POLL_MS,
      timeoutMs: c.WEBHOOK_TIMEOUT_MS,
      retryBaseMs: c.WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: c.WEBHOOK_RETRY_MAX_MS,
      maxAttempts: c.WEBHOOK_MAX_ATTEMPTS,
    },
  };
}
