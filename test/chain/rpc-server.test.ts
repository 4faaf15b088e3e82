import { expect } from "chai";
import { JsonRpcProvider, Network, isError, keccak256, toUtf8Bytes } from "ethers";
import { devWallet } from "../../server/chain/accounts";
import { openEmbeddedChain, type EmbeddedChain } from "../../server/chain/embedded";
import { registryAt, registryErrorOf, registryInterface } from "../../server/chain/registry";
import { registryReads } from "../../server/chain/registry-reads";
import { serveRpc, type RpcServer } from "../../server/chain/rpc-server";
import { OFFLINE_FEES, deployRegistry, tempDir, type RegistryFixture } from "./fixtures";

async function post(url: string, body: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  const text = await res.text();
  return { status: res.status, json: text === "" ? undefined : JSON.parse(text) };
}

describe("chain/rpc-server", function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  let chain: EmbeddedChain;
  let server: RpcServer;
  let fx: RegistryFixture;
  let http: JsonRpcProvider;

  before(async () => {
    tmp = tempDir();
    chain = await openEmbeddedChain({ dataDir: tmp.dir });
    fx = await deployRegistry(chain.ethersProvider());
    server = await serveRpc(chain.provider, { port: 0, host: "127.0.0.1", maxBodyBytes: 64 * 1024 });
    const network = Network.from(31337);
    http = new JsonRpcProvider(server.url, network, { staticNetwork: network, cacheTimeout: -1, batchMaxCount: 1 });
  });
  after(async () => {
    http.destroy();
    await server.close();
    await chain.close();
    tmp.cleanup();
  });

  it("lets an ethers JsonRpcProvider read the embedded chain", async () => {
    expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await http.getBlockNumber()).to.equal(await chain.ethersProvider().getBlockNumber());
    expect(await http.getCode(fx.address)).to.have.length.above(100);
    const root = keccak256(toUtf8Bytes("over http"));
    const evidence = await registryReads(http, fx.address).evidence(fx.issuer.address, root, root, [], "11060126", "0000000001");
    expect(evidence.included).to.equal(false);
  });

  it("accepts signed transactions, which the embedded chain journals", async () => {
    const sender = devWallet(6).connect(http);
    const tx = await sender.sendTransaction({ to: devWallet(7).address, value: 5n });
    const receipt = await tx.wait();
    expect(receipt?.status).to.equal(1);
    expect(await chain.ethersProvider().getTransaction(tx.hash)).to.not.equal(null);
  });

  it("passes revert data through so callers decode custom errors", async () => {
    const root = keccak256(toUtf8Bytes("twice"));
    await (await fx.registry.connect(fx.issuer).getFunction("anchor")(root, 1)).wait();
    const err = await registryAt(fx.address, devWallet(1).connect(http))
      .getFunction("anchor")(root, 1)
      .catch((e: unknown) => e);
    expect(isError(err, "CALL_EXCEPTION")).to.equal(true);
    expect(registryErrorOf(err)?.name).to.equal("BillRegistryRootAlreadyAnchored");
    const raw = await post(
      server.url,
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "eth_call",
        params: [{ from: fx.issuer.address, to: fx.address, data: registryInterface().encodeFunctionData("anchor", [root, 1]) }, "latest"],
      }),
    );
    expect(raw.json).to.have.nested.property("error.code", 3);
    expect(raw.json)
      .to.have.nested.property("error.data")
      .that.matches(/^0x[0-9a-f]{8}/);
  });

  it("answers batches in order and leaves notifications unanswered", async () => {
    const { status, json } = await post(
      server.url,
      JSON.stringify([
        { jsonrpc: "2.0", id: 1, method: "eth_chainId" },
        { jsonrpc: "2.0", method: "eth_blockNumber" },
        { jsonrpc: "2.0", id: "b", method: "evm_mine", params: [] },
        { jsonrpc: "2.0", id: 3, method: "net_version", params: [] },
      ]),
    );
    expect(status).to.equal(200);
    expect(json).to.deep.equal([
      { jsonrpc: "2.0", id: 1, result: "0x7a69" },
      { jsonrpc: "2.0", id: "b", error: { code: -32601, message: "method evm_mine is not available on this endpoint" } },
      { jsonrpc: "2.0", id: 3, result: "31337" },
    ]);
  });

  it("refuses methods that change state or sign with the node's keys", async () => {
    for (const method of ["hardhat_setBalance", "evm_setNextBlockTimestamp", "eth_sendTransaction", "debug_traceTransaction"]) {
      const { json } = await post(server.url, JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] }));
      expect((json as { error: { code: number } }).error.code, method).to.equal(-32601);
    }
  });

  it("answers malformed requests with JSON-RPC error objects", async () => {
    const cases: Array<[string, number]> = [
      ["{not json", -32700],
      ["[]", -32600],
      ['{"id":1,"method":"eth_chainId"}', -32600],
      ['{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":{"a":1}}', -32602],
    ];
    for (const [body, code] of cases) {
      const { json } = await post(server.url, body);
      expect((json as { error: { code: number } }).error.code, body).to.equal(code);
    }
    const bad = await post(server.url, JSON.stringify({ jsonrpc: "2.0", id: 9, method: "eth_sendRawTransaction", params: ["0x12"] }));
    expect(bad.json).to.have.nested.property("error.code", -32602);
  });

  it("refuses bodies over the size cap with 413 and non-POST requests with 405", async () => {
    const raw = await devWallet(8).signTransaction({ ...OFFLINE_FEES, to: devWallet(8).address, nonce: 0, gasLimit: 21_000, data: "0x" + "00".repeat(40_000) });
    const big = await post(server.url, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: [raw] }));
    expect(big.status).to.equal(413);
    expect(big.json).to.have.nested.property("error.code", -32600);
    expect((await fetch(server.url)).status).to.equal(405);
  });
});
