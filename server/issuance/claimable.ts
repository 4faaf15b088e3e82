/**
 * A bill's claimable amount (docs/PROTOCOL.md §7, "Claims"): what relying parties may claim in parts,
 * up to a cap the registry proves from the bill's own field commitment (contracts/FieldOpenings.sol).
 *
 * - a medical bill with a settlement: what the person paid in cash, `/insurance/cashPaid` (bills
 *   issued before the field's rename carry `/insurance/selfPaid`): the insurance funds' parts are not
 *   the person's to claim again;
 * - a medical bill without a settlement, and a donation receipt: the total.
 */
import { commitmentOf, fieldProof, tokensOf, valueBytes, type Salts } from "./commitments";
import { toFen, type Fen } from "./money";

export const CLAIMABLE_POINTERS = ["/insurance/cashPaid", "/insurance/selfPaid", "/total"] as const;

/** The FieldOpening struct of IBillRegistry.claim. */
export interface FieldOpening {
  pointer: string;
  salt: string;
  value: Uint8Array;
  proof: string[];
}

function at(bill: Record<string, unknown>, pointer: string): unknown {
  let v: unknown = bill;
  for (const t of tokensOf(pointer)) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[t] : undefined;
  return v;
}

/** The pointer of the claimable field of a complete bill. */
export function claimablePointer(bill: Record<string, unknown>): string {
  if (bill.kind === "medical") {
    for (const p of CLAIMABLE_POINTERS.slice(0, 2)) if (typeof at(bill, p) === "string") return p;
  }
  return "/total";
}

/** The claimable amount of a complete bill, in fen. */
export function claimableFen(bill: Record<string, unknown>): Fen {
  return toFen(at(bill, claimablePointer(bill)) as string);
}

/**
 * The opening of the claimable field with its proof to the bill hash: from the complete bill and all
 * its salts (the issuer's store holds them; a copy with the field withheld cannot open it).
 */
export function claimableOpening(bill: Record<string, unknown>, salts: Salts, commitments?: Record<string, string>): FieldOpening {
  const pointer = claimablePointer(bill);
  const all = commitments ?? commitmentsOf(bill, salts);
  return { pointer, salt: salts[pointer], value: valueBytes(at(bill, pointer)), proof: fieldProof(all, pointer).proof };
}

/** Every field's commitment of a complete bill from its salts. */
function commitmentsOf(bill: Record<string, unknown>, salts: Salts): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [pointer, salt] of Object.entries(salts)) out[pointer] = commitmentOf(salt, at(bill, pointer));
  return out;
}
