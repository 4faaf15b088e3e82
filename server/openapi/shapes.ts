/**
 * The response shapes of the API as zod schemas: the OpenAPI document is generated from them, and the
 * contract test checks real responses against them, so the document cannot drift from the service.
 * Every property carries a description; a shape with an `id` becomes a named component.
 */
import { z } from "zod";
import { ERRORS } from "../http/errors";
import { VERDICTS } from "../format/verdicts";

const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/);
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
/** Money in answers: yuan as a decimal string with two fraction digits, negative on a red bill. */
export const Amount = z
  .string()
  .regex(/^-?\d+\.\d{2}$/)
  .meta({
    id: "Amount",
    description: "Yuan as a decimal string with exactly two fraction digits (never a JSON number); negative on a red bill (红字票据).",
    examples: ["157.00"],
  });
const iso = z.string().regex(/^\d{4}-\d{2}-\d{2}T/);
const d = <T extends z.ZodType>(t: T, description: string): T => t.describe(description);

export const FieldIssue = z
  .object({
    path: d(z.string(), 'Where: "items[1].amount", "payer.idNumber", or a query parameter\'s name.'),
    code: d(z.string(), "A stable code of the problem (REQUIRED, AMOUNT_MISMATCH, ID_NUMBER_INVALID, UNKNOWN_FIELD, …)."),
    message: d(z.string(), "The problem in words (English)."),
  })
  .meta({ id: "FieldIssue", description: "One problem of one field of the request." });

export const Problem = z
  .object({
    type: d(z.string(), "A URI naming the problem type: https://lianpiao.dev/problems/<code in kebab case>."),
    title: d(z.string(), "The problem type in words; the same for every occurrence of the code."),
    status: d(z.number().int(), "The HTTP status."),
    code: z
      .enum(Object.keys(ERRORS) as [keyof typeof ERRORS, ...Array<keyof typeof ERRORS>])
      .describe("The stable code: clients switch on it. It never changes meaning."),
    detail: d(z.string(), "This occurrence in words."),
    instance: d(z.string(), "The request path.").optional(),
    errors: d(z.array(FieldIssue), "Each field problem of a request body (422) or query (400), all at once.").optional(),
  })
  .passthrough()
  .meta({
    id: "Problem",
    description: "RFC 9457 problem details (application/problem+json) with a stable `code`; some codes add members (retryAfter, reimbursedBy, chainError …).",
  });

export const BillStatus = z.enum(["pending", "anchored", "voided"]).meta({
  id: "BillStatus",
  description: "`pending` (issued, not yet anchored on chain), `anchored` (its batch root is confirmed on chain), `voided` (冲红).",
});

export const BillSummary = z
  .object({
    id: d(z.string(), "The bill's id in this service."),
    kind: d(z.enum(["medical", "donation"]), "`medical` 医疗收费电子票据 or `donation` 公益事业捐赠统一票据."),
    billCode: d(z.string().regex(/^\d{8}$/), "票据代码, 8 digits (a text: keep its leading zeros)."),
    billNumber: d(z.string().regex(/^\d{10}$/), "票据号码, 10 digits (a text: keep its leading zeros)."),
    checkCode: d(z.string().length(6), "校验码, 6 letters or digits, printed on the bill."),
    issuedAt: d(z.string(), "开票时间, ISO 8601 in Asia/Shanghai (+08:00)."),
    total: Amount,
    status: BillStatus,
    verifyUrl: d(z.string().url(), "The QR verification link printed on the bill."),
    pdfUrl: d(z.string().url(), "The bill's PDF (the issuer's or the bureau's API key)."),
  })
  .meta({ id: "BillSummary", description: "A bill: its numbers, total and state." });

export const Anchor = z
  .object({
    root: d(hex32, "The Merkle root of the bill's batch, anchored on chain."),
    txHash: d(hex32, "The anchoring transaction."),
    blockNumber: d(z.number().int(), "Its block."),
    confirmations: d(z.number().int().nullable(), "Blocks on top of it, the block included; null when the chain cannot be read."),
  })
  .meta({ id: "Anchor", description: "Where the bill is anchored on chain." });

export const BillDetail = BillSummary.extend({
  bill: d(
    z.record(z.string(), z.unknown()),
    "The canonical bill (docs/PROTOCOL.md §3): what the issuer sent, and what the service added (numbers, time, issuer, totalInWords).",
  ),
  billHash: d(hex32, "The root of the bill's per-field commitments."),
  leaf: d(hex32, "The bill's leaf in its batch tree."),
  anchor: d(Anchor.nullable(), "Where it is anchored, once its batch is confirmed; null before."),
  void: d(z.object({ reason: d(z.string().nullable(), "The reason given."), at: d(z.string(), "When, ISO 8601.") }).nullable(), "The void (冲红), or null."),
  reimbursement: d(
    z.object({ by: d(z.string().nullable(), "The relying party's id."), at: d(z.string(), "When, ISO 8601.") }).nullable(),
    "The reimbursement mark (报销), or null.",
  ),
}).meta({ id: "BillDetail", description: "A bill with its content and chain evidence." });

export const BillList = z
  .object({
    items: d(z.array(BillSummary), "Bills, newest first."),
    nextCursor: d(z.string().nullable(), "Pass as `before` for the next page; null on the last."),
  })
  .meta({ id: "BillList", description: "A page of bills." });

export const Envelope = z
  .object({
    format: d(z.literal("lianpiao-bill/3"), "The envelope format."),
    bill: d(z.record(z.string(), z.unknown()), "The canonical bill, as hashed and signed (docs/schemas/bill-envelope.schema.json)."),
    salts: d(z.record(z.string(), hex32), "Each shown field's salt, by JSON Pointer (docs/PROTOCOL.md §3)."),
    withheld: d(z.record(z.string(), hex32), "Each withheld field's commitment, by JSON Pointer."),
    billHash: d(hex32, "The root of the field commitments."),
    leaf: d(hex32, "The bill's leaf in its batch tree."),
    signature: d(z.string().regex(/^0x[0-9a-f]{130}$/), "The issuer's EIP-712 signature over billHash, bill code and number."),
    sm2: d(
      z.object({
        publicKey: d(z.string().regex(/^0x04[0-9a-f]{128}$/), "The issuer's SM2 public key, uncompressed (65 bytes)."),
        signature: d(z.string().regex(/^0x[0-9a-f]{128}$/), "SM2 signature r ‖ s with SM3 and user ID 1234567812345678 (docs/PROTOCOL.md §6.2)."),
      }),
      "The issuer's SM2 seal over the same values.",
    ),
    anchor: d(
      z
        .object({
          chainId: d(z.number().int(), "EVM chain id."),
          registry: d(address, "The registry contract."),
          root: d(hex32, "The batch root."),
          proof: d(z.array(hex32), "The bill's Merkle proof to the root."),
          txHash: d(hex32, "The anchoring transaction."),
          blockNumber: d(z.number().int(), "Its block."),
        })
        .nullable(),
      "The chain evidence, or null while pending.",
    ),
  })
  .meta({
    id: "BillEnvelope",
    description: "The machine-readable bill embedded in the PDF (docs/PROTOCOL.md §5; JSON Schema in docs/schemas/bill-envelope.schema.json).",
  });

export const CopyAttachment = Envelope.extend({
  document: d(
    z.object({
      renderer: d(z.string(), "The renderer version of the copy's PDF."),
      verifyUrl: d(z.string(), "The copy's own link, which its PDF's QR code encodes."),
    }),
    "How the copy's PDF is rendered (docs/PROTOCOL.md §10).",
  ),
}).meta({
  id: "CopyAttachment",
  description: "A redacted copy: its envelope (fields withheld, their commitments kept) and its document record, exactly its PDF's attachment.",
});

export const Health = z.object({ status: d(z.literal("ok"), "The process is up.") }).meta({ id: "Health", description: "Liveness." });
export const Ready = z
  .object({
    status: d(z.enum(["ready", "unready"]), "Whether every dependency answered."),
    checks: d(z.record(z.string(), z.unknown()), "Each dependency's check: database, chain, anchoring worker."),
  })
  .meta({ id: "Ready", description: "Readiness." });

const Range = z
  .object({
    id: d(z.string(), "The range's id."),
    billCode: d(z.string(), "票据代码 of the range."),
    start: d(z.number().int(), "First bill number."),
    end: d(z.number().int(), "Last bill number."),
    next: d(z.number().int(), "The next number to issue."),
    used: d(z.number().int(), "Numbers issued."),
    remaining: d(z.number().int(), "Numbers left."),
    allottedAt: d(iso, "When allotted."),
  })
  .meta({ id: "BillRange", description: "A bill-number range (号段)." });

/** The registry's figures, one definition (server/registry/figures.ts): originals and red bills apart. */
const figureShape = {
  issued: d(z.number().int(), "Original bills issued (red bills are counted apart)."),
  amount: d(Amount, "Total of the original bills."),
  voided: d(z.number().int(), "Original bills voided (冲红)."),
  voidedAmount: d(Amount, "Total of the voided originals."),
  reimbursed: d(z.number().int(), "Original bills marked reimbursed (报销/入账)."),
  reimbursedAmount: d(Amount, "Total of the reimbursed originals."),
  pending: d(z.number().int(), "Original bills not yet anchored."),
  red: d(z.number().int(), "Red bills (红字票据)."),
  redAmount: d(Amount, "Total of the red bills (negative)."),
};
export const Figures = z
  .object(figureShape)
  .meta({ id: "Figures", description: "The registry's figures: originals and red bills counted apart, voided and reimbursed originals with their amounts." });

export const Issuer = z
  .object({
    id: d(z.string(), "The institution's id."),
    name: d(z.string(), "Its name."),
    creditCode: d(z.string().nullable(), "统一社会信用代码."),
    kind: d(z.enum(["medical", "donation"]).nullable(), "The kind of bills it issues."),
    account: d(address.nullable(), "Its chain account."),
    status: d(z.enum(["active", "suspended"]), "Whether it may issue."),
    admittedAt: d(iso, "When admitted."),
    ranges: d(z.array(Range), "Its bill-number ranges."),
    bills: d(
      z
        .object({
          ...figureShape,
          total: d(z.number().int(), "Every bill, red bills included."),
          anchored: d(z.number().int(), "Bills anchored and not voided."),
        })
        .meta({ id: "IssuerFigures", description: "An issuer's figures (Figures), with every bill and the anchored ones." }),
      "Its figures.",
    ),
  })
  .passthrough()
  .meta({ id: "Issuer", description: "An issuer (hospital or charity) as the bureau sees it." });

export const IssuerList = z.object({ items: d(z.array(Issuer), "Issuers.") }).meta({ id: "IssuerList", description: "Issuers." });

export const Stats = z
  .object({
    groupBy: d(z.enum(["day", "month"]), "The period of each row."),
    rows: d(
      z.array(
        z
          .object({
            issuerId: d(z.string(), "The issuer."),
            issuerName: d(z.string(), "Its name."),
            kind: d(z.string(), "Bill kind."),
            period: d(z.string(), "YYYY-MM-DD or YYYY-MM."),
            ...figureShape,
          })
          .meta({ id: "StatsRow", description: "One issuer, kind and period." }),
      ),
      "Figures per issuer, kind and period.",
    ),
    totals: d(Figures, "The same figures over every row."),
  })
  .meta({ id: "RegistryStats", description: "Figures per issuer and day or month." });

export const RegistryBill = z
  .object({
    id: d(z.string(), "The bill's id."),
    kind: d(z.enum(["medical", "donation"]), "Bill kind."),
    billCode: d(z.string(), "票据代码."),
    billNumber: d(z.string(), "票据号码."),
    issuedAt: d(z.string(), "开票时间."),
    issuer: d(
      z.object({ id: d(z.string(), "Issuer id."), name: d(z.string(), "Issuer name."), creditCode: d(z.string().nullable(), "Its credit code.") }),
      "The issuer.",
    ),
    holder: d(z.string(), "The payer or donor, masked (张*)."),
    total: Amount,
    status: BillStatus,
    redOf: d(z.object({ billCode: d(z.string(), "票据代码."), billNumber: d(z.string(), "票据号码.") }).nullable(), "For a red bill, the bill it cancels."),
    void: d(z.object({ reason: d(z.string().nullable(), "Reason."), at: d(z.string(), "When.") }).nullable(), "The void, or null."),
    reimbursement: d(
      z.object({ by: d(z.string().nullable(), "The relying party's name."), at: d(z.string(), "When.") }).nullable(),
      "The reimbursement mark, or null.",
    ),
    anchor: d(
      z
        .object({ root: d(z.string(), "Batch root."), txHash: d(z.string().nullable(), "Transaction."), blockNumber: d(z.number().nullable(), "Block.") })
        .nullable(),
      "Chain evidence, or null.",
    ),
    leaf: d(z.string(), "The bill's leaf."),
  })
  .meta({ id: "RegistryBill", description: "A bill in the bureau's search." });

export const RegistryBills = z
  .object({
    items: d(z.array(RegistryBill), "Matching bills, oldest first."),
    nextCursor: d(z.string().nullable(), "Pass as `after` for the next page; null on the last."),
  })
  .meta({ id: "RegistryBills", description: "A page of the bureau's bill search." });

export const Reconciliation = z
  .object({
    registry: d(address, "The registry contract."),
    scan: d(z.record(z.string(), z.unknown()), "How far the chain was scanned."),
    checked: d(z.record(z.string(), z.number()), "What was compared, by kind."),
    inFlight: d(z.number().int(), "Chain writes not yet confirmed."),
    discrepancies: d(
      z.array(z.object({ type: d(z.string(), "What differs.") }).passthrough()),
      "The store and the chain disagree about the service's own data: `clean` is false.",
    ),
    notices: d(z.array(z.object({ type: d(z.string(), "What was seen.") }).passthrough()), "Other accounts' activity (information only)."),
    duplicates: d(
      z.object({
        numbers: d(z.number().int(), "Bill numbers used twice."),
        leaves: d(z.number().int(), "Leaves anchored twice."),
        unknownRoots: d(
          z.array(
            z.object({
              account: d(address, "Account."),
              issuerId: d(z.string(), "Issuer."),
              roots: d(z.number().int(), "Roots."),
              bills: d(z.number().int(), "Bills."),
            }),
          ),
          "Roots the store does not know.",
        ),
      }),
      "Duplicates found.",
    ),
    clean: d(z.boolean(), "No discrepancy."),
  })
  .meta({ id: "Reconciliation", description: "The store compared with the registry's events on chain." });

export const AuditPage = z
  .object({
    items: d(
      z.array(
        z
          .object({
            id: d(z.union([z.number(), z.string()]), "Entry id."),
            at: d(z.string(), "When."),
            actor: d(z.union([z.string(), z.record(z.string(), z.unknown())]), "Who."),
            action: d(z.string(), "What (bill.void, issuer.admit …)."),
            subject: d(z.string(), "On what."),
          })
          .passthrough(),
      ),
      "Entries, newest first.",
    ),
    nextCursor: d(z.union([z.number(), z.string()]).nullable(), "The next page, or null."),
  })
  .meta({ id: "AuditPage", description: "A page of the append-only audit log." });

export const Reimbursement = z
  .object({
    billCode: d(z.string(), "票据代码."),
    billNumber: d(z.string(), "票据号码."),
    by: d(z.string(), "The relying party."),
    at: d(iso, "When."),
    reference: d(z.string().nullable(), "The claim reference it gave."),
    amountFen: d(z.number().int().optional(), "A claim in parts: the amount claimed (or released), in fen."),
    claimableFen: d(
      z.number().int().optional(),
      "A claim in parts: the bill's claimable amount in fen (the cash paid of a medical bill with a settlement, else the total).",
    ),
    claimedFen: d(z.number().int().optional(), "A claim in parts: the bill's open claims in all, in fen."),
    remainingFen: d(z.number().int().optional(), "A claim in parts: what remains to be claimed, in fen."),
  })
  .passthrough()
  .meta({ id: "Reimbursement", description: "A reimbursement mark (报销/入账), or a claim of part of a bill." });

const ClaimsSummary = z
  .object({
    claimableFen: d(z.number().int().nullable(), "What may be claimed in all, in fen; null when a copy withholds it and nobody claimed yet."),
    claimedFen: d(z.number().int(), "The open claims in all, in fen."),
    remainingFen: d(z.number().int().nullable(), "What remains to be claimed, in fen."),
    parties: d(
      z.array(z.object({ by: d(z.string(), "The claiming institution's name."), amountFen: d(z.number().int(), "Its claim, in fen."), at: d(iso, "When.") })),
      "The open claims.",
    ),
  })
  .meta({ id: "ClaimsSummary", description: "Claims in parts on a bill (docs/PROTOCOL.md §7)." });

// `file` only when a file was presented (PDF upload): it is exactly the file issued for the bill
const CheckResult = z
  .object({
    name: d(z.enum(["integrity", "inclusion", "issuer", "status", "signature", "sm2", "file"]), "The check."),
    status: d(z.enum(["passed", "failed", "pending", "error", "skipped"]), "Its result."),
    detail: d(z.string(), "Why, in words."),
  })
  .passthrough()
  .meta({ id: "CheckResult", description: "One check of a verification." });

export const Verification = z
  .object({
    verdict: d(z.enum(VERDICTS), "The verdict."),
    notice: z.string().meta({ description: "Only the data in this answer is authoritative (Chinese and English)." }),
    checks: d(z.array(CheckResult), "Every check, in order."),
    bill: d(z.record(z.string(), z.unknown()).nullable(), "What anyone may see of the bill: no ID numbers, the payer or donor masked."),
    anchor: d(z.record(z.string(), z.unknown()).nullable(), "The chain evidence."),
    reimbursement: d(
      z
        .object({ by: d(z.string(), "Who."), at: d(z.string(), "When.") })
        .passthrough()
        .nullable(),
      "The reimbursement mark, or null.",
    ),
    claims: d(ClaimsSummary.nullable(), "Claims in parts: claimable, claimed, remaining, and who claimed; null when unknown."),
    withheld: z.array(z.string()).meta({ description: "JSON Pointers of the fields the presented copy withholds (docs/PROTOCOL.md §3)." }),
  })
  .passthrough()
  .meta({ id: "Verification", description: "A verification result (SPEC §4 / §7)." });

export const RelyingParty = z
  .object({
    id: d(z.string(), "The institution's id."),
    name: d(z.string(), "Its name."),
    creditCode: d(z.string().nullable(), "统一社会信用代码."),
    account: d(address.nullable(), "Its chain account."),
    status: d(z.enum(["active", "suspended"]), "Its state."),
    admittedAt: d(iso, "When admitted."),
  })
  .passthrough()
  .meta({ id: "RelyingParty", description: "A relying party (insurer, employer, tax office)." });

export const RelyingPartyList = z
  .object({ items: d(z.array(RelyingParty), "Relying parties.") })
  .meta({ id: "RelyingPartyList", description: "Relying parties." });

export const ApiKeyCreated = z
  .object({ id: d(z.string(), "The key's id (to revoke it)."), apiKey: d(z.string(), "The key: shown once, never again."), label: d(z.string(), "Its label.") })
  .meta({ id: "ApiKeyCreated", description: "A new API key." });

export const RangeAllotted = z
  .object({ rangeId: d(z.string(), "The new range."), ranges: d(z.array(Range), "Every range of the issuer.") })
  .meta({ id: "RangeAllotted", description: "The range allotted." });
