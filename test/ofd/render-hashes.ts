/**
 * Renders the golden fixture bills as OFD with a fixed seal key and prints "name sha256 bytes" per line:
 * run as its own process by test/ofd/golden.test.ts, under other time zones and locales.
 */
import { createHash } from "node:crypto";
import { renderBillOfd } from "../../server/ofd/package";
import { sm2PackageSigner } from "../../server/ofd/signature";
import { sealKeyOf } from "../../server/sm/sm2";
import { GOLDEN_CASES } from "../pdf/golden-cases";

/** A fixed development chain key (m/44'/60'/0'/0/1 of the standard test mnemonic): its seal key signs the fixtures. */
export const FIXTURE_SEAL = sealKeyOf("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
export const OFD_CASES = GOLDEN_CASES.filter((c) => ["outpatient", "inpatient-40-items", "red", "donation-in-kind-anonymous"].includes(c.name));

if (require.main === module) {
  for (const c of OFD_CASES) {
    const ofd = renderBillOfd(c.envelope, c.verifyUrl, sm2PackageSigner(FIXTURE_SEAL));
    process.stdout.write(`${c.name} ${createHash("sha256").update(ofd).digest("hex")} ${ofd.length}\n`);
  }
}
