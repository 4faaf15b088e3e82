/**
 * The bill hash as the root of salted per-field commitments (docs/PROTOCOL.md §3).
 *
 * A bill is flattened into fields: every value that is not a non-empty JSON object, addressed by its
 * RFC 6901 JSON Pointer ("/payer/idNumber", "/items"). Each field has its own 32-byte random salt and
 *
 *   commitment = keccak256(abi.encode(bytes32 salt, bytes utf8(RFC 8785 JSON of the value)))
 *   fieldLeaf  = keccak256(bytes.concat(keccak256(abi.encode(string pointer, bytes32 commitment))))
 *   billHash   = root of the OpenZeppelin StandardMerkleTree of the fields' [pointer, commitment]
 *
 * so that a copy with some fields withheld (their pointer and commitment given instead of value and
 * salt) hashes to the same billHash, a withheld value cannot be guessed without its salt, and one
 * field can be proven to a contract with OpenZeppelin MerkleProof.
 */
import { randomBytes } from "node:crypto";
import canonicalize from "canonicalize";
import { getBytes, hexlify, isHexString, keccak256 } from "ethers";
import { getProof, makeMerkleTree, processProof } from "@openzeppelin/merkle-tree/dist/core";

export type Salts = Record<string, string>;
/** pointer → commitment of each withheld field */
export type Withheld = Record<string, string>;

export interface Field {
  pointer: string;
  value: unknown;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** RFC 6901: "~" is written "~0" and "/" is written "~1" inside a reference token. */
export function pointerOf(tokens: readonly string[]): string {
  return tokens.map((t) => `/${t.replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

/** The reference tokens of a JSON Pointer; throws for a string that is not one ("" is the whole document). */
export function tokensOf(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/") || /~[^01]|~$/.test(pointer)) throw new TypeError(`not a JSON Pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** The fields of a bill: non-empty objects are descended into; everything else is one field. */
export function fieldsOf(doc: Record<string, unknown>): Field[] {
  const out: Field[] = [];
  const walk = (value: unknown, tokens: string[]) => {
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      for (const key of Object.keys(value)) walk(value[key], [...tokens, key]);
    } else {
      out.push({ pointer: pointerOf(tokens), value });
    }
  };
  if (!isPlainObject(doc)) throw new TypeError("a bill is a JSON object");
  walk(doc, []);
  return out;
}

/** UTF-8 of the value's RFC 8785 canonical JSON: the bytes a commitment binds. */
export function valueBytes(value: unknown): Uint8Array {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError("value has no JSON representation");
  return new TextEncoder().encode(text);
}

const word = (n: number) => {
  const w = new Uint8Array(32);
  new DataView(w.buffer).setUint32(28, n);
  return w;
};
const padded = (data: Uint8Array) => {
  const out = new Uint8Array(Math.ceil(data.length / 32) * 32);
  out.set(data);
  return out;
};
const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

function assertBytes32(value: string, what: string): void {
  if (!isHexString(value, 32)) throw new TypeError(`${what} must be 0x-prefixed 32-byte hex`);
}

/** keccak256(abi.encode(bytes32 salt, bytes value)), written out: head (salt, offset 0x40), tail (length, data). */
export function commitmentOf(salt: string, value: unknown): string {
  assertBytes32(salt, "salt");
  const data = valueBytes(value);
  return keccak256(concat([getBytes(salt), word(64), word(data.length), padded(data)]));
}

/** The StandardMerkleTree leaf of [pointer, commitment] with encoding ["string", "bytes32"]. */
export function fieldLeaf(pointer: string, commitment: string): string {
  assertBytes32(commitment, "commitment");
  const text = new TextEncoder().encode(pointer);
  return keccak256(keccak256(concat([word(64), getBytes(commitment), word(text.length), padded(text)])));
}

/** The root of the StandardMerkleTree over these field leaves (sorted, as StandardMerkleTree sorts them). */
export function fieldRoot(leaves: string[]): { root: string; tree: string[]; sorted: string[] } {
  if (leaves.length === 0) throw new RangeError("a bill has at least one field");
  const sorted = [...leaves].sort();
  const tree = makeMerkleTree(sorted);
  return { root: tree[0], tree, sorted };
}

/** Fresh salts, one per field: 32 bytes each from the system CSPRNG. */
export function newSalts(pointers: readonly string[]): Salts {
  const bytes = randomBytes(32 * pointers.length);
  const salts: Salts = {};
  pointers.forEach((p, i) => (salts[p] = hexlify(bytes.subarray(32 * i, 32 * i + 32))));
  return salts;
}

export interface Commitment {
  billHash: string;
  salts: Salts;
  /** every field's commitment, by pointer */
  commitments: Record<string, string>;
}

/** Commits a complete bill with fresh salts (or the given ones, for test vectors). */
export function commitBill(bill: Record<string, unknown>, salts?: Salts): Commitment {
  const fields = fieldsOf(bill);
  const s = salts ?? newSalts(fields.map((f) => f.pointer));
  const commitments: Record<string, string> = {};
  const leaves = fields.map((f) => {
    const salt = s[f.pointer];
    if (salt === undefined) throw new TypeError(`no salt for ${f.pointer}`);
    commitments[f.pointer] = commitmentOf(salt, f.value);
    return fieldLeaf(f.pointer, commitments[f.pointer]);
  });
  return { billHash: fieldRoot(leaves).root, salts: s, commitments };
}

/** A Merkle proof of one field (by pointer) to the bill hash, from every field's commitment. */
export function fieldProof(commitments: Record<string, string>, pointer: string): { leaf: string; proof: string[] } {
  const leaves = Object.entries(commitments).map(([p, c]) => fieldLeaf(p, c));
  const { tree } = fieldRoot(leaves);
  const leaf = fieldLeaf(pointer, commitments[pointer]);
  const index = tree.lastIndexOf(leaf);
  if (index < 0) throw new RangeError(`no field ${pointer}`);
  return { leaf, proof: getProof(tree, index) };
}

/** Whether `proof` takes `leaf` to `root` (the OpenZeppelin MerkleProof rule). */
export function provesTo(root: string, leaf: string, proof: readonly string[]): boolean {
  return processProof(leaf, [...proof]).toLowerCase() === root.toLowerCase();
}

export type Opened =
  | { ok: true; billHash: string; disclosed: string[]; withheld: string[] }
  | { ok: false; code: "SALT_MISSING" | "SALT_UNUSED" | "FIELD_CONFLICT" | "FIELD_MALFORMED"; detail: string };

/** Whether one pointer equals another or lies inside it (token-wise: "/payer" holds "/payer/name"). */
function overlaps(a: string[], b: string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Re-derives the bill hash of a presented copy: its disclosed fields with their salts, plus the
 * commitments of the fields it withholds. Refuses a salt without a field, a field without a salt, and
 * two fields that overlap (the same pointer, or one inside the other), so that a copy can neither hide
 * a second value for a field nor disclose a field twice. Never throws for presented data.
 */
export function openCommitment(bill: Record<string, unknown>, salts: Record<string, unknown>, withheld: Record<string, unknown>): Opened {
  let fields: Field[];
  try {
    fields = fieldsOf(bill);
  } catch (err) {
    return { ok: false, code: "FIELD_MALFORMED", detail: (err as Error).message };
  }
  const tokens: string[][] = [];
  const leaves: string[] = [];
  try {
    for (const f of fields) {
      const salt = salts[f.pointer];
      if (typeof salt !== "string" || !isHexString(salt, 32)) return { ok: false, code: "SALT_MISSING", detail: `The field ${f.pointer} has no 32-byte salt` };
      leaves.push(fieldLeaf(f.pointer, commitmentOf(salt, f.value)));
      tokens.push(tokensOf(f.pointer));
    }
    const disclosed = new Set(fields.map((f) => f.pointer));
    const unused = Object.keys(salts).find((p) => !disclosed.has(p));
    if (unused !== undefined) return { ok: false, code: "SALT_UNUSED", detail: `A salt is given for ${unused}, which the bill does not show` };
    for (const [pointer, commitment] of Object.entries(withheld)) {
      if (typeof commitment !== "string" || !isHexString(commitment, 32))
        return { ok: false, code: "FIELD_MALFORMED", detail: `The withheld field ${pointer} has no 32-byte commitment` };
      tokens.push(tokensOf(pointer));
      leaves.push(fieldLeaf(pointer, commitment));
    }
  } catch (err) {
    return { ok: false, code: "FIELD_MALFORMED", detail: (err as Error).message };
  }
  for (let i = 0; i < tokens.length; i++) {
    for (let j = i + 1; j < tokens.length; j++) {
      if (overlaps(tokens[i], tokens[j]))
        return { ok: false, code: "FIELD_CONFLICT", detail: `The fields ${pointerOf(tokens[i])} and ${pointerOf(tokens[j])} overlap` };
    }
  }
  return { ok: true, billHash: fieldRoot(leaves).root, disclosed: fields.map((f) => f.pointer), withheld: Object.keys(withheld) };
}

export interface Disclosure {
  bill: Record<string, unknown>;
  salts: Salts;
  withheld: Withheld;
}

/**
 * A copy of a disclosure with more fields withheld (docs/PROTOCOL.md §3): every shown field at or
 * under each pointer ("/payer" withholds /payer/name and /payer/idNumber) leaves the bill and its salt
 * leaves the copy; its commitment is listed instead. An object left with no shown field is removed.
 * The bill hash is unchanged. Throws for a pointer that matches no shown field.
 */
export function withhold(d: Disclosure, pointers: readonly string[]): Disclosure {
  const bill = structuredClone(d.bill);
  const salts: Salts = { ...d.salts };
  const withheld: Withheld = { ...d.withheld };
  const fields = fieldsOf(d.bill);
  for (const pointer of pointers) {
    const target = tokensOf(pointer);
    const hit = fields.filter((f) => overlaps(target, tokensOf(f.pointer)) && tokensOf(f.pointer).length >= target.length);
    if (hit.length === 0) throw new RangeError(`the bill shows no field at ${pointer}`);
    for (const f of hit) {
      if (salts[f.pointer] === undefined) continue; // withheld by an earlier pointer of this call
      withheld[f.pointer] = commitmentOf(salts[f.pointer], f.value);
      delete salts[f.pointer];
      removeAt(bill, tokensOf(f.pointer));
    }
  }
  return { bill, salts, withheld };
}

/** Deletes the value at `tokens`, then every object on the way that is left empty. */
function removeAt(doc: Record<string, unknown>, tokens: string[]): void {
  const parents: Array<Record<string, unknown>> = [doc];
  for (const t of tokens.slice(0, -1)) parents.push(parents[parents.length - 1][t] as Record<string, unknown>);
  delete parents[parents.length - 1][tokens[tokens.length - 1]];
  for (let i = parents.length - 1; i > 0; i--) {
    if (Object.keys(parents[i]).length > 0) break;
    delete parents[i - 1][tokens[i - 1]];
  }
}
