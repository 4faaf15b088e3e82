import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { BrowserProvider, Network, Transaction } from "ethers";
import type { createHardhatNetworkProvider } from "hardhat/internal/hardhat-network/provider/provider";
import { DEV_ACCOUNT_BALANCE, devWallets } from "./accounts";
import { EmbeddedChainError, RPC_CODES, RpcError } from "./errors";
import { ChainJournal } from "./journal";
import { READ_METHODS, SEND_RAW_TRANSACTION, type Eip1193Provider } from "./methods";

/**
 * The embedded default chain (SPEC §5): Hardhat's EVM (EDR) in process. EDR keeps state in memory
 * only, so every accepted `eth_sendRawTransaction` is journaled durably, with the block timestamp
 * chosen for it, before it reaches the EVM; start-up replays the journal. Block timestamps are the
 * only input EDR takes from the wall clock, so replay yields the same blocks, hashes and state.
 */

export const EMBEDDED_CHAIN_ID = 31337;
const ACCOUNT_COUNT = 10;
// Genesis time is fixed so that the genesis block (and so every later hash) is the same at each start.
const INITIAL_DATE = new Date("2025-01-01T00:00:00Z");
const GENESIS_TIMESTAMP = Math.floor(INITIAL_DATE.getTime() / 1000);
const JOURNAL_FILE = "chain-journal.sqlite";

export interface EmbeddedChainOptions {
  /** Directory of the journal file (`chain-journal.sqlite`); created if missing. */
  dataDir: string;
  /** Wall clock in milliseconds; tests pin it. */
  clock?: () => number;
  /** ethers polling interval for `ethersProvider()` (ms). */
  pollingIntervalMs?: number;
}

export interface EmbeddedChain {
  readonly chainId: number;
  /** EIP-1193 provider: reads and `eth_sendRawTransaction` only. */
  readonly provider: Eip1193Provider;
  /** What start-up replayed: journal entries and milliseconds taken. */
  readonly replay: { entries: number; ms: number };
  /** One ethers provider over `provider` (created on first use, reused after). */
  ethersProvider(): BrowserProvider;
  /** Waits for sends in flight, records a checkpoint and releases the journal. */
  close(): Promise<void>;
}

type EdrConfig = Parameters<typeof createHardhatNetworkProvider>[0];

/** Everything that shapes the genesis block; a journal replays only onto the same genesis. */
function edrConfig(): EdrConfig {
  return {
    hardfork: "cancun",
    chainId: EMBEDDED_CHAIN_ID,
    networkId: EMBEDDED_CHAIN_ID,
    blockGasLimit: 30_000_000,
    minGasPrice: 0n,
    initialBaseFeePerGas: 1_000_000_000,
    initialDate: INITIAL_DATE,
    automine: true,
    intervalMining: 0,
    mempoolOrder: "priority",
    chains: new Map(),
    genesisAccounts: devWallets(ACCOUNT_COUNT).map((w) => ({
      privateKey: w.privateKey,
      balance: DEV_ACCOUNT_BALANCE.toString(),
    })),
    allowUnlimitedContractSize: false,
    // A reverting transaction is mined with status 0 and its hash returned, as on a real node.
    throwOnTransactionFailures: false,
    // A reverting eth_call answers an error carrying the revert data, as on a real node.
    throwOnCallFailures: true,
    allowBlocksWithSameTimestamp: false,
    enableTransientStorage: false,
    enableRip7212: false,
  };
}

function fingerprint(config: EdrConfig): string {
  const { genesisAccounts, chains: _chains, ...rest } = config;
  const accounts = devWallets(genesisAccounts.length).map((w, i) => [w.address, String(genesisAccounts[i].balance)]);
  return JSON.stringify({ ...rest, accounts }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

class JournaledProvider implements Eip1193Provider {
  private tail: Promise<unknown> = Promise.resolve();
  private lastTimestamp: number;
  closed = false;

  constructor(
    private readonly edr: Eip1193Provider,
    private readonly journal: ChainJournal,
    private readonly clock: () => number,
  ) {
    this.lastTimestamp = Math.max(GENESIS_TIMESTAMP, journal.last()?.timestamp ?? 0);
  }

  async request(args: { method: string; params?: unknown[] | Record<string, unknown> }): Promise<unknown> {
    if (this.closed) throw new RpcError(RPC_CODES.disconnected, "the embedded chain is closed");
    const params = args.params ?? [];
    if (!Array.isArray(params)) throw new RpcError(RPC_CODES.invalidParams, "params must be an array");
    if (args.method === SEND_RAW_TRANSACTION) return this.serial(() => this.sendRaw(params));
    // The genesis keys stay inside: callers sign their own transactions.
    if (args.method === "eth_accounts") return [];
    if (!READ_METHODS.has(args.method)) {
      throw new RpcError(RPC_CODES.unsupportedMethod, `${args.method} is not available on the embedded chain: it accepts reads and signed transactions only`);
    }
    return this.read(() => this.edr.request({ method: args.method, params })).catch(rethrowAsRpcError);
  }

  /**
   * Reads reach EDR one at a time. EDR runs concurrent requests on parallel threads, each with its own
   * working copy of the state: 16 concurrent verifications held ~60 MB more at their peak than the
   * same verifications one at a time, for no gain in throughput on a small machine (each read takes
   * well under a millisecond, and the JavaScript thread is the bottleneck).
   */
  private readTail: Promise<unknown> = Promise.resolve();
  private read<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.readTail.then(fn, fn);
    this.readTail = run.catch(() => undefined);
    return run;
  }

  /** Refuses new requests, waits for the sends in flight and returns the final head. */
  async shutdown(): Promise<string> {
    this.closed = true;
    await this.tail;
    return latestHash(this.edr);
  }

  /** Sends one at a time: timestamp choice, journal order and EVM order must be the same order. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async sendRaw(params: unknown[]): Promise<unknown> {
    const raw = params[0];
    const tx = parseSigned(raw);
    // Refuse what EDR is certain to refuse, so that retries and stale nonces do not fill the journal.
    const expected = Number(await this.edr.request({ method: "eth_getTransactionCount", params: [tx.from, "latest"] }));
    if (tx.nonce !== expected) {
      throw new RpcError(
        RPC_CODES.rejected,
        `nonce too ${tx.nonce < expected ? "low" : "high"}: expected ${expected}, got ${tx.nonce} (no transaction queue when automining)`,
      );
    }
    const head = await latestHash(this.edr);
    const timestamp = Math.max(Math.floor(this.clock() / 1000), this.lastTimestamp + 1);
    await this.edr.request({ method: "evm_setNextBlockTimestamp", params: [timestamp] });
    // Durable before the EVM sees it: if the process dies after this line the transaction is replayed
    // at the next start exactly as if it had been sent.
    this.journal.append(raw as string, timestamp, head);
    this.lastTimestamp = timestamp;
    return this.edr.request({ method: SEND_RAW_TRANSACTION, params: [raw] }).catch(rethrowAsRpcError);
  }
}

/**
 * Hardhat raises reverts as a SolidityError without a numeric code; real nodes answer code 3
 * ("execution reverted") with the revert data, which is what ethers and other clients expect.
 */
function rethrowAsRpcError(err: unknown): never {
  const e = err as { code?: unknown; message?: unknown; data?: unknown };
  if (Number.isInteger(e.code)) throw err;
  const message = typeof e.message === "string" ? e.message : String(err);
  const reverted = typeof e.data === "string" && /revert/i.test(message);
  throw new RpcError(reverted ? RPC_CODES.reverted : RPC_CODES.internal, message, e.data);
}

function parseSigned(raw: unknown): Transaction & { from: string } {
  if (typeof raw !== "string" || !/^0x[0-9a-fA-F]+$/.test(raw)) {
    throw new RpcError(RPC_CODES.invalidParams, "eth_sendRawTransaction expects one 0x-prefixed hex string");
  }
  let tx: Transaction;
  try {
    tx = Transaction.from(raw);
  } catch (err) {
    throw new RpcError(RPC_CODES.invalidParams, `not a signed transaction: ${(err as Error).message}`);
  }
  if (tx.from === null) throw new RpcError(RPC_CODES.invalidParams, "the transaction is not signed");
  return tx as Transaction & { from: string };
}

async function latestHash(edr: Eip1193Provider): Promise<string> {
  const block = (await edr.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as { hash: string };
  return block.hash;
}

/** Replays the journal in order. Rejections are expected (they were rejected the first time too). */
async function replay(edr: Eip1193Provider, journal: ChainJournal): Promise<number> {
  let count = 0;
  for (const entry of journal.entries()) {
    const head = await latestHash(edr);
    if (head !== entry.headBefore) {
      throw new EmbeddedChainError(
        "CHAIN_REPLAY_DIVERGED",
        `replaying the chain journal diverged at entry ${entry.seq}: expected head ${entry.headBefore}, got ${head}`,
        { seq: entry.seq, expected: entry.headBefore, actual: head },
      );
    }
    await edr.request({ method: "evm_setNextBlockTimestamp", params: [entry.timestamp] });
    await edr.request({ method: SEND_RAW_TRANSACTION, params: [entry.raw] }).catch(() => undefined);
    count++;
  }
  return count;
}

/** Checks the head recorded by the last clean close, when nothing was journaled after it. */
async function checkCheckpoint(edr: Eip1193Provider, journal: ChainJournal): Promise<void> {
  const saved = journal.getMeta("checkpoint");
  if (saved === undefined) return;
  const checkpoint = JSON.parse(saved) as { seq: number; head: string };
  if (checkpoint.seq !== (journal.last()?.seq ?? 0)) return;
  const head = await latestHash(edr);
  if (head !== checkpoint.head) {
    throw new EmbeddedChainError("CHAIN_REPLAY_DIVERGED", `the replayed chain ends at ${head}, but it ended at ${checkpoint.head} when it was closed`, {
      expected: checkpoint.head,
      actual: head,
    });
  }
}

/** Opens (and on first use creates) the embedded chain whose journal lives in `dataDir`. */
export async function openEmbeddedChain(options: EmbeddedChainOptions): Promise<EmbeddedChain> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const journal = ChainJournal.open(join(options.dataDir, JOURNAL_FILE));
  let wrapper: JournaledProvider;
  let replayed: { entries: number; ms: number };
  try {
    const config = edrConfig();
    const print = fingerprint(config);
    const recorded = journal.getMeta("config");
    if (recorded !== undefined && recorded !== print) {
      throw new EmbeddedChainError("CHAIN_CONFIG_CHANGED", "the chain journal was recorded with another genesis configuration and cannot be replayed", {
        recorded,
        current: print,
      });
    }
    journal.setMeta("config", print);
    // Hardhat (and its EDR engine) is loaded here, on first use, never by importing this module: a
    // service against an external node and `lianpiao verify` do without it (test/build/package.test.ts).
    const hardhat = await import("hardhat/internal/hardhat-network/provider/provider");
    const edr = (await hardhat.createHardhatNetworkProvider(config, { enabled: false })) as Eip1193Provider;
    const started = performance.now();
    const entries = await replay(edr, journal);
    await checkCheckpoint(edr, journal);
    replayed = { entries, ms: Math.round(performance.now() - started) };
    wrapper = new JournaledProvider(edr, journal, options.clock ?? Date.now);
  } catch (err) {
    journal.close();
    throw err;
  }

  let ethers: BrowserProvider | undefined;
  return {
    chainId: EMBEDDED_CHAIN_ID,
    provider: wrapper,
    replay: replayed,
    ethersProvider() {
      if (wrapper.closed) throw new EmbeddedChainError("CHAIN_CLOSED", "the embedded chain is closed");
      const network = Network.from(EMBEDDED_CHAIN_ID);
      // Static network: nothing to detect in process. No cache: a nonce read right after a send must be fresh.
      ethers ??= new BrowserProvider(wrapper, network, {
        staticNetwork: network,
        cacheTimeout: -1,
        pollingInterval: options.pollingIntervalMs ?? 250,
      });
      return ethers;
    },
    async close() {
      if (wrapper.closed) return;
      const head = await wrapper.shutdown();
      ethers?.destroy();
      journal.setMeta("checkpoint", JSON.stringify({ seq: journal.last()?.seq ?? 0, head }));
      journal.close();
    },
  };
}
