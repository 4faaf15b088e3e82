/**
 * From a composed bill to its signed envelope (docs/PROTOCOL.md §3–§6): fresh salts per field, the
 * field commitments' root as the bill hash, its batch leaf, and the issuer's EIP-712 signature.
 */
import type { BaseWallet, SigningKey } from "ethers";
import { leafOf } from "./canonical";
import { commitBill, type Salts } from "./commitments";
import { ENVELOPE_FORMAT, type Bill, type BillEnvelope } from "./model";
import { signBill, type BillDomain } from "./signing";

/** The complete envelope of `bill`, not yet anchored. `salts` only for test vectors. */
export function sealBill(bill: Bill, signer: BaseWallet | SigningKey, domain: BillDomain, salts?: Salts): BillEnvelope {
  const c = commitBill(bill as unknown as Record<string, unknown>, salts);
  return {
    format: ENVELOPE_FORMAT,
    bill,
    salts: c.salts,
    withheld: {},
    billHash: c.billHash,
    leaf: leafOf(c.billHash),
    signature: signBill(signer, domain, { billHash: c.billHash, billCode: bill.billCode, billNumber: bill.billNumber }),
    anchor: null,
  };
}
