// Bills committed exactly as the service commits them (server/issuance/commitments.ts), anchored in
// one batch per issuer, and the field openings a relying party sends with a claim.
import fs from "node:fs";
import path from "node:path";
import { commitBill, fieldProof, valueBytes } from "../../server/issuance/commitments";
import { buildBatch, registryFixture, type Batch } from "./fixtures";

export interface CommittedBill {
  bill: Record<string, unknown>;
  billHash: string;
  salts: Record<string, string>;
  commitments: Record<string, string>;
}

/** The vector bills of docs/vectors/ (the bill itself, with fresh salts). */
function vectorBill(name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "docs", "vectors", `${name}.json`), "utf8")).bill;
}

export function commit(bill: Record<string, unknown>): CommittedBill {
  const c = commitBill(bill);
  return { bill, billHash: c.billHash, salts: c.salts, commitments: c.commitments };
}

/** The FieldOpening of `pointer` as claim() takes it: pointer, salt, canonical value bytes, field proof. */
export function opening(b: CommittedBill, pointer: string) {
  const value = pointer
    .split("/")
    .slice(1)
    .reduce<unknown>((o, t) => (o as Record<string, unknown>)[t], b.bill);
  return { pointer, salt: b.salts[pointer], value: valueBytes(value), proof: fieldProof(b.commitments, pointer).proof };
}

/**
 * The registry fixture plus a medical bill with a settlement (cashPaid 37.00 of 157.00), one with the
 * older settlement name (selfPaid), one without a settlement, anchored by hospital A; and a donation
 * receipt anchored by the charity.
 */
export async function claimsFixture() {
  const base = await registryFixture();
  const medical = vectorBill("medical");
  const legacy = structuredClone(medical) as Record<string, any>;
  legacy.billNumber = "0000000002";
  legacy.insurance = { fundPaid: "90.00", accountPaid: "30.00", selfPaid: "37.00" };
  const plain = structuredClone(medical) as Record<string, any>;
  plain.billNumber = "0000000003";
  delete plain.insurance;
  const bills = { cash: commit(medical), legacy: commit(legacy), plain: commit(plain), donation: commit(vectorBill("donation")) };
  const hospitalBatch = buildBatch([bills.cash.billHash, bills.legacy.billHash, bills.plain.billHash]);
  const charityBatch = buildBatch([bills.donation.billHash]);
  await base.as(base.hospital).anchor(hospitalBatch.root, 3);
  await base.as(base.charity).anchor(charityBatch.root, 1);
  return { ...base, bills, hospitalBatch, charityBatch };
}

export type ClaimsFixture = Awaited<ReturnType<typeof claimsFixture>>;

/** The claim() arguments of bill `i` of `batch` with the field `pointer` opened. */
export function claimArgs(batch: Batch, i: number, b: CommittedBill, pointer: string) {
  return [batch.root, b.billHash, batch.proofs[i], opening(b, pointer)] as const;
}
