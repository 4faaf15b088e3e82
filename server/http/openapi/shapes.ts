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
    format: z.literal("lianpiao-bill/1"),
    bill: z.record(z.string(), z.unknown()),
    salt: z.string(),
    billHash: hex32,
    leaf: hex32,
    signature: z.string().regex(/^0x[0-9a-f]{130}$/),
    anchor: z
      .object({ chainId: z.number().int(), registry: address, root: hex32, proof: z.array(hex32), txHash: hex32, blockNumber: z.number().int() })
      .nullable(),
  })
  .meta({ id: "BillEnvelope", description: "the machine-readable bill embedded in the PDF" });

export const Health = z.object({ status: z.literal("ok") });
export const Ready = z.object({ status: z.enum(["ready", "unready"]), checks: z.record(z.string(), z.unknown()) });
