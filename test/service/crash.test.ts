// SIGKILL at each point of the pipeline, restart, and every accepted bill is anchored exactly once.
import { expect } from "chai";
import { call, DONATION_EXAMPLE, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { expectAnchoredExactlyOnce, type Issued } from "../helpers/chain-check";
import { startHardhatNode, startService, tempDir, type ChainNode } from "../helpers/processes";

const POINTS = ["bill-accepted", "batch-built", "tx-signed", "tx-sent", "receipt-seen", "confirming"] as const;

describe("crash safety: SIGKILL inside the anchoring pipeline", function () {
  this.timeout(600_000);
  let node: ChainNode;

  before(async () => {
    node = await startHardhatNode({ intervalMs: 500 });
  });
  after(async () => node?.stop());

  for (const point of POINTS) {
    it(`recovers every bill when killed at "${point}"`, async () => {
      const dataDir = tempDir();
      const env = { RPC_URL: node.url, BOOTSTRAP: "dev", CONFIRMATIONS: "2", BATCH_MAX_AGE_MS: "1500" };
      const first = await startService({ ...env, LIANPIAO_CRASH_AT: point }, { dataDir });
      const creds = first.credentials();
      const n = point === "bill-accepted" ? 1 : 8;
      const sent = Array.from({ length: n }, (_, i) =>
        i % 2 ? { who: creds.charity, body: DONATION_EXAMPLE } : { who: creds.hospital, body: MEDICAL_EXAMPLE },
      );
      const replies = await Promise.all(sent.map((s) => call(first.url, "POST", "/api/v1/invoices", { key: s.who.apiKey, body: s.body }).catch(() => null)));
      const accepted: Issued[] = [];
      replies.forEach((r, i) => r?.status === 201 && accepted.push({ id: r.body.id, key: sent[i].who.apiKey, account: sent[i].who.account }));
      expect(accepted.length).to.be.at.least(1);
      const signal = await Promise.race([first.exited.then(() => first.proc.signalCode), new Promise((r) => setTimeout(() => r("alive"), 60_000))]);
      expect(signal, first.output().slice(-2000)).to.equal("SIGKILL");

      const second = await startService(env, { dataDir });
      try {
        for (const b of accepted) await waitAnchored(second.url, b.key, b.id, 90_000);
        await expectAnchoredExactlyOnce(second.url, node.url, creds.registryAddress, accepted);
      } finally {
        await second.stop();
      }
    });
  }
});
