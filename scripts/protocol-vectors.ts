/**
 * The test vectors of docs/PROTOCOL.md §12: a medical bill, a donation receipt, a red bill and a copy
 * with withheld fields, each from fixed inputs to every intermediate value. Run as a script it writes
 * docs/vectors/*.json; test/protocol/vectors.test.ts checks the files against this and the
 * implementation against the files.
 */
import fs from "node:fs";
import { SM2_USER_ID, sealKeyHash, sealMessage, sm2Digest } from "../server/sm/sm2";
import path from "node:path";
import { TypedDataEncoder, id as keccakUtf8 } from "ethers";
import { devWallet } from "../server/chain/accounts";
import { composeBill } from "../server/issuance/compose";
import { commitBill, fieldLeaf, fieldProof, fieldsOf, valueBytes, withhold } from "../server/issuance/commitments";
import { buildBatchTree } from "../server/issuance/canonical";
import { parseInvoiceRequest } from "../server/issuance/schema";
import { sealBill } from "../server/issuance/seal";
import { BILL_TYPES, billDigest, billDomain } from "../server/issuance/signing";
import { composeRedBill } from "../server/lifecycle/red-bill";
import type { Bill, BillEnvelope } from "../server/issuance/model";
import { DONATION_EXAMPLE, INPATIENT_EXAMPLE, IN_KIND_EXAMPLE, MEDICAL_EXAMPLE } from "./lib/spec-examples";

export const VECTOR_DIR = path.join(__dirname, "..", "docs", "vectors");
const CHAIN_ID = 31337;
const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const DOMAIN = { chainId: CHAIN_ID, verifyingContract: REGISTRY };

const HOSPITAL = { name: "示范市第一人民医院 Demo First People's Hospital", creditCode: "12110000400000758N", account: devWallet(1).address };
const CHARITY = { name: "示范市慈善基金会 Demo Charity Foundation", creditCode: "53110000500000314K", account: devWallet(2).address };

/** Vector salts are derived from the vector's name, so the files are reproducible; real salts are random (§3). */
function vectorSalts(name: string, bill: Bill): Record<string, string> {
  const salts: Record<string, string> = {};
  for (const f of fieldsOf(bill as unknown as Record<string, unknown>)) salts[f.pointer] = keccakUtf8(`lianpiao test vector ${name} ${f.pointer}`);
  return salts;
}

function compose(body: unknown, ctx: { billCode: string; billNumber: string; checkCode: string; issuedAt: string; issuer: typeof HOSPITAL }): Bill {
  const parsed = parseInvoiceRequest(body);
  if (!parsed.ok) throw new Error(`vector body refused: ${JSON.stringify(parsed.issues)}`);
  return composeBill(parsed.value, { ...ctx, issuedAt: new Date(ctx.issuedAt) });
}

function vector(name: string, description: string, bill: Bill, signerIndex: number, withheldPointers: string[] = []) {
  const signer = devWallet(signerIndex);
  const salts = vectorSalts(name, bill);
  const commitment = commitBill(bill as unknown as Record<string, unknown>, salts);
  const sealed = sealBill(bill, signer, DOMAIN, salts);
  const others = [keccakUtf8(`lianpiao test vector ${name} other bill 1`), keccakUtf8(`lianpiao test vector ${name} other bill 2`)];
  const batch = buildBatchTree([sealed.billHash, ...others]);
  const envelope: BillEnvelope = {
    ...sealed,
    anchor: {
      chainId: CHAIN_ID,
      registry: REGISTRY,
      root: batch.root,
      proof: batch.entries[0].proof,
      txHash: keccakUtf8(`lianpiao test vector ${name} tx`),
      blockNumber: 42,
    },
  };
  const message = { billHash: sealed.billHash, billCode: bill.billCode, billNumber: bill.billNumber };
  const out: Record<string, unknown> = {
    name,
    description,
    bill,
    salts,
    fields: fieldsOf(bill as unknown as Record<string, unknown>).map((f) => ({
      pointer: f.pointer,
      canonical: Buffer.from(valueBytes(f.value)).toString("utf8"),
      salt: salts[f.pointer],
      commitment: commitment.commitments[f.pointer],
      leaf: fieldLeaf(f.pointer, commitment.commitments[f.pointer]),
    })),
    billHash: sealed.billHash,
    leaf: sealed.leaf,
    fieldProof: { pointer: "/total", ...fieldProof(commitment.commitments, "/total") },
    batch: { billHashes: [sealed.billHash, ...others], root: batch.root, leaf: batch.entries[0].leaf, proof: batch.entries[0].proof },
    signature: {
      signerKeyPath: `m/44'/60'/0'/0/${signerIndex}`,
      domain: billDomain(DOMAIN),
      types: BILL_TYPES,
      message,
      domainSeparator: TypedDataEncoder.hashDomain(billDomain(DOMAIN)),
      digest: billDigest(DOMAIN, message),
      signer: signer.address,
      signature: sealed.signature,
    },
    sm2: {
      // the seal key derives from the same development key (server/sm/sm2.ts); the registry records keccak256(publicKey)
      userId: SM2_USER_ID,
      publicKey: sealed.sm2.publicKey,
      publicKeyHash: sealKeyHash(sealed.sm2.publicKey),
      message: Buffer.from(sealMessage({ ...message, chainId: CHAIN_ID, registry: REGISTRY })).toString("utf8"),
      e: `0x${sm2Digest(sealed.sm2.publicKey, sealMessage({ ...message, chainId: CHAIN_ID, registry: REGISTRY }))}`,
      signature: sealed.sm2.signature,
    },
    envelope,
  };
  if (withheldPointers.length > 0) {
    const copy = withhold({ bill: bill as unknown as Record<string, unknown>, salts, withheld: {} }, withheldPointers);
    out.withheldCopy = { ...envelope, ...copy };
  }
  return out;
}

export function buildVectors(): Record<string, unknown> {
  const medical = compose(MEDICAL_EXAMPLE, {
    billCode: "11060126",
    billNumber: "0000000001",
    checkCode: "8A3F2K",
    issuedAt: "2026-11-23T10:31:07+08:00",
    issuer: HOSPITAL,
  });
  const donation = compose(DONATION_EXAMPLE, {
    billCode: "11060355",
    billNumber: "0000000001",
    checkCode: "Q7M2ZX",
    issuedAt: "2026-11-24T09:00:00+08:00",
    issuer: CHARITY,
  });
  const red = composeRedBill(medical, "患者退费 refund", {
    billCode: "11060126",
    billNumber: "0000000002",
    checkCode: "R3D8N1",
    issuedAt: new Date("2026-11-25T14:20:00+08:00"),
    issuer: HOSPITAL,
  });
  const inpatient = compose(INPATIENT_EXAMPLE, {
    billCode: "11060126",
    billNumber: "0000000003",
    checkCode: "ZY7K2M",
    issuedAt: "2026-11-28T16:05:44+08:00",
    issuer: HOSPITAL,
  });
  const inKind = compose(IN_KIND_EXAMPLE, {
    billCode: "11060355",
    billNumber: "0000000002",
    checkCode: "WX4P9T",
    issuedAt: "2026-11-24T09:30:00+08:00",
    issuer: CHARITY,
  });
  return {
    medical: vector("medical", "SPEC §7's medical example as issued: every field shown", medical, 1),
    donation: vector("donation", "SPEC §7's donation example as issued", donation, 2),
    red: vector("red", "the red bill (红字票据) that cancels the medical example", red, 1),
    inpatient: vector(
      "inpatient",
      "an inpatient bill with the national fields: a passport, stay dates and days, serial, institution type, items with specification and unit, the full settlement",
      inpatient,
      1,
    ),
    "donation-in-kind": vector("donation-in-kind", "an anonymous, restricted donation of goods with their valuation, and cash", inKind, 2),
    withheld: vector("withheld", "the medical example, and a copy withholding the payer's name and ID number and the items", medical, 1, ["/payer", "/items"]),
  };
}

if (require.main === module) {
  fs.mkdirSync(VECTOR_DIR, { recursive: true });
  for (const [name, v] of Object.entries(buildVectors())) {
    fs.writeFileSync(path.join(VECTOR_DIR, `${name}.json`), JSON.stringify(v, null, 2) + "\n");
  }
  process.stdout.write(`wrote ${VECTOR_DIR}\n`);
}
