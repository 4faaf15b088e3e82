/**
 * Pure results the verifier would otherwise recompute at every scan of the same bill. Each is a
 * function of its key alone — the same key can only ever give the same answer — so a cached
 * answer is exactly the computed one, whatever happened since (no chain, store or clock input).
 *
 * - the signer an EIP-712 signature recovers to (secp256k1 recovery, ~1.6 ms, most of a scan's CPU);
 * - whether a Merkle proof places a leaf under a root;
 * - the hash of a credit code;
 * - whether an SM2 seal verifies (~6 ms in JavaScript).
 * (A stored envelope's text, parsed and integrity-checked, is remembered in verifier.ts.)
 */
import { id as keccakUtf8 } from "ethers";
import { verifyProof } from "../issuance/canonical";
import { recoverBillSigner, type BillDomain, type BillSignedValues } from "../issuance/signing";
import { Lru } from "./cache";
import { sm2Verify } from "../sm/sm2";

const signers = new Lru<string, string | null>(20_000);
const utf8Hashes = new Lru<string, string>(10_000);
const proofs = new Lru<string, boolean>(20_000);
const seals = new Lru<string, boolean>(20_000);

/** sm2Verify, remembered per (public key, message, signature). */
export function sm2VerifyMemo(publicKey: string, message: Uint8Array, signature: string): boolean {
  const key = JSON.stringify([publicKey.toLowerCase(), Buffer.from(message).toString("base64"), signature.toLowerCase()]);
  const hit = seals.get(key);
  if (hit !== undefined) return hit;
  const ok = sm2Verify(publicKey, message, signature);
  seals.set(key, ok);
  return ok;
}

/** recoverBillSigner, remembered per (domain, signed values, signature). */
export function recoverSignerMemo(domain: BillDomain, values: BillSignedValues, signature: string): string | null {
  // JSON of the array: no two different inputs share a key, whatever characters they hold
  const key = JSON.stringify([
    String(domain.chainId),
    domain.verifyingContract.toLowerCase(),
    values.billHash.toLowerCase(),
    values.billCode,
    values.billNumber,
    signature.toLowerCase(),
  ]);
  const hit = signers.get(key);
  if (hit !== undefined) return hit;
  const signer = recoverBillSigner(domain, values, signature);
  signers.set(key, signer);
  return signer;
}

/** verifyProof, remembered per (root, leaf, proof). */
export function verifyProofMemo(root: string, leaf: string, proof: readonly string[]): boolean {
  if (!Array.isArray(proof) || !proof.every((p) => typeof p === "string")) return verifyProof(root, leaf, proof);
  const key = JSON.stringify([String(root).toLowerCase(), String(leaf).toLowerCase(), ...proof.map((p) => p.toLowerCase())]);
  const hit = proofs.get(key);
  if (hit !== undefined) return hit;
  const ok = verifyProof(root, leaf, proof);
  proofs.set(key, ok);
  return ok;
}

/** keccak256 of a UTF-8 string (a credit code), remembered. */
export function keccakUtf8Memo(text: string): string {
  const hit = utf8Hashes.get(text);
  if (hit !== undefined) return hit;
  const hash = keccakUtf8(text);
  utf8Hashes.set(text, hash);
  return hash;
}

/** For tests: forget every memo. */
export function clearMemos(): void {
  signers.clear();
  proofs.clear();
  utf8Hashes.clear();
  seals.clear();
}
