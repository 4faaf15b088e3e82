/**
 * Exactly-once checks against the chain itself: every bill's leaf is under the root it names, that
 * root is anchored by its issuer, and the chain holds no root the bills do not account for.
 */
import { expect } from "chai";
import { Contract, JsonRpcProvider } from "ethers";
import { loadRegistryAbi } from "../../server/chain";
import { call } from "./api";

export interface Issued {
  id: string;
  key: string;
  account: string;
}

export async function expectAnchoredExactlyOnce(base: string, rpcUrl: string, registryAddress: string, bills: Issued[]): Promise<{ roots: number }> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const registry = new Contract(registryAddress, loadRegistryAbi(), provider);
    const billRoots = new Map<string, string>();
    for (const b of bills) {
      const env = (await call(base, "GET", `/api/v1/invoices/${b.id}/envelope`, { key: b.key })).body;
      expect(env.anchor, `bill ${b.id} has no anchor`).to.not.equal(null);
      // the root is anchored under the bill's own issuer account, and holds the bill's leaf
      expect(await registry.isIncluded(b.account, env.anchor.root, env.leaf, env.anchor.proof), `bill ${b.id} not included`).to.equal(true);
      expect(Number((await registry.batchOf(b.account, env.anchor.root)).blockNumber)).to.be.greaterThan(0);
      billRoots.set(b.id, env.anchor.root);
    }
    const accounts = [...new Set(bills.map((b) => b.account))];
    const logs = await registry.queryFilter(registry.filters.BatchAnchored(null, null), 0, "latest");
    const chainRoots = logs
      .map((l) => (l as unknown as { args: { root: string; issuer: string } }).args)
      .filter((a) => accounts.includes(a.issuer))
      .map((a) => a.root);
    // No root twice by one issuer (the contract refuses it) and no orphan root: each anchored root is one the bills name.
    expect(new Set(chainRoots).size).to.equal(chainRoots.length);
    expect([...new Set(billRoots.values())].sort()).to.deep.equal([...chainRoots].sort());
    return { roots: chainRoots.length };
  } finally {
    provider.destroy();
  }
}
