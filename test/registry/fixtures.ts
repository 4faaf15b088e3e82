/**
 * Fixtures for the bureau, void and reimbursement suites: a new issuer body, registry reads, and a
 * second relying party written straight into a stopped-or-running SQLite store.
 */
import path from "node:path";
import crypto from "node:crypto";
import Database from "better-sqlite3";
import { Contract, JsonRpcProvider } from "ethers";
import { loadRegistryAbi } from "../../server/chain";
import { makeCreditCode } from "../../server/issuance/check-digits";
import { hashApiKey } from "../../server/registry/api-keys";
import { devWallet } from "../../server/chain/accounts";

let seq = 0;
/** A fresh admissible issuer: unique credit code and bill code per call. */
export function newIssuerBody(kind: "medical" | "donation" = "medical", name = "示范市第二人民医院 Demo Second Hospital") {
  seq += 1;
  const n = String(Date.now() % 1e6).padStart(6, "0") + String(seq).padStart(2, "0");
  return {
    name,
    creditCode: makeCreditCode(`121100004${n}`),
    kind,
    billCode: `2206${String((Date.now() + seq) % 10_000).padStart(4, "0")}`,
    range: { start: 1, end: 100_000 },
  };
}

export function registryReader(rpcUrl: string, address: string): { registry: Contract; close(): void } {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  return { registry: new Contract(address, loadRegistryAbi(), provider), close: () => provider.destroy() };
}

/** Adds a relying party (dev account 5, no role on chain) to a SQLite store; returns its API key. */
export function addRelyingPartyToSqlite(dataDir: string, name: string): string {
  const db = new Database(path.join(dataDir, "lianpiao.sqlite"));
  db.pragma("busy_timeout = 5000");
  const id = `rel_${crypto.randomBytes(6).toString("hex")}`;
  const key = `lp_rel_${crypto.randomBytes(24).toString("base64url")}`;
  db.prepare(
    "INSERT INTO institutions (id, role, name, credit_code, bill_kind, account, status, created_at) VALUES (?, 'relying_party', ?, NULL, NULL, ?, 'active', ?)",
  ).run(id, name, devWallet(5).address, Date.now());
  db.prepare("INSERT INTO api_keys (id, institution_id, key_hash, label, created_at, revoked_at) VALUES (?, ?, ?, 'test', ?, NULL)").run(
    crypto.randomUUID(),
    id,
    hashApiKey(key),
    Date.now(),
  );
  db.close();
  return key;
}
