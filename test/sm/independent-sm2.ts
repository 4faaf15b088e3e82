/**
 * A second SM2 verifier, for tests: gm-crypto's SM3 (not sm-crypto-v2's) and curve arithmetic written
 * here from GM/T 0003.2 §7 (verification) and GM/T 0003.5 (the recommended curve's parameters), with
 * plain BigInt affine formulas. Slow and not constant-time; it only has to be independent.
 */
import { SM3 } from "gm-crypto";

const P = BigInt("0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF");
const A = BigInt("0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC");
const B = BigInt("0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93");
const N = BigInt("0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123");
const G: Point = [
  BigInt("0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"),
  BigInt("0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"),
];

type Point = [bigint, bigint] | null;

const mod = (x: bigint, m = P) => ((x % m) + m) % m;
function inv(x: bigint): bigint {
  // Fermat: x^(p−2) mod p, p prime
  let r = 1n,
    b = mod(x),
    e = P - 2n;
  for (; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
  return r;
}
function add(p: Point, q: Point): Point {
  if (p === null) return q;
  if (q === null) return p;
  if (p[0] === q[0] && mod(p[1] + q[1]) === 0n) return null;
  const l = p[0] === q[0] && p[1] === q[1] ? mod((3n * p[0] * p[0] + A) * inv(2n * p[1])) : mod((q[1] - p[1]) * inv(q[0] - p[0]));
  const x = mod(l * l - p[0] - q[0]);
  return [x, mod(l * (p[0] - x) - p[1])];
}
function mul(k: bigint, p: Point): Point {
  let r: Point = null;
  for (let q = p; k > 0n; k >>= 1n, q = add(q, q)) if (k & 1n) r = add(r, q);
  return r;
}

const be32 = (x: bigint) => Buffer.from(x.toString(16).padStart(64, "0"), "hex");
const sm3 = (data: Buffer) => Buffer.from(SM3.digest(data) as ArrayBuffer);

/** Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) (GM/T 0003.2 §5.5). */
export function zOf(publicKey: string, userId: string): Buffer {
  const id = Buffer.from(userId, "utf8");
  const pub = Buffer.from(publicKey.replace(/^0x04/, ""), "hex");
  const entl = Buffer.from([(id.length * 8) >> 8, (id.length * 8) & 0xff]);
  return sm3(Buffer.concat([entl, id, be32(A), be32(B), be32(G![0]), be32(G![1]), pub]));
}

/** GM/T 0003.2 §7.1: verification of (r, s) over M by public key P_A with user ID. */
export function independentSm2Verify(publicKey: string, message: Uint8Array, signature: string, userId = "1234567812345678"): boolean {
  const pub = publicKey.replace(/^0x/, "");
  if (!/^04[0-9a-fA-F]{128}$/.test(pub)) return false;
  const Q: Point = [BigInt(`0x${pub.slice(2, 66)}`), BigInt(`0x${pub.slice(66)}`)];
  if (mod(Q[1] * Q[1] - (Q[0] * Q[0] * Q[0] + A * Q[0] + B)) !== 0n) return false;
  const r = BigInt(`0x${signature.replace(/^0x/, "").slice(0, 64)}`);
  const s = BigInt(`0x${signature.replace(/^0x/, "").slice(64, 128)}`);
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  const e = BigInt(`0x${sm3(Buffer.concat([zOf(publicKey, userId), Buffer.from(message)])).toString("hex")}`);
  const t = mod(r + s, N);
  if (t === 0n) return false;
  const pt = add(mul(s, G), mul(t, Q));
  return pt !== null && mod(e + pt[0], N) === r;
}
