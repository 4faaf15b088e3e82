import { expect } from "chai";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { ZeroHash, id, isError, keccak256, toUtf8Bytes } from "ethers";
import { openEmbeddedChain, type EmbeddedChain } from "../../server/chain/embedded";
import { KIND_CODE, decodeEvidence, kindFromCode, loadRegistryAbi, readEvidence, registryErrorOf } from "../../server/chain/registry";
import { deployRegistry, tempDir, type RegistryFixture } from "./fixtures";

describe("chain/registry", function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  let chain: EmbeddedChain;
  let fx: RegistryFixture;
  const billHashes = ["bill-1", "bill-2", "bill-3"].map((s) => [keccak256(toUtf8Bytes(s))]);
  const tree = StandardMerkleTree.of(billHashes, ["bytes32"]);

  before(async () => {
    tmp = tempDir();
    chain = await openEmbeddedChain({ dataDir: tmp.dir });
    fx = await deployRegistry(chain.ethersProvider());
    await (await fx.registry.connect(fx.issuer).getFunction("anchor")(tree.root, 3)).wait();
  });
  after(async () => {
    await chain.close();
    tmp.cleanup();
  });

  it("maps kind codes both ways and reads the ABI once", () => {
    expect(KIND_CODE).to.deep.equal({ medical: 1, donation: 2 });
    expect([0, 1, 2, 3].map((c) => kindFromCode(c))).to.deep.equal([null, "medical", "donation", null]);
    expect(loadRegistryAbi()).to.equal(loadRegistryAbi());
  });

  it("decodes the evidence of an anchored bill into plain values", async () => {
    const leaf = tree.leafHash(billHashes[1]);
    const evidence = await readEvidence(fx.registry, tree.root, leaf, tree.getProof(1));
    const anchoredIn = await chain.ethersProvider().getBlock("latest");
    expect(evidence).to.deep.equal({
      batch: { issuer: fx.issuer.address, blockNumber: anchoredIn!.number, timestamp: anchoredIn!.timestamp, billCount: 3 },
      status: { voided: false, voidReason: 0, voidedAt: null, reimbursedBy: null, reimbursedAt: null },
      issuer: {
        kind: "medical",
        active: true,
        admittedAt: anchoredIn!.number - 1,
        creditCodeHash: keccak256(toUtf8Bytes("12100000400000624D")),
      },
      included: true,
    });
  });

  it("shows a reimbursement mark with who and when", async () => {
    const leaf = tree.leafHash(billHashes[0]);
    const proof = tree.getProof(0);
    await (await fx.registry.connect(fx.insurer).getFunction("markReimbursed")(tree.root, leaf, proof, id("claim-1"))).wait();
    const evidence = await readEvidence(fx.registry, tree.root, leaf, proof);
    const block = await chain.ethersProvider().getBlock("latest");
    expect(evidence.status).to.deep.equal({
      voided: false,
      voidReason: 0,
      voidedAt: null,
      reimbursedBy: fx.insurer.address,
      reimbursedAt: block!.timestamp,
    });
  });

  it("answers an unknown root with empty records, not an error", async () => {
    const evidence = await readEvidence(fx.registry, id("never anchored"), id("leaf"), []);
    expect(evidence.batch.issuer).to.equal(null);
    expect(evidence.issuer).to.deep.equal({ kind: null, active: false, admittedAt: null, creditCodeHash: null });
    expect(evidence.included).to.equal(false);
  });

  it("decodes plain arrays as well as ethers results", () => {
    const zero = "0x0000000000000000000000000000000000000000";
    const decoded = decodeEvidence([[zero, 0n, 0n, 0n], [true, 2n, 1_800_000_000n, zero, 0n], [2n, false, 5n, ZeroHash], false]);
    expect(decoded.status).to.include({ voided: true, voidReason: 2, voidedAt: 1_800_000_000 });
    expect(decoded.issuer).to.include({ kind: "donation", active: false, admittedAt: 5, creditCodeHash: null });
  });

  it("surfaces the registry's custom errors through the embedded provider", async () => {
    const err = await fx.registry
      .connect(fx.issuer)
      .getFunction("anchor")(tree.root, 3)
      .catch((e: unknown) => e);
    expect(isError(err, "CALL_EXCEPTION")).to.equal(true);
    expect(registryErrorOf(err)).to.deep.equal({ name: "BillRegistryRootAlreadyAnchored", args: [tree.root, fx.issuer.address] });
    const viaStaticCall = await fx.registry
      .connect(fx.issuer)
      .getFunction("anchor")
      .staticCall(tree.root, 3)
      .catch((e: unknown) => e);
    expect((viaStaticCall as { revert: { name: string } }).revert.name).to.equal("BillRegistryRootAlreadyAnchored");
    expect(registryErrorOf(new Error("socket hang up"))).to.equal(null);
  });
});
