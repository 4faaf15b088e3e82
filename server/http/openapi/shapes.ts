/**
 * The response shapes of the API as zod schemas: the OpenAPI document is generated from them, and the
 * contract test checks real responses against them, so the document cannot drift from the service.
 */
import { z } from "zod";

const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/);
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const amount = z.string().regex(/^-?\d+\.\d{2}$/);

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).optional(),
  })
  .passthrough()
  .meta({ id: "Problem", description: "RFC 9457 problem details with a stable code" });

export const BillSummary = z
  .object({
    id: z.string(),
    kind: z.enum(["medical", "donation"]),
    billCode: z.string().regex(/^\d{8}$/),
    billNumber: z.string().regex(/^\d{10}$/),
    checkCode: z.string().length(6),
    issuedAt: z.string(),
    total: amount,
    status: z.enum(["pending", "anchored", "voided"]),
    verifyUrl: z.string().url(),
    pdfUrl: z.string().url(),
  })
  .meta({ id: "BillSummary" });

export const Anchor = z
  .object({ root: hex32, txHash: hex32, blockNumber: z.number().int(), confirmations: z.number().int().nullable() })
  .meta({ id: "Anchor" });

export const BillDetail = BillSummary.extend({
  bill: z.record(z.string(), z.unknown()).describe("the canonical bill (SPEC §1)"),
  billHash: hex32,
  leaf: hex32,
  anchor: Anchor.nullable(),
  void: z.object({ reason: z.string().nullable(), at: z.string() }).nullable(),
  reimbursement: z.object({ by: z.string().nullable(), at: z.string() }).nullable(),
}).meta({ id: "BillDetail" });

export const BillList = z.object({ items: z.array(BillSummary), nextCursor: z.string().nullable() }).meta({ id: "BillList" });

export const Envelope = z
  .object({
    format: z.literal("lianpiao-bill/2"),
    bill: z.record(z.string(), z.unknown()),
    salts: z.record(z.string(), hex32).describe("each shown field's salt, by JSON Pointer (docs/PROTOCOL.md §3)"),
    withheld: z.record(z.string(), hex32).describe("each withheld field's commitment, by JSON Pointer"),
    billHash: hex32,
    leaf: hex32,
    signature: z.string().regex(/^0x[0-9a-f]{130}$/),
    anchor: z
      .object({ chainId: z.number().int(), registry: address, root: hex32, proof: z.array(hex32), txHash: hex32, blockNumber: z.number().int() })
      .nullable(),
  })
  .meta({ id: "BillEnvelope", description: "the machine-readable bill embedded in the PDF (docs/PROTOCOL.md §5; JSON Schema in docs/schemas/bill-envelope.schema.json)" });

export const Health = z.object({ status: z.literal("ok") });
export const Ready = z.object({ status: z.enum(["ready", "unready"]), checks: z.record(z.string(), z.unknown()) });

const iso = z.string().regex(/^\d{4}-\d{2}-\d{2}T/);

const Range = z.object({ id: z.string(), billCode: z.string(), start: z.number().int(), end: z.number().int(), next: z.number().int(), used: z.number().int(), remaining: z.number().int(), allottedAt: iso });

export const Issuer = z
  .object({
    id: z.string(),
    name: z.string(),
    creditCode: z.string().nullable(),
    kind: z.enum(["medical", "donation"]).nullable(),
    account: address.nullable(),
    status: z.enum(["active", "suspended"]),
    admittedAt: iso,
    ranges: z.array(Range),
    bills: z.record(z.string(), z.unknown()),
  })
  .passthrough()
  .meta({ id: "Issuer" });

export const IssuerList = z.object({ items: z.array(Issuer) });

export const Stats = z
  .object({
    groupBy: z.enum(["day", "month"]),
    rows: z.array(z.object({ issuerId: z.string(), issuerName: z.string(), kind: z.string(), period: z.string(), issued: z.number(), amount, voided: z.number(), reimbursed: z.number(), pending: z.number(), red: z.number() })),
    totals: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "RegistryStats" });

export const RegistryBills = z.object({ items: z.array(z.record(z.string(), z.unknown())), nextCursor: z.string().nullable() }).passthrough();

export const Reconciliation = z
  .object({
    registry: address,
    scan: z.record(z.string(), z.unknown()),
    checked: z.record(z.string(), z.number()),
    inFlight: z.number().int(),
    /** the store and the chain disagree about the service's own data: `clean` is false */
    discrepancies: z.array(z.object({ type: z.string() }).passthrough()),
    /** other accounts' activity (a copied anchor, a mark under another issuer, unknown accounts): information only */
    notices: z.array(z.object({ type: z.string() }).passthrough()),
    duplicates: z.object({
      numbers: z.number().int(),
      leaves: z.number().int(),
      unknownRoots: z.array(z.object({ account: address, issuerId: z.string(), roots: z.number().int(), bills: z.number().int() })),
    }),
    clean: z.boolean(),
  })
  .meta({ id: "Reconciliation" });

export const AuditPage = z.object({
  items: z.array(z.object({ id: z.union([z.number(), z.string()]), at: z.string(), actor: z.union([z.string(), z.record(z.string(), z.unknown())]), action: z.string(), subject: z.string() }).passthrough()),
  nextCursor: z.union([z.number(), z.string()]).nullable(),
});

export const Reimbursement = z
  .object({ billCode: z.string(), billNumber: z.string(), by: z.string(), at: iso, reference: z.string().nullable() })
  .passthrough()
  .meta({ id: "Reimbursement" });

// `file` only when a file was presented (PDF upload): it is exactly the file issued for the bill
const CheckResult = z.object({ name: z.enum(["integrity", "inclusion", "issuer", "status", "signature", "file"]), status: z.enum(["passed", "failed", "pending", "error", "skipped"]), detail: z.string() }).passthrough();

export const Verification = z
  .object({
    verdict: z.enum(["VALID", "PENDING", "VOIDED", "INVALID", "ERROR"]),
    notice: z.string().meta({ description: "Only the data in this answer is authoritative (Chinese and English)" }),
    checks: z.array(CheckResult),
    bill: z.record(z.string(), z.unknown()).nullable(),
    anchor: z.record(z.string(), z.unknown()).nullable(),
    reimbursement: z.object({ by: z.string(), at: z.string() }).passthrough().nullable(),
    withheld: z.array(z.string()).meta({ description: "JSON Pointers of the fields the presented copy withholds (docs/PROTOCOL.md §3)" }),
  })
  .passthrough()
  .meta({ id: "Verification", description: "SPEC §4 / §7 verification result" });

export const RelyingParty = z
  .object({ id: z.string(), name: z.string(), creditCode: z.string().nullable(), account: address.nullable(), status: z.enum(["active", "suspended"]), admittedAt: iso })
  .passthrough()
  .meta({ id: "RelyingParty" });
