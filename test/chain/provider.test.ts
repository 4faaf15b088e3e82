import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { makeError, parseEther, type JsonRpcProvider } from "ethers";
import { devWallet } from "../../server/chain/accounts";
import { ChainUnavailableError } from "../../server/chain/errors";
import { asChainUnavailable, connectRpc, withTimeout } from "../../server/chain/provider";
import { freePort } from "../../scripts/lib/net";

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/** A `hardhat node` child process on a free port, started from the project root. */
async function startHardhatNode(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const cli = require.resolve("hardhat/internal/cli/cli.js");
  const child = spawn(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: join(__dirname, "..", ".."),
    stdio: "ignore",
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (!(await answers(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`hardhat node did not start on ${url}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, child };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

async function failure(promise: Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const started = performance.now();
  try {
    await promise;
  } catch (err) {
    return { err, ms: performance.now() - started };
  }
  throw new Error("expected a failure");
}

describe("chain/provider", function () {
  this.timeout(120_000);

  describe("against a hardhat node", () => {
    let node: { url: string; child: ChildProcess };
    let provider: JsonRpcProvider;
    before(async () => {
      node = await startHardhatNode();
      provider = await connectRpc(node.url, { timeoutMs: 2000, pollingIntervalMs: 200 });
    });
    after(async () => {
      provider?.destroy();
      if (node) await stop(node.child);
    });

    it("reads the chain with the network fixed from one eth_chainId", async () => {
      expect((await provider.getNetwork()).chainId).to.equal(31337n);
      expect(await provider.getBlockNumber()).to.be.a("number");
      expect(await provider.getBalance(devWallet(9).address)).to.equal(parseEther("10000"));
      expect(provider._getOption("cacheTimeout")).to.equal(-1);
      expect(provider._getOption("batchMaxCount")).to.equal(1);
    });

    it("fails within the deadline with ChainUnavailableError once the node is gone", async () => {
      await stop(node.child);
      const { err, ms } = await failure(withTimeout(provider.getBlockNumber(), 3000, "eth_blockNumber"));
      expect(err).to.be.instanceOf(ChainUnavailableError);
      expect((err as ChainUnavailableError).code).to.be.oneOf(["CHAIN_UNREACHABLE", "CHAIN_TIMEOUT"]);
      expect(ms).to.be.below(3500);
      const again = await failure(connectRpc(node.url, { timeoutMs: 2000 }));
      expect(again.err).to.be.instanceOf(ChainUnavailableError).with.property("code", "CHAIN_UNREACHABLE");
    });
  });

  describe("against a node that accepts connections and never answers", () => {
    let server: Server;
    const sockets: Socket[] = [];
    let url: string;
    before(async () => {
      server = createServer((socket) => sockets.push(socket));
      const port = await freePort();
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${port}`;
    });
    after(async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => server.close(resolve));
    });

    it("gives up connecting after the timeout with CHAIN_TIMEOUT", async () => {
      const { err, ms } = await failure(connectRpc(url, { timeoutMs: 400 }));
      expect(err).to.be.instanceOf(ChainUnavailableError).with.property("code", "CHAIN_TIMEOUT");
      expect(ms).to.be.within(350, 2000);
    });
  });

  describe("withTimeout", () => {
    it("turns a hang into CHAIN_TIMEOUT", async () => {
      const { err, ms } = await failure(withTimeout(new Promise(() => undefined), 100, "a call"));
      expect(err).to.be.instanceOf(ChainUnavailableError).with.property("code", "CHAIN_TIMEOUT");
      expect(ms).to.be.within(90, 1000);
    });

    it("passes answers from the chain through untouched", async () => {
      const revert = makeError("execution reverted", "CALL_EXCEPTION", {
        action: "call",
        data: "0x12345678",
        reason: null,
        transaction: { to: null, data: "0x" },
        invocation: null,
        revert: null,
      });
      const { err } = await failure(withTimeout(Promise.reject(revert), 1000));
      expect(err).to.equal(revert);
      expect(asChainUnavailable(revert)).to.equal(null);
      expect(await withTimeout(Promise.resolve(7), 1000)).to.equal(7);
    });

    it("classifies socket and ethers network failures as unreachable", () => {
      const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      expect(asChainUnavailable(new Error("fetch failed", { cause: refused }))?.code).to.equal("CHAIN_UNREACHABLE");
      expect(asChainUnavailable(makeError("timeout", "TIMEOUT", { operation: "fetch", reason: "timeout" }))?.code).to.equal("CHAIN_TIMEOUT");
      expect(asChainUnavailable(new Error("something else"))).to.equal(null);
    });
  });
});
