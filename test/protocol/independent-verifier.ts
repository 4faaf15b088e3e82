/**
 * An independent verifier of a lianpiao bill PDF, written from docs/PROTOCOL.md alone with general
 * libraries: ethers (ABI, keccak256, EIP-712, JSON-RPC), canonicalize (RFC 8785),
 * @openzeppelin/merkle-tree (StandardMerkleTree) and the qpdf command (to read the attachment). It
 * imports nothing from lianpiao's own code: test/protocol/independent.test.ts holds it to that, and
 * runs it against bills the service issued. It checks everything in §9 except the file rule (§10),
 * which needs the lianpiao renderer, and says so.
 */
import { execFileSync } from "node:child_process";
import canonicalize from "canonicalize";
import { AbiCoder, Contract, JsonRpcProvider, keccak256, toUtf8Bytes, verifyTypedData } from "ethers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { independentSm2Verify } from "../sm/independent-sm2";

export type IndependentVerdict = "VALID" | "PENDING" | "VOIDED" | "INVALID" | "ERROR";

export interface IndependentResult {
  verdict: IndependentVerdict;
  /** why it is not VALID, one line each */
  reasons: string[];
  /** what this verifier could not check */
  notChecked: string[];
}

// §7, as human-readable ABI: the two reads this verifier needs
const REGISTRY_ABI = [
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
  "function sealKeyAt(address issuer, uint256 blockNumber) view returns (bytes32)",
  "function evidence(address issuer, bytes32 root, bytes32 leaf, bytes32[] proof, uint32 billCode, uint64 billNumber) view returns (tuple(tuple(uint48 blockNumber, uint40 timestamp, uint24 billCount) batch, tuple(bool voided, uint8 voidReason, uint40 voidedAt, address reimbursedBy, uint40 reimbursedAt, uint64 claimedFen, uint64 capFen, uint8 claimable, uint16 claimCount) status, tuple(uint8 kind, bool active, uint48 admittedAt, bytes32 creditCodeHash) issuer, bool included, bool activeAtAnchor, bool allottedAtAnchor))",
];
const BILL_TYPES = {
  Bill: [
    { name: "billHash", type: "bytes32" },
    { name: "billCode", type: "string" },
    { name: "billNumber", type: "string" },
  ],
};
const KINDS: Record<string, number> = { medical: 1, donation: 2 };

type Json = Record<string, unknown>;

/** §3: non-empty objects are descended into; every other value is one field, by RFC 6901 pointer. */
function fields(value: unknown, tokens: string[] = []): Array<[string, unknown]> {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
    return Object.entries(value as Json).flatMap(([k, v]) => fields(v, [...tokens, k]));
  }
  return [[tokens.map((t) => `/${t.replace(/~/g, "~0").replace(/\//g, "~1")}`).join(""), value]];
}

const tokensOf = (p: string) => p.slice(1).split("/");
const overlap = (a: string[], b: string[]) => a.slice(0, Math.min(a.length, b.length)).every((t, i) => t === b[i]);

/** §3: the bill hash of a (possibly redacted) bill, or why there is none. */
function billHashOf(env: Json): { hash: string } | { problem: string } {
  const salts = env.salts as Record<string, string>;
  const withheld = env.withheld as Record<string, string>;
  const entries: Array<[string, string]> = [];
  for (const [pointer, value] of fields(env.bill)) {
    const salt = salts[pointer];
    if (!/^0x[0-9a-fA-F]{64}$/.test(salt ?? "")) return { problem: `no salt for ${pointer}` };
    entries.push([pointer, keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes"], [salt, toUtf8Bytes(canonicalize(value) as string)]))]);
  }
  if (Object.keys(salts).some((p) => !entries.some(([q]) => q === p))) return { problem: "a salt for a field the bill does not show" };
  for (const [pointer, commitment] of Object.entries(withheld)) entries.push([pointer, commitment]);
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++)
      if (overlap(tokensOf(entries[i][0]), tokensOf(entries[j][0]))) return { problem: `fields ${entries[i][0]} and ${entries[j][0]} overlap` };
  }
  return { hash: StandardMerkleTree.of(entries, ["string", "bytes32"]).root };
}

/** §9's verdict from what failed, what could not be asked, and the marks. */
function verdict(invalid: string[], errors: string[], voided: boolean, pending: boolean): IndependentVerdict {
  if (invalid.length > 0) return "INVALID";
  if (errors.length > 0) return "ERROR";
  if (voided) return "VOIDED";
  return pending ? "PENDING" : "VALID";
}

export async function verifyPdfIndependently(pdfPath: string, rpcUrl: string, registryAddress: string, minConfirmations = 1): Promise<IndependentResult> {
  const notChecked = ["file: whether the PDF is exactly the file issued (docs/PROTOCOL.md §10) needs the lianpiao renderer"];
  let env: Json;
  try {
    env = JSON.parse(
      execFileSync("qpdf", [`--show-attachment=lianpiao-bill.json`, pdfPath], { encoding: "utf8", maxBuffer: 4 << 20, stdio: ["ignore", "pipe", "pipe"] }),
    );
  } catch (err) {
    return { verdict: "INVALID", reasons: [`no readable lianpiao-bill.json attachment: ${(err as Error).message.split("\n")[0]}`], notChecked };
  }
  const bill = env.bill as Json;
  const issuer = bill?.issuer as { account: string; creditCode: string } | undefined;
  if (env.format !== "lianpiao-bill/3" || !issuer || typeof bill.billCode !== "string" || typeof bill.billNumber !== "string") {
    return { verdict: "INVALID", reasons: ["not a lianpiao-bill/3 envelope"], notChecked };
  }
  const invalid: string[] = [];
  const errors: string[] = [];
  // integrity (§3, §4)
  const h = billHashOf(env);
  if ("problem" in h) invalid.push(`integrity: ${h.problem}`);
  else if (h.hash !== String(env.billHash).toLowerCase()) invalid.push("integrity: the fields do not give the bill hash");
  else if (StandardMerkleTree.of([[h.hash]], ["bytes32"]).leafHash([h.hash]) !== String(env.leaf).toLowerCase())
    invalid.push("integrity: the bill hash does not give the leaf");
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true });
  try {
    const registry = new Contract(registryAddress, REGISTRY_ABI, provider);
    const chainId = (await provider.getNetwork()).chainId;
    // signature (§6), in the registry's own domain
    const d = await registry.eip712Domain();
    if (d.name !== "lianpiao" || d.version !== "2" || d.chainId !== chainId) errors.push(`signature: the registry's domain is ${d.name} ${d.version}`);
    const domain = { name: d.name, version: d.version, chainId: d.chainId, verifyingContract: d.verifyingContract };
    const message = { billHash: env.billHash, billCode: bill.billCode, billNumber: bill.billNumber };
    if (verifyTypedData(domain, BILL_TYPES, message, env.signature as string).toLowerCase() !== issuer.account.toLowerCase())
      invalid.push("signature: not signed by the bill's issuer account");
    // SM2 seal (§6.2), checked with gm-crypto's SM3 and curve arithmetic of test/sm/independent-sm2.ts
    const seal = env.sm2 as { publicKey: string; signature: string } | undefined;
    const sealed = canonicalize({
      scheme: "lianpiao-sm2/1",
      billHash: String(env.billHash).toLowerCase(),
      billCode: bill.billCode,
      billNumber: bill.billNumber,
      chainId: Number(chainId),
      registry: registryAddress.toLowerCase(),
    }) as string;
    if (!seal || !independentSm2Verify(seal.publicKey, Buffer.from(sealed, "utf8"), seal.signature)) invalid.push("sm2: the SM2 seal does not verify");
    const anchor = env.anchor as { chainId: number; registry: string; root: string; proof: string[] } | null;
    if (anchor === null) {
      // a bill not anchored yet is PENDING at best: this verifier has no register to ask about its issuer now
      return { verdict: verdict(invalid, errors, false, true), reasons: [...invalid, ...errors, "inclusion: not anchored yet"], notChecked };
    }
    if (BigInt(anchor.chainId) !== chainId || anchor.registry.toLowerCase() !== registryAddress.toLowerCase())
      invalid.push("inclusion: the bill names another registry");
    if (!StandardMerkleTree.verify(anchor.root, ["bytes32"], [env.billHash as string], anchor.proof))
      invalid.push("inclusion: the proof does not reach the root");
    // inclusion, issuer and status (§7, §9): one read, under the bill's own issuer account
    const ev = await registry.evidence(issuer.account, anchor.root, env.leaf, anchor.proof, Number(bill.billCode), BigInt(bill.billNumber as string));
    if (Number(ev.batch.blockNumber) === 0) invalid.push("inclusion: the bill's issuer never anchored this root");
    else if (!ev.included) invalid.push("inclusion: the registry does not place the leaf under the root");
    if (Number(ev.issuer.kind) !== KINDS[bill.kind as string]) invalid.push("issuer: not admitted for this kind of bill");
    if (ev.issuer.creditCodeHash !== keccak256(toUtf8Bytes(issuer.creditCode))) invalid.push("issuer: another credit code");
    if (Number(ev.batch.blockNumber) !== 0 && !ev.activeAtAnchor) invalid.push("issuer: not an active issuer when it anchored");
    if (Number(ev.batch.blockNumber) !== 0 && !ev.allottedAtAnchor) invalid.push("issuer: the bill's code and number were not allotted to it");
    if (
      seal &&
      Number(ev.batch.blockNumber) !== 0 &&
      (await registry.sealKeyAt(issuer.account, ev.batch.blockNumber)) !== keccak256(seal.publicKey.toLowerCase())
    ) {
      invalid.push("sm2: the seal key is not the one the registry records for the issuer at the anchoring block");
    }
    const confirmations = (await provider.getBlockNumber()) - Number(ev.batch.blockNumber) + 1;
    const pending = confirmations < minConfirmations;
    const out = verdict(invalid, errors, Boolean(ev.status.voided), pending);
    return {
      verdict: out,
      reasons: [...invalid, ...errors, ...(ev.status.voided ? ["status: voided"] : []), ...(pending ? ["inclusion: awaiting confirmations"] : [])],
      notChecked,
    };
  } catch (err) {
    errors.push(`the chain could not be asked: ${(err as Error).message.split("\n")[0]}`);
    return { verdict: verdict(invalid, errors, false, false), reasons: [...invalid, ...errors], notChecked };
  } finally {
    provider.destroy();
  }
}
