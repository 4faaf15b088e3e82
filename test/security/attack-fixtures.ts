/**
 * The adversary's tools for the protocol-attack suites: raw JSON-RPC (txpool, mining control), the
 * registry driven with another account's key (the standard test mnemonic's), bills sealed and anchored
 * outside the service, the chain-only CLI as a child process, and the service's own views (/readyz,
 * /metrics, its JSON log). Nothing here mocks a part of the system.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { expect } from "chai";
import { Contract, JsonRpcProvider, Wallet, type TransactionReceipt, type TransactionResponse } from "ethers";
import { loadRegistryAbi } from "../../server/chain";
import { devWallet } from "../../server/chain/accounts";
import { buildBatchTree } from "../../server/issuance/canonical";
import { sealBill } from "../../server/issuance/seal";
import type { Bill, BillEnvelope } from "../../server/issuance/model";
import { extractEnvelope, renderBillPdf } from "../../server/pdf";
import { ROOT, waitFor, type ServiceProcess } from "../helpers/processes";
import { savePdf } from "../pdf/helpers";
import { dictOf, layoutOf, obj, rewrite } from "../pdf/forgeries";

export async function rpc<T = any>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await r.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** A transaction as txpool_content lists it. */
export interface PoolTx {
  hash: string;
  from: string;
  to: string | null;
  nonce: string;
  input: string;
  maxPriorityFeePerGas?: string;
  maxFeePerGas?: string;
  gasPrice?: string;
}

/** The pending transactions of the node's pool, all senders. */
export async function pendingPool(url: string): Promise<PoolTx[]> {
  const content = await rpc<{ pending: Record<string, Record<string, PoolTx>> }>(url, "txpool_content");
  return Object.values(content.pending ?? {}).flatMap((byNonce) => Object.values(byNonce));
}

/** Waits until the pool holds a transaction from `from` whose calldata starts with `selector`. */
export function waitInPool(url: string, from: string, selector: string, timeoutMs = 30_000): Promise<PoolTx> {
  return waitFor(
    `a ${selector} transaction of ${from} in the pool`,
    async () => (await pendingPool(url)).find((t) => t.from.toLowerCase() === from.toLowerCase() && t.input.toLowerCase().startsWith(selector.toLowerCase())),
    timeoutMs,
    10,
  );
}

/** Interval mining off: blocks only from mine(). */
export async function pauseMining(url: string): Promise<void> {
  await rpc(url, "evm_setAutomine", [false]);
  await rpc(url, "evm_setIntervalMining", [0]);
}

export async function resumeMining(url: string, seconds = 1): Promise<void> {
  await rpc(url, "evm_setIntervalMining", [seconds]);
}

export async function mine(url: string, blocks = 1): Promise<void> {
  for (let i = 0; i < blocks; i++) await rpc(url, "evm_mine");
}

export async function nonceOf(url: string, account: string): Promise<number> {
  return Number(await rpc<string>(url, "eth_getTransactionCount", [account, "latest"]));
}

/** Dev account `index` (the standard test mnemonic) acting on the registry directly. */
export interface Actor {
  wallet: Wallet;
  address: string;
  registry: Contract;
}

export interface ChainAccess {
  provider: JsonRpcProvider;
  /** the registry read-only */
  registry: Contract;
  as(index: number): Actor;
  close(): void;
}

export function chainAccess(url: string, registryAddress: string): ChainAccess {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  provider.pollingInterval = 100;
  const abi = loadRegistryAbi();
  return {
    provider,
    registry: new Contract(registryAddress, abi, provider),
    as(index: number): Actor {
      const wallet = new Wallet(devWallet(index).privateKey, provider);
      return { wallet, address: wallet.address, registry: new Contract(registryAddress, abi, wallet) };
    },
    close: () => provider.destroy(),
  };
}

/** Sends and awaits a registry call from `actor`; returns the receipt (status 1). */
export async function send(actor: Actor, fn: string, args: unknown[], overrides: Record<string, unknown> = {}): Promise<TransactionReceipt> {
  const tx = (await actor.registry.getFunction(fn)(...args, { gasLimit: 300_000, ...overrides })) as TransactionResponse;
  const receipt = await tx.wait();
  expect(receipt?.status, `${fn} from ${actor.address}`).to.equal(1);
  return receipt!;
}

/** The registry's custom error name for a call `actor` would make now (null when it would succeed). */
export async function refusalOf(actor: Actor, fn: string, args: unknown[]): Promise<string | null> {
  try {
    await actor.registry.getFunction(fn).staticCall(...args);
    return null;
  } catch (err) {
    const data = (err as { data?: string }).data;
    if (!data) throw err;
    const parsed = actor.registry.interface.parseError(data);
    return parsed?.name ?? data;
  }
}

/** Waits until block `block` has `n` confirmations (the service's default rule is 2). */
export async function confirmed(provider: JsonRpcProvider, block: number, n = 2): Promise<void> {
  await waitFor(`block ${block} confirmed ${n} times`, async () => (await provider.getBlockNumber()) - block + 1 >= n, 30_000, 100);
}

/** The envelope and `document` record a PDF carries (what anyone holding the file has). */
export function attachmentOf(pdf: Buffer): BillEnvelope & { document: { renderer: string; verifyUrl: string } } {
  const x = extractEnvelope(pdf);
  if (!x.ok) throw new Error(`no attachment: ${x.message}`);
  return x.envelope as BillEnvelope & { document: { renderer: string; verifyUrl: string } };
}

/**
 * A bill sealed with `signer`'s key outside the service (fresh salts), anchored by `anchorer` as a
 * batch of one (root = leaf), and its envelope with that anchor.
 */
export async function sealAndAnchor(bill: Bill, signer: Actor, anchorer: Actor, chainId: number): Promise<BillEnvelope> {
  const registry = await anchorer.registry.getAddress();
  const env = sealBill(bill, signer.wallet, { chainId, verifyingContract: registry });
  const tree = buildBatchTree([env.billHash]);
  const receipt = await send(anchorer, "anchor", [tree.root, 1]);
  await confirmed(anchorer.wallet.provider as JsonRpcProvider, receipt.blockNumber);
  return { ...env, anchor: { chainId, registry, root: tree.root, proof: tree.entries[0].proof, txHash: receipt.hash, blockNumber: receipt.blockNumber } };
}

/**
 * `pdf` with its embedded lianpiao-bill.json replaced by `attachment` (the page untouched), laid out
 * again with a fresh cross-reference table: a well-formed file carrying other bill data.
 */
export function withAttachment(pdf: Buffer, attachment: unknown): Buffer {
  const l = layoutOf(pdf);
  const embedded = l.objects.find((x) => /\/Type \/EmbeddedFile/.test(pdf.toString("latin1", x.start, x.start + 64)));
  if (!embedded) throw new Error("no embedded file");
  const data = Buffer.from(JSON.stringify(attachment), "utf8");
  return rewrite(pdf, {
    [embedded.num]: obj(
      embedded.num,
      dictOf(pdf, embedded.num)
        .replace(/\/Size \d+/, `/Size ${data.length}`)
        .replace(/\/CheckSum \([0-9a-f]+\)/, `/CheckSum (${createHash("md5").update(data).digest("hex")})`),
      data,
    ),
  });
}

/** Renders an envelope with the lianpiao renderer (its `document` record names the link) and saves it. */
export async function renderTo(name: string, env: BillEnvelope, verifyUrl: string): Promise<{ pdf: Buffer; file: string }> {
  const pdf = await renderBillPdf(env, { verifyUrl });
  return { pdf, file: savePdf(name, pdf) };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** the --json answer */
  v: any;
}

/** `lianpiao verify <file> --rpc … --registry … --json` as its own process: the chain alone, no service. */
export function cliVerify(file: string, rpcUrl: string, registry: string, extra: string[] = []): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["scripts/lianpiao.js", "verify", file, "--rpc", rpcUrl, "--registry", registry, "--json", ...extra], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (b) => (stdout += b));
    p.stderr.on("data", (b) => (stderr += b));
    const timer = setTimeout(() => p.kill("SIGKILL"), 90_000);
    p.on("error", reject);
    p.on("exit", (code) => {
      clearTimeout(timer);
      let v: any = null;
      try {
        v = JSON.parse(stdout);
      } catch {
        // left null: the assertion on v names stdout and stderr
      }
      resolve({ code, stdout, stderr, v });
    });
  });
}

export function check(v: any, name: string): { name: string; status: string; code?: string; detail: string } {
  const c = v?.checks?.find((x: { name: string }) => x.name === name);
  expect(c, `check ${name} in ${JSON.stringify(v)}`).to.not.equal(undefined);
  return c;
}

/** The verdict and the code of every check that did not pass, e.g. ["INVALID", { issuer: "NUMBER_NOT_ALLOTTED" }]. */
export function outcome(v: any): [string, Record<string, string>] {
  const codes: Record<string, string> = {};
  for (const c of v.checks as Array<{ name: string; status: string; code?: string }>) if (c.status !== "passed") codes[c.name] = c.code ?? c.status;
  return [v.verdict, codes];
}

export async function readyz(svc: ServiceProcess): Promise<any> {
  return (await (await fetch(`${svc.url}/readyz`)).json()) as any;
}

export async function metricsText(svc: ServiceProcess): Promise<string> {
  return (await fetch(`${svc.url}/metrics`)).text();
}

/** The value of one Prometheus sample, by metric name and label subset; 0 when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

/** Waits until the service has no open outbox entry (every anchor and mark written and confirmed). */
export async function waitIdle(svc: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  await waitFor("the outbox drained", async () => (await readyz(svc)).checks?.anchoring?.pending?.count === 0, timeoutMs, 100);
}

export async function verifyJson(url: string): Promise<any> {
  const r = await fetch(url, { headers: { accept: "application/json" } });
  expect(r.status, url).to.equal(200);
  return r.json();
}

export async function upload(base: string, pdf: Buffer): Promise<any> {
  const r = await fetch(`${base}/api/v1/verify`, { method: "POST", headers: { "content-type": "application/pdf" }, body: pdf });
  const text = await r.text();
  expect(r.status, text).to.equal(200);
  return JSON.parse(text);
}

/** A random 32-byte value as hex. */
export function random32(): string {
  return `0x${randomBytes(32).toString("hex")}`;
}
