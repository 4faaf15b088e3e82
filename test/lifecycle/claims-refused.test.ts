// A claim the service accepted and the registry then refuses for good is undone (docs/PROTOCOL.md §8):
// the insurer's claim is accepted while the registry has room, but before the worker sends it a claim
// of the whole cap lands on chain, sent straight to the registry with the party's own key. The worker's
// eth_call sees BillRegistryClaimExceedsRemaining: nothing is sent, the claim is ended in the store, its
// amount given back, the refusal audited, and the service's answers follow the chain.
import { expect } from "chai";
import { Contract } from "ethers";
import { devWallet, loadRegistryAbi } from "../../server/chain";
import { claimableOpening } from "../../server/issuance/claimable";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { startInProcess, type InProcess } from "../helpers/in-process";
import { waitFor } from "../helpers/processes";
import { createTestDatabase } from "../helpers/pg";

for (const dialect of ["sqlite", "postgres"] as const)
  describe(`a claim the registry refuses after the service accepted it (${dialect})`, function () {
    this.timeout(180_000);
    let sys: InProcess;
    let pg: Awaited<ReturnType<typeof createTestDatabase>> | undefined;

    before(async () => {
      if (dialect === "postgres") pg = await createTestDatabase();
      sys = await startInProcess(pg ? { DATABASE_URL: pg.url } : {});
    });
    after(async () => {
      await sys?.stop();
      await pg?.drop();
    });

    it("is undone in the store and audited, without a transaction, and the answers follow the chain", async () => {
      const creds = sys.sys.demo!;
      const issued = await call(sys.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
      expect(issued.status).to.equal(201);
      const bill = issued.body;
      await waitAnchored(sys.url, creds.hospital.apiKey, bill.id, 30_000);
      const env = (await call(sys.url, "GET", `/api/v1/invoices/${bill.id}/envelope`, { key: creds.hospital.apiKey })).body;
      const provider = sys.sys.chain.provider;
      const registry = new Contract(sys.sys.registry, loadRegistryAbi(), provider);
      const insurer = devWallet(3).connect(provider);

      await sys.sys.worker.stop();
      const body = { billCode: bill.billCode, billNumber: bill.billNumber, checkCode: bill.checkCode, total: "157.00" };
      const accepted = await call(sys.url, "POST", "/api/v1/reimbursements", {
        key: creds.insurer.apiKey,
        body: { ...body, reference: "PICC-RACE-1", amountFen: 2000 },
      });
      expect([accepted.status, accepted.body.remainingFen]).to.deep.equal([201, 1700]);
      // the whole cap, claimed on chain by the party's own key, outside the service
      const opening = claimableOpening(env.bill, env.salts);
      const direct = await (registry.connect(insurer) as Contract).claim(
        creds.hospital.account,
        env.anchor.root,
        env.billHash,
        env.anchor.proof,
        opening,
        3700,
        `0x${"22".repeat(32)}`,
      );
      await direct.wait();
      const nonce = await provider.getTransactionCount(insurer.address, "latest");
      sys.sys.worker.start();

      const audited = async () => (await call(sys.url, "GET", "/api/v1/audit?action=bill.claim.refused", { key: creds.bureau.apiKey })).body.items as any[];
      await waitFor("the refused claim audited", async () => (await audited()).some((e) => e.subject === bill.id), 30_000);
      const entry = (await audited()).find((e) => e.subject === bill.id);
      expect(entry.detail.error).to.equal("BillRegistryClaimExceedsRemaining");
      expect(entry.detail.amountFen).to.equal(2000);
      // the refused claim was never sent
      expect(await provider.getTransactionCount(insurer.address, "latest")).to.equal(nonce);
      const status = await registry.statusOf(
        creds.hospital.account,
        (await call(sys.url, "GET", `/api/v1/invoices/${bill.id}`, { key: creds.hospital.apiKey })).body.leaf,
      );
      expect([Number(status.claimedFen), Number(status.claimCount)]).to.deep.equal([3700, 1]);
      // the service's answer follows the chain: nothing left, and the store holds no open claim of its own
      const v = (await (
        await fetch(`${sys.url}${new URL(bill.verifyUrl).pathname}${new URL(bill.verifyUrl).search}`, { headers: { accept: "application/json" } })
      ).json()) as any;
      expect([v.claims.claimedFen, v.claims.remainingFen, v.claims.parties]).to.deep.equal([3700, 0, []]);
      const again = await call(sys.url, "POST", "/api/v1/reimbursements", {
        key: creds.insurer.apiKey,
        body: { ...body, reference: "PICC-RACE-2", amountFen: 1 },
      });
      expect([again.status, again.body.code, again.body.remainingFen]).to.deep.equal([409, "CLAIM_EXCEEDS_REMAINING", 0]);
    });
  });
