/**
 * From a composed bill to its signed envelope (docs/PROTOCOL.md §3–§6): fresh salts per field, the
 * field commitments' root as the bill hash, its batch leaf, and the issuer's EIP-712 signature and
 * its SM2 seal (§6.2).
 */
import { SigningKey, type BaseWallet } from "ethers";
import { leafOf } from "./canonical";
import { commitBill, type Salts } from "./commitments";
import { ENVELOPE_FORMAT, type Bill, type BillEnvelope } from "./model";
import { signBill, type BillDomain } from "./signing";
import { sealBillSm2, sealKeyOf } from "../sm/sm2";

/** The complete envelope of `bill`, not yet anchored. `salts` only for test vectors. */
export function sealBill(bill: Bill, signer: BaseWallet | SigningKey, domain: BillDomain, salts?: Salts): BillEnvelope {
  const c = commitBill(bill as unknown as Record<string, unknown>, salts);
  const key = signer instanceof SigningKey ? signer : signer.signingKey;
  const sealed = { billHash: c.billHash, billCode: bill.billCode, billNumber: bill.billNumber, chainId: domain.chainId, registry: domain.verifyingContract };
  return {
    format: ENVELOPE_FORMAT,
    bill,
    salts: c.salts,
    withheld: {},
    billHash: c.billHash,
    leaf: leafOf(c.billHash),
    signature: signBill(signer, domain, { billHash: c.billHash, billCode: bill.billCode, billNumber: bill.billNumber }),
    sm2: sealBillSm2(sealKeyOf(key.privateKey), sealed),
    anchor: null,
  };
}
