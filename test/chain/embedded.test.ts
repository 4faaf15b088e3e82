import { expect } from "chai";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { Wallet, ZeroHash, keccak256, toBeHex, type BrowserProvider } from "ethers";
import { devWallet } from "../../server/chain/accounts";
import { openEmbeddedChain, type EmbeddedChain } from "../../server/chain/embedded";
import { EmbeddedChainError, RpcError } from "../../server/chain/errors";
import { ChainJournal } from "../../server/chain/journal";
import { registryInterface } from "../../server/chain/registry";
import { OFFLINE_FEES, deployRegistry, tempDir } from "./fixtures";

interface BlockView {
  number: string;
  hash: string;
  timestamp: string;
  stateRoot: string;
}

async function blocks(chain: EmbeddedChain): Promise<BlockView[]> {
  const latest = Number(await chain.provider.request({ method: "eth_blockNumber" }));
  const out: BlockView[] = [];
  for (let n = 0; n <= latest; n++) {
    const b = (await chain.provider.request({ method: "eth_getBlockByNumber", params: [toBeHex(n), false] })) as BlockView;
    out.push({ number: b.number, hash: b.hash, timestamp: b.timestamp, stateRoot: b.stateRoot });
  }
  return out;
}

async function storage(chain: EmbeddedChain, address: string, slots: number): Promise<string[]> {
  const out: string[] = [];
  for (let s = 0; s < slots; s++) {
    out.push((await chain.provider.request({ method: "eth_getStorageAt", params: [address, toBeHex(s), "latest"] })) as string);
  }
  return out;
}

async function rpcCode(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
  } catch (err) {
    return (err as RpcError).code;
  }
  throw new Error("expected the request to be refused");
}

describe("chain/embedded", function () {
  this.timeout(180_000);
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it("restarts from its journal with the same blocks, hashes, timestamps and contract state", async () => {
    let chain = await openEmbeddedChain({ dataDir: tmp.dir });
    const ethers: BrowserProvider = chain.ethersProvider();
    const { registry, address, issuer } = await deployRegistry(ethers);
    const root = keccak256("0x01");
    await (await registry.connect(issuer).getFunction("anchor")(root, 3)).wait();

    // A reverting transaction (the root is already anchored) is mined with status 0.
    const revertTx = await issuer.sendTransaction({
      to: address,
      data: registryInterface().encodeFunctionData("anchor", [root, 3]),
      gasLimit: 200_000,
    });
    expect((await revertTx.wait().catch((e: { receipt: { status: number } }) => e.receipt))?.status).to.equal(0);

    // Rejected by the EVM after journaling: a funded-looking transfer from an empty account.
    const pauper = Wallet.createRandom();
    const broke = await pauper.signTransaction({ ...OFFLINE_FEES, to: issuer.address, value: 1n, nonce: 0, gasLimit: 21_000 });
    expect(await rpcCode(chain.provider.request({ method: "eth_sendRawTransaction", params: [broke] }))).to.be.a("number");
    // Refused before journaling: a stale nonce.
    const stale = await devWallet(1).signTransaction({ ...OFFLINE_FEES, to: address, nonce: 0, gasLimit: 21_000 });
    expect(await rpcCode(chain.provider.request({ method: "eth_sendRawTransaction", params: [stale] }))).to.equal(-32000);

    const before = await blocks(chain);
    const slotsBefore = await storage(chain, address, 8);
    const evidenceBefore = await registry.getFunction("batchOf")(issuer.address, root);
    await chain.close();

    chain = await openEmbeddedChain({ dataDir: tmp.dir });
    const mined = before.length - 1;
    expect(chain.replay.entries).to.equal(mined + 1); // the rejected transfer was journaled too
    expect(await blocks(chain)).to.deep.equal(before);
    expect(await storage(chain, address, 8)).to.deep.equal(slotsBefore);
    const reread = registry.connect(chain.ethersProvider());
    expect((await reread.getFunction("batchOf")(issuer.address, root)).toArray()).to.deep.equal(evidenceBefore.toArray());

    // The chain goes on after the replay, with later timestamps.
    const next = await devWallet(3).connect(chain.ethersProvider()).sendTransaction({ to: issuer.address, value: 1n });
    const receipt = await next.wait();
    expect(receipt?.blockNumber).to.equal(before.length);
    const block = await chain.ethersProvider().getBlock(receipt!.blockNumber);
    expect(block!.timestamp).to.be.greaterThan(Number(before[before.length - 1].timestamp));
    await chain.close();
  });

  it("stamps blocks with the wall clock, one second apart at least", async () => {
    let now = Date.UTC(2026, 0, 5, 8, 0, 0);
    const chain = await openEmbeddedChain({ dataDir: tmp.dir, clock: () => now });
    const sender = devWallet(0);
    const times: number[] = [];
    for (let nonce = 0; nonce < 3; nonce++) {
      const raw = await sender.signTransaction({ ...OFFLINE_FEES, to: ZeroHash.slice(0, 42), nonce, gasLimit: 21_000 });
      await chain.provider.request({ method: "eth_sendRawTransaction", params: [raw] });
      const b = (await chain.provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as BlockView;
      times.push(Number(b.timestamp));
      if (nonce === 1) now -= 60_000; // the clock steps back: time on chain never does
    }
    const t0 = Date.UTC(2026, 0, 5, 8, 0, 0) / 1000;
    expect(times).to.deep.equal([t0, t0 + 1, t0 + 2]);
    await chain.close();
  });

  it("refuses methods that would change state behind the journal, and hides its keys", async () => {
    const chain = await openEmbeddedChain({ dataDir: tmp.dir });
    const from = devWallet(0).address;
    for (const [method, params] of [
      ["evm_mine", []],
      ["evm_setNextBlockTimestamp", [2_000_000_000]],
      ["evm_revert", ["0x1"]],
      ["hardhat_setBalance", [from, "0x1"]],
      ["eth_sendTransaction", [{ from, to: from, value: "0x1" }]],
      ["eth_sign", [from, "0x00"]],
    ] as const) {
      expect(await rpcCode(chain.provider.request({ method, params: [...params] })), method).to.equal(4200);
    }
    expect(await chain.provider.request({ method: "eth_accounts" })).to.deep.equal([]);
    expect(await chain.provider.request({ method: "eth_chainId" })).to.equal("0x7a69");
    expect(await rpcCode(chain.provider.request({ method: "eth_sendRawTransaction", params: ["0xdeadbeef"] }))).to.equal(-32602);
    await chain.close();
    expect(await rpcCode(chain.provider.request({ method: "eth_blockNumber" }))).to.equal(4900);
  });

  it("lets one process at a time own a data directory", async () => {
    const chain = await openEmbeddedChain({ dataDir: tmp.dir });
    const second = await openEmbeddedChain({ dataDir: tmp.dir }).catch((e: unknown) => e);
    expect(second).to.be.instanceOf(EmbeddedChainError).with.property("code", "CHAIN_JOURNAL_LOCKED");
    await chain.close();
  });

  it("orders concurrent sends through one queue, so a replay sees them in the same order", async () => {
    let chain = await openEmbeddedChain({ dataDir: tmp.dir });
    const raws = await Promise.all(
      [3, 4, 5, 6, 7, 8].flatMap((i) =>
        [0, 1, 2].map((nonce) => devWallet(i).signTransaction({ ...OFFLINE_FEES, to: devWallet(0).address, value: 1n, nonce, gasLimit: 21_000 })),
      ),
    );
    // Nonces of one sender in order, senders interleaved, all in flight at once.
    const order = [0, 1, 2].flatMap((n) => [0, 1, 2, 3, 4, 5].map((s) => raws[s * 3 + n]));
    await Promise.all(order.map((raw) => chain.provider.request({ method: "eth_sendRawTransaction", params: [raw] })));
    const before = await blocks(chain);
    expect(before).to.have.length(order.length + 1);
    await chain.close();
    chain = await openEmbeddedChain({ dataDir: tmp.dir });
    expect(await blocks(chain)).to.deep.equal(before);
    await chain.close();
  });

  it("keeps every acknowledged transaction when the process is SIGKILLed mid-stream", async () => {
    const child = spawn(process.execPath, ["-r", "./scripts/register.js", "test/chain/crash-child.ts", tmp.dir], {
      cwd: join(__dirname, "..", ".."),
      stdio: ["ignore", "pipe", "inherit"],
    });
    const acknowledged: string[] = [];
    await new Promise<void>((resolve) => {
      child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
        acknowledged.push(...chunk.split("\n").filter((l) => l.startsWith("0x")));
        if (acknowledged.length >= 150 && child.signalCode === null) child.kill("SIGKILL");
      });
      child.once("exit", () => resolve());
    });
    expect(child.signalCode).to.equal("SIGKILL");

    const chain = await openEmbeddedChain({ dataDir: tmp.dir });
    // The journal may hold one more than was acknowledged: written, then killed before the answer.
    expect(chain.replay.entries).to.be.within(acknowledged.length, acknowledged.length + 1);
    for (const hash of acknowledged) {
      const receipt = (await chain.provider.request({ method: "eth_getTransactionReceipt", params: [hash] })) as { status: string };
      expect(receipt?.status, hash).to.equal("0x1");
    }
    await chain.close();
  });

  it("replays a transaction journaled just before a crash, as if it had been sent", async () => {
    const first = await openEmbeddedChain({ dataDir: tmp.dir });
    const head = ((await first.provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as BlockView).hash;
    await first.close();
    // What a process killed between the journal write and the send leaves behind.
    const raw = await devWallet(4).signTransaction({ ...OFFLINE_FEES, to: devWallet(5).address, value: 7n, nonce: 0, gasLimit: 21_000 });
    const journal = ChainJournal.open(`${tmp.dir}/chain-journal.sqlite`);
    journal.append(raw, 1_800_000_000, head);
    journal.close();

    const chain = await openEmbeddedChain({ dataDir: tmp.dir });
    const receipt = (await chain.provider.request({ method: "eth_getTransactionReceipt", params: [keccak256(raw)] })) as {
      status: string;
      blockNumber: string;
    };
    expect(receipt).to.include({ status: "0x1", blockNumber: "0x1" });
    await chain.close();
  });

  it("refuses to start on a journal that no longer replays to the recorded chain", async () => {
    const chain = await openEmbeddedChain({ dataDir: tmp.dir });
    const raw = await devWallet(0).signTransaction({ ...OFFLINE_FEES, to: devWallet(1).address, value: 1n, nonce: 0, gasLimit: 21_000 });
    await chain.provider.request({ method: "eth_sendRawTransaction", params: [raw] });
    await chain.close();
    const journal = ChainJournal.open(`${tmp.dir}/chain-journal.sqlite`);
    journal.append(raw, 1_900_000_000, ZeroHash); // a head this chain never had
    journal.close();
    const err = await openEmbeddedChain({ dataDir: tmp.dir }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(EmbeddedChainError).with.property("code", "CHAIN_REPLAY_DIVERGED");
    expect((err as EmbeddedChainError).info).to.include({ seq: 2 });
  });

  it("replays about 2,000 anchoring transactions quickly", async () => {
    let chain = await openEmbeddedChain({ dataDir: tmp.dir });
    const { address, issuer } = await deployRegistry(chain.ethersProvider());
    const iface = registryInterface();
    let nonce = await chain.ethersProvider().getTransactionCount(issuer.address);
    const COUNT = 2000;
    const sendStarted = performance.now();
    for (let i = 0; i < COUNT; i++) {
      const data = iface.encodeFunctionData("anchor", [keccak256(toBeHex(i + 1, 32)), 100]);
      const raw = await devWallet(1).signTransaction({ ...OFFLINE_FEES, to: address, data, nonce: nonce++, gasLimit: 120_000 });
      await chain.provider.request({ method: "eth_sendRawTransaction", params: [raw] });
    }
    const sendMs = performance.now() - sendStarted;
    const head = await chain.ethersProvider().getBlock("latest");
    await chain.close();

    chain = await openEmbeddedChain({ dataDir: tmp.dir });
    const replayed = await chain.ethersProvider().getBlock("latest");
    expect(replayed!.hash).to.equal(head!.hash);
    const perSecond = Math.round((chain.replay.entries / chain.replay.ms) * 1000);
    console.log(
      `      embedded chain: ${COUNT} txs sent (signed + journaled) in ${Math.round(sendMs)} ms; ` +
        `replayed ${chain.replay.entries} entries in ${chain.replay.ms} ms (${perSecond} tx/s)`,
    );
    expect(chain.replay.entries).to.be.at.least(COUNT);
    await chain.close();
  });
});
