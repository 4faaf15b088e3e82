/**
 * Webhook signing secrets. The service must sign with the secret, so it is kept recoverable, never in
 * clear: AES-256-GCM under a 32-byte key from configuration (WEBHOOK_SECRET_KEY, hex or base64; on a
 * development chain a key generated once in DATA_DIR), with the subscription id as associated data so
 * that a ciphertext copied onto another subscription does not decrypt. The secret is shown once, when
 * the subscription is created.
 */
import crypto from "node:crypto";

export const SECRET_FORMAT = "v1";

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** A key of 32 bytes as 64 hex characters or base64; throws with the rule otherwise. */
  static fromText(text: string): SecretBox {
    const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
    if (key.length !== 32) throw new Error("WEBHOOK_SECRET_KEY must be 32 bytes: 64 hex characters or base64");
    return new SecretBox(key);
  }

  seal(secret: string, subscriptionId: string): string {
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv("aes-256-gcm", this.key, iv);
    c.setAAD(Buffer.from(subscriptionId));
    const ct = Buffer.concat([c.update(secret, "utf8"), c.final()]);
    return `${SECRET_FORMAT}:${Buffer.concat([iv, c.getAuthTag(), ct]).toString("base64")}`;
  }

  open(sealed: string, subscriptionId: string): string {
    const [format, data] = sealed.split(":", 2);
    if (format !== SECRET_FORMAT || !data) throw new Error("unknown webhook secret format");
    const raw = Buffer.from(data, "base64");
    const d = crypto.createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
    d.setAAD(Buffer.from(subscriptionId));
    d.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString("utf8");
  }
}

/** A new signing secret: "whsec_" and 32 random bytes, base64url. */
export function newSecret(): string {
  return `whsec_${crypto.randomBytes(32).toString("base64url")}`;
}
