// The bureau rotates an issuer's SM2 seal key (setSealKey): a bill anchored before the rotation still
// verifies against the key in force at its anchoring block; a bill sealed with the old key but
// anchored after it does not (SM2_KEY_MISMATCH). Real service, real chain, the bureau's own account.
import { expect } from "chai";
import { Contract, JsonRpcProvider, id as keccakUtf8 } from "ethers";
import { devWallet } from "../../server/chain/accounts";
import { loadRegistryAbi } from "../../server/chain/registry";
import { checkOf, issueAnchored, sharedService, verifyUrlJson, type DemoCreds, type ServiceProcess } from "./fixtures";

const LATEST = (1n << 256n) - 1n;

describe("rotating an issuer's SM2 seal key", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;

  before(async () => {
    svc = await sharedService();
    creds = svc.credentials();
  });

  it("keeps a bill anchored before the rotation VALID, and fails one sealed with the old key but anchored after", async () => {
    const provider = new JsonRpcProvider(creds.rpcUrl, undefined, { staticNetwork: true });
    const bureau = new Contract(creds.registryAddress, loadRegistryAbi(), devWallet(0).connect(provider));
    const hospital = creds.hospital.account;
    const original = (await bureau.sealKeyAt(hospital, LATEST)) as string;
    try {
      const before = await issueAnchored(svc.url, creds.hospital.apiKey);
      const v1 = await verifyUrlJson(before.verifyUrl);
      expect(v1.body.verdict).to.equal("VALID");
      expect(checkOf(v1.body, "sm2").status).to.equal("passed");
      await (await bureau.setSealKey(hospital, keccakUtf8("a rotated seal key"))).wait();
      await new Promise((r) => setTimeout(r, 1_200)); // the verifier remembers a key for at most a second
      const v2 = await verifyUrlJson(before.verifyUrl);
      expect(v2.body.verdict, JSON.stringify(v2.body.checks)).to.equal("VALID");
      expect(checkOf(v2.body, "sm2").status).to.equal("passed");
      // the service still seals with the key it holds: after the rotation the registry no longer vouches for it
      const after = await issueAnchored(svc.url, creds.hospital.apiKey);
      const v3 = await verifyUrlJson(after.verifyUrl);
      expect(v3.body.verdict).to.equal("INVALID");
      expect(checkOf(v3.body, "sm2")).to.include({ status: "failed", code: "SM2_KEY_MISMATCH" });
    } finally {
      // the shared service's hospital gets its own key back for the test files that follow
      await (await bureau.setSealKey(hospital, original)).wait();
      provider.destroy();
    }
  });
});
