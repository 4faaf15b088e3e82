/**
 * Structured logs. Secrets never reach them: authorization headers, keys and ID numbers are redacted
 * wherever they appear in a logged object.
 */
import pino, { type Logger } from "pino";

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: "lianpiao" },
    redact: {
      paths: ["*.authorization", "*.apiKey", "*.privateKey", "*.password", "*.idNumber", "*.*.idNumber", "*.verify_key", "*.key", "req.headers.authorization"],
      censor: "[redacted]",
    },
  });
}
