/**
 * The issuer's SM2 seal (docs/PROTOCOL.md §6.2): GM/T 0003 SM2 signatures with SM3 and the standard
 * user ID, beside the EIP-712 signature, for the national formats (OFD, GB/T 38540-style seals).
 *
 * Key: each issuer's SM2 private key is derived from its chain key, which the encrypted keystore (or
 * SIGNER_PRIVATE_KEYS) already holds: d = (SM3(label ‖ chainKey) mod (n − 1)) + 1. So the SM2 key is
 * exactly as protected as the chain key, survives restarts with nothing new to store, and a second
 * secret store (with its own backup and unlock rules) is not needed. `generation` lets a rotation
 * derive a new key; the bureau records keccak256 of the public key on chain (setSealKey).
 */
import { sm2, sm3 } from "sm-crypto-v2";
import { getBytes, hexlify, keccak256, toUtf8Bytes } from "ethers";
import { canonicalJson } from "../format/canonical-json";

/** GM/T 0009's default user ID for SM2 signatures (used in Z_A). */
export const SM2_USER_ID = "1234567812345678";
/** The scheme named inside every signed message, so a seal cannot be replayed as another message. */
export const SEAL_SCHEME = "lianpiao-sm2/1";

/** The order n of the SM2 recommended curve (GM/T 0003.5). */
const SM2_N = BigInt("0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123");

export interface SealKeyPair {
  /** 32-byte private key, hex without 0x (sm-crypto's form) */
  privateKey: string;
  /** 0x04 ‖ x ‖ y, 65 bytes, 0x-prefixed */
  publicKey: string;
}

export interface SealedValues {
  billHash: string;
  billCode: string;
  billNumber: string;
  chainId: number | bigint;
  registry: string;
}

const derived = new Map<string, SealKeyPair>();

/** The SM2 seal key of a chain key (0x-prefixed 32-byte hex), generation 0 unless rotated. */
export function sealKeyOf(chainPrivateKey: string, generation = 0): SealKeyPair {
  const memoKey = `${chainPrivateKey}:${generation}`;
  const hit = derived.get(memoKey);
  if (hit) return hit;
  const label = toUtf8Bytes(`lianpiao-sm2-seal/${generation}`);
  const seed = BigInt(`0x${sm3(new Uint8Array([...label, ...getBytes(chainPrivateKey)]))}`);
  const d = (seed % (SM2_N - 1n)) + 1n;
  const privateKey = d.toString(16).padStart(64, "0");
  const pair = { privateKey, publicKey: `0x${sm2.getPublicKeyFromPrivateKey(privateKey)}` };
  if (derived.size > 1024) derived.clear();
  derived.set(memoKey, pair);
  return pair;
}

/** keccak256 of the 65-byte uncompressed public key: what the registry records (sealKeyAt). */
export function sealKeyHash(publicKey: string): string {
  return keccak256(publicKey.toLowerCase());
}

/** The signed message: the UTF-8 bytes of canonical JSON (RFC 8785) of the seal's values. */
export function sealMessage(v: SealedValues): Uint8Array {
  return toUtf8Bytes(
    canonicalJson({
      scheme: SEAL_SCHEME,
      billHash: v.billHash.toLowerCase(),
      billCode: v.billCode,
      billNumber: v.billNumber,
      chainId: Number(v.chainId),
      registry: v.registry.toLowerCase(),
    }),
  );
}

/**
 * e = SM3(Z_A ‖ M), GM/T 0003.2 §6.1 steps A1–A2, with Z_A over the user ID and the public key.
 */
export function sm2Digest(publicKey: string, message: Uint8Array, userId = SM2_USER_ID): string {
  return sm2.getHash(Buffer.from(message).toString("hex"), publicKey.replace(/^0x/, ""), userId);
}

/**
 * The nonce k for (d, e): HMAC-SM3 keyed with d over e, reduced into [1, n − 1]. GM/T 0003 asks only
 * that k be secret and unpredictable, which a keyed hash of the private key is; being a function of
 * the key and message, it makes a bill's seal — and so its OFD file — the same bytes at every render
 * (the file rule re-creates files and compares bytes), and no weak random source can leak d.
 */
function nonceOf(privateKey: string, e: string): { k: bigint; x1: bigint } {
  const mac = BigInt(`0x${sm3(e, { key: privateKey, mode: "hmac" })}`);
  const k = (mac % (SM2_N - 1n)) + 1n;
  const point = sm2.getPublicKeyFromPrivateKey(k.toString(16).padStart(64, "0"));
  return { k, x1: BigInt(`0x${point.slice(2, 66)}`) };
}

/**
 * SM2 signature with SM3 and Z_A (user ID 1234567812345678) over `message`: 0x ‖ r ‖ s (64 bytes).
 * `k` (tests only) fixes the nonce, as GM/T 0003.5's worked example does.
 */
export function sm2Sign(key: SealKeyPair, message: Uint8Array, opts: { userId?: string; k?: bigint } = {}): string {
  const e = sm2Digest(key.publicKey, message, opts.userId);
  let point = nonceOf(key.privateKey, e);
  if (opts.k !== undefined) point = { k: opts.k, x1: BigInt(`0x${sm2.getPublicKeyFromPrivateKey(opts.k.toString(16).padStart(64, "0")).slice(2, 66)}`) };
  // hash: false — the message given is e itself; the pool hands the library our k (it would draw a random one)
  const sig = sm2.doSignature(Buffer.from(e, "hex"), key.privateKey, { hash: false, pointPool: [point] });
  return `0x${sig}`;
}

/** Checks an r ‖ s signature; false (never a throw) for anything malformed. */
export function sm2Verify(publicKey: string, message: Uint8Array, signature: string): boolean {
  if (!/^0x04[0-9a-fA-F]{128}$/.test(publicKey) || !/^0x[0-9a-fA-F]{128}$/.test(signature)) return false;
  try {
    return sm2.doVerifySignature(message, signature.slice(2).toLowerCase(), publicKey.slice(2).toLowerCase(), { hash: true, userId: SM2_USER_ID });
  } catch {
    // a point off the curve or an out-of-range r/s is a failed signature, not a fault
    return false;
  }
}

/** The envelope's `sm2` member for a bill (docs/PROTOCOL.md §5, §6.2). */
export function sealBillSm2(key: SealKeyPair, v: SealedValues): { publicKey: string; signature: string } {
  return { publicKey: key.publicKey, signature: sm2Sign(key, sealMessage(v)) };
}

/** DER (GM/T 0009 SM2Signature: SEQUENCE { r INTEGER, s INTEGER }) of an r ‖ s signature, for OFD. */
export function sm2Der(signature: string): Uint8Array {
  const int = (hex: string) => {
    let b = getBytes(`0x${hex}`);
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    b = b.slice(i);
    if (b[0] & 0x80) b = new Uint8Array([0, ...b]);
    return [0x02, b.length, ...b];
  };
  const body = [...int(signature.slice(2, 66)), ...int(signature.slice(66, 130))];
  return getBytes(hexlify(new Uint8Array([0x30, body.length, ...body])));
}
