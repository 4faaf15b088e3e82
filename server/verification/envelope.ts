/**
 * The shape a presented envelope must have before any check runs (docs/PROTOCOL.md §5). It is
 * validated, not trusted: the schema only guarantees that the checks can read what they need without
 * throwing. The bill's objects are loose on purpose — every field the bill shows must carry a salt and
 * is committed (commitments.ts), so an unknown key there is caught by the integrity check, not hidden
 * here. The envelope itself and its anchor are not committed by anything: like
 * docs/schemas/bill-envelope.schema.json they admit no other member (a PDF's attachment adds only
 * `document`, file-check.ts), so unsigned data cannot ride along in a file that verifies.
 * The fields a verdict is about (code, number, issuer, kind, time, total) can never be withheld.
 */
import { z } from "zod";
import { ENVELOPE_FORMAT, type BillEnvelope } from "../issuance/model";

const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 32-byte hex");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 20-byte hex address");
const text = z.string().max(2000);

const issuer = z.looseObject({ name: text, creditCode: z.string().max(64), account: address });

const common = {
  v: z.literal(2),
  billCode: z.string().regex(/^\d{8}$/),
  billNumber: z.string().regex(/^\d{10}$/),
  checkCode: z.string().max(16),
  issuedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T/),
  issuer,
  total: z.string().max(32),
  totalInWords: text,
};

const bill = z.discriminatedUnion("kind", [
  // the payer's or donor's name may be withheld in a copy; when shown it is text
  z.looseObject({ kind: z.literal("medical"), ...common, payer: z.looseObject({ name: text.optional() }).optional() }),
  z.looseObject({ kind: z.literal("donation"), ...common, donor: z.looseObject({ name: text.optional() }).optional() }),
]);

const anchor = z.strictObject({
  chainId: z.number().int().positive(),
  registry: address,
  root: bytes32,
  // a Merkle proof deeper than 64 levels would be a tree of more bills than exist
  proof: z.array(bytes32).max(64),
  txHash: bytes32,
  blockNumber: z.number().int().nonnegative(),
});

const pointer = z
  .string()
  .max(256)
  .regex(/^(\/[^/]*)+$/, "must be a JSON Pointer");
// a bill has a few dozen fields; the caps bound the work a presented envelope can ask for
const byPointer = z.record(pointer, bytes32).refine((r) => Object.keys(r).length <= 512, "too many fields");

export const envelopeSchema = z.strictObject({
  format: z.literal(ENVELOPE_FORMAT),
  bill,
  salts: byPointer,
  withheld: byPointer,
  billHash: bytes32,
  leaf: bytes32,
  signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "must be a 65-byte signature"),
  sm2: z.strictObject({
    publicKey: z.string().regex(/^0x04[0-9a-fA-F]{128}$/, "must be a 65-byte uncompressed SM2 public key"),
    signature: z.string().regex(/^0x[0-9a-fA-F]{128}$/, "must be a 64-byte SM2 signature r ‖ s"),
  }),
  anchor: anchor.nullable(),
  // the PDF attachment's record of how the file was made (docs/PROTOCOL.md §5, §10): read by file-check.ts
  document: z.unknown().optional(),
});

export type ParsedEnvelope = { ok: true; envelope: BillEnvelope } | { ok: false; problems: string[] };

/** Validates an untrusted envelope; returns it unchanged (same object) when its shape is sound. */
export function parseEnvelope(value: unknown): ParsedEnvelope {
  const r = envelopeSchema.safeParse(value);
  if (!r.success) {
    return { ok: false, problems: r.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(envelope)"}: ${i.message}`) };
  }
  // Hash the presented object, not zod's copy: zod's output may differ from the input in ways
  // (key order, dropped keys) that matter to a canonical hash.
  return { ok: true, envelope: value as BillEnvelope };
}

/** Validates an anchor proof alone (the store's, joined to a stored envelope validated without it). */
export function parseAnchor(value: unknown): { ok: true } | { ok: false; problems: string[] } {
  const r = anchor.nullable().safeParse(value);
  if (r.success) return { ok: true };
  return { ok: false, problems: r.error.issues.slice(0, 5).map((i) => `anchor${i.path.length ? `.${i.path.join(".")}` : ""}: ${i.message}`) };
}
