/** The fixed envelopes and links of the golden test (test/pdf/golden.test.ts). */
import type { BillEnvelope } from "../../server/issuance/model";
import { VERIFY_URL, donation, envelopeOf, inKind, inpatient, longNames, outpatient, red } from "./fixtures";

export interface GoldenCase {
  name: string;
  envelope: BillEnvelope;
  verifyUrl: string;
}

const anchored = (e: BillEnvelope): BillEnvelope => ({
  ...e,
  anchor: {
    chainId: 31337,
    registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    root: `0x${"1d".repeat(32)}`,
    proof: [`0x${"2e".repeat(32)}`, `0x${"3f".repeat(32)}`],
    txHash: `0x${"4a".repeat(32)}`,
    blockNumber: 1234,
  },
});

export const GOLDEN_CASES: GoldenCase[] = [
  { name: "outpatient", envelope: envelopeOf(outpatient), verifyUrl: VERIFY_URL },
  { name: "outpatient-anchored", envelope: anchored(envelopeOf(outpatient)), verifyUrl: VERIFY_URL },
  { name: "inpatient-40-items", envelope: envelopeOf(inpatient), verifyUrl: VERIFY_URL },
  { name: "long-names", envelope: envelopeOf(longNames), verifyUrl: "http://localhost:3000/v/01JD7Q3W8ZK5C4M2N6P0R9T1V1?k=a" },
  { name: "donation", envelope: envelopeOf(donation), verifyUrl: VERIFY_URL },
  { name: "red", envelope: envelopeOf(red), verifyUrl: VERIFY_URL },
  { name: "donation-in-kind-anonymous", envelope: envelopeOf(inKind), verifyUrl: VERIFY_URL },
];
