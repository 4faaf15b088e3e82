// A root the issuer's account already anchored (a transaction whose receipt the service lost, or one
// sent with the same key outside the service) counts as anchored: the worker adopts that anchor instead
// of sending again (docs/PROTOCOL.md §8), and the bills are anchored exactly once.
import { expect } from "chai";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Contract, JsonRpcProvider } from "ethers";
import { devWallet, loadRegistryAbi } from "../../server/chain";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { expectAnchoredExactlyOnce } from "../helpers/chain-check";
import { startHardhatNode, startService, tempDir, type ChainNode } from "../helpers/processes";

describe("a root the issuer already anchored", function () {
  this.timeout(180_000);
  let node: ChainNode;

  before(async () => {
    node = await startHardhatNode({ intervalMs: 500 });
  });
  after(async () => node?.stop());

  it("is adopted as the batch's anchor: no second transaction, the bill anchored exactly once", async () => {
    const dataDir = tempDir();
    const env = { RPC_URL: node.url, BOOTSTRAP: "dev", CONFIRMATIONS: "1", BATCH_MAX_AGE_MS: "300" };
    // the service dies right after building the batch, before signing its transaction
    const first = await startService({ ...env, LIANPIAO_CRASH_AT: "batch-built" }, { dataDir });
    const creds = first.credentials();
    const r = await call(first.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
    expect(r.status).to.equal(201);
    await first.exited;

    const db = new BetterSqlite3(path.join(dataDir, "lianpiao.sqlite"), { readonly: true });
    const batch = db.prepare("select root, bill_count, state from batches where action = 'anchor'").get() as {
      root: string;
      bill_count: number;
      state: string;
    };
    db.close();
    expect(batch.state).to.equal("built");

    // the same root, anchored with the hospital's own key outside the service
    const provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const hospital = devWallet(1).connect(provider);
    const registry = new Contract(creds.registryAddress, loadRegistryAbi(), hospital);
    const direct = await (await registry.getFunction("anchor")(batch.root, batch.bill_count)).wait();
    const nonceAfterDirect = await provider.getTransactionCount(hospital.address, "latest");

    const second = await startService(env, { dataDir });
    try {
      const anchored = await waitAnchored(second.url, creds.hospital.apiKey, r.body.id, 60_000);
      expect(anchored.anchor.root).to.equal(batch.root);
      expect(anchored.anchor.txHash).to.equal(direct!.hash);
      expect(anchored.anchor.blockNumber).to.equal(direct!.blockNumber);
      // the worker sent nothing for this batch
      expect(await provider.getTransactionCount(hospital.address, "latest")).to.equal(nonceAfterDirect);
      await expectAnchoredExactlyOnce(second.url, node.url, creds.registryAddress, [
        { id: r.body.id, key: creds.hospital.apiKey, account: creds.hospital.account },
      ]);
      expect(second.output()).to.match(/root already anchored by this account; adopted/);
      const v = await fetch(r.body.verifyUrl.replace(/^https?:\/\/[^/]+/, second.url), { headers: { accept: "application/json" } }).then(
        (x) => x.json() as Promise<{ verdict: string }>,
      );
      expect(v.verdict).to.equal("VALID");
    } finally {
      await second.stop();
      provider.destroy();
    }
  });
});
