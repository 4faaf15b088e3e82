/**
 * All configuration, validated once at start-up. Nothing else reads process.env.
 */
import path from "node:path";
import { z } from "zod";

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);

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
    VERIFY_RATE_PER_MIN: int(120, 1),
    /** failed authentications allowed per client per minute before 429 */
    AUTH_FAILURES_PER_MIN: int(30, 1),
    /** when set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>` */
    METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
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
  verifyRatePerMin: number;
  authFailuresPerMin: number;
  metricsToken?: string;
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
    signerPrivateKeys: (c.SIGNER_PRIVATE_KEYS ?? "").split(",").map((k) => k.trim()).filter(Boolean),
    instanceId: c.INSTANCE_ID ?? `${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    verifyRatePerMin: c.VERIFY_RATE_PER_MIN,
    authFailuresPerMin: c.AUTH_FAILURES_PER_MIN,
    metricsToken: c.METRICS_TOKEN,
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
