// The whole service on the EVM chains a bureau would use: `npm start` with RPC_URL and BOOTSTRAP=dev
// deploys the registry, issues, anchors and verifies on an Anvil node at the London fork (consortium
// chains such as Besu and GoQuorum stop there or at Paris), at Paris, at the latest fork, and on a
// free-gas chain (zero base fee, zero gas price), where every transaction of the service offers no fee.
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { startAnvil, startService, type ChainNode, type ServiceProcess } from "../helpers/processes";

const TARGETS = [
  { name: "the London fork", anvil: { hardfork: "london" } },
  { name: "the Paris fork", anvil: { hardfork: "paris" } },
  { name: "the latest fork", anvil: { hardfork: "latest" } },
  { name: "a free-gas chain (zero base fee and gas price)", anvil: { gasPrice0: true } },
] as const;

describe("the service on the EVM chains a bureau would use (Anvil)", function () {
  this.timeout(240_000);

  for (const target of TARGETS) {
    describe(`on ${target.name}`, () => {
      let node: ChainNode;
      let svc: ServiceProcess;

      before(async () => {
        node = await startAnvil({ ...target.anvil, blockTime: 1 });
        svc = await startService({ RPC_URL: node.url, BOOTSTRAP: "dev", CONFIRMATIONS: "1", ANCHOR_POLL_MS: "100" });
      });
      after(async () => {
        await svc?.stop();
        await node?.stop();
      });

      it("deploys, issues, anchors and verifies a bill VALID, with a genuine PDF", async () => {
        const creds = svc.credentials();
        const r = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
        expect(r.status, JSON.stringify(r.body)).to.equal(201);
        const anchored = await waitAnchored(svc.url, creds.hospital.apiKey, r.body.id, 60_000);
        const v = await fetch(r.body.verifyUrl.replace(/^https?:\/\/[^/]+/, svc.url), { headers: { accept: "application/json" } }).then(
          (x) => x.json() as Promise<{ verdict: string; checks: unknown[] }>,
        );
        expect(v.verdict, JSON.stringify(v.checks)).to.equal("VALID");
        const pdf = Buffer.from(
          await (await fetch(`${svc.url}/api/v1/invoices/${r.body.id}/pdf`, { headers: { authorization: `Bearer ${creds.hospital.apiKey}` } })).arrayBuffer(),
        );
        const upload = await fetch(`${svc.url}/api/v1/verify`, { method: "POST", headers: { "content-type": "application/pdf" }, body: pdf }).then(
          (x) => x.json() as Promise<{ verdict: string; checks: unknown[] }>,
        );
        expect(upload.verdict, JSON.stringify(upload.checks)).to.equal("VALID");
        if ("gasPrice0" in target.anvil) {
          // the anchor offered no fee at all: a Besu-style network funds no account
          const provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
          const tx = await provider.getTransaction(anchored.anchor.txHash);
          const receipt = await provider.getTransactionReceipt(anchored.anchor.txHash);
          provider.destroy();
          expect([tx?.maxFeePerGas ?? tx?.gasPrice, receipt?.gasPrice]).to.deep.equal([0n, 0n]);
        }
      });
    });
  }
});
