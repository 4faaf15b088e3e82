import { expect } from "chai";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { id, isError, keccak256, toUtf8Bytes } from "ethers";
import { openEmbeddedChain, type EmbeddedChain } from "../../server/chain/embedded";
import { KIND_CODE, kindFromCode, loadRegistryAbi, registryErrorOf } from "../../server/chain/registry";
import { registryReads } from "../../server/chain/registry-reads";
import { deployRegistry, tempDir, type RegistryFixture } from "./fixtures";

describe("chain/registry", function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  let chain: EmbeddedChain;
  let fx: RegistryFixture;
  const billHashes = ["bill-1", "bill-2", "bill-3"].map((s) => [keccak256(toUtf8Bytes(s))]);
  const tree = StandardMerkleTree.of(billHashes, ["bytes32"]);
  const reads = () => registryReads(chain.ethersProvider(), fx.address);

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

  it("decodes the evidence of an anchored bill into plain values, by field name", async () => {
    const leaf = tree.leafHash(billHashes[1]);
    const evidence = await reads().evidence(fx.issuer.address, tree.root, leaf, tree.getProof(1), "11060126", "0000000002");
    const anchoredIn = await chain.ethersProvider().getBlock("latest");
    expect(evidence).to.deep.equal({
      batch: { blockNumber: anchoredIn!.number, timestamp: anchoredIn!.timestamp, billCount: 3 },
      status: { voided: false, voidReason: 0, voidedAt: null, reimbursedBy: null, reimbursedAt: null, claimedFen: 0n, capFen: 0n, claimCount: 0 },
      issuer: {
        kind: "medical",
        active: true,
        admittedAt: anchoredIn!.number - 2,
        creditCodeHash: keccak256(toUtf8Bytes("12100000400000624D")),
      },
      included: true,
      activeAtAnchor: true,
      allottedAtAnchor: true,
    });
  });

  it("says a number outside the issuer's ranges was not allotted at the anchoring block", async () => {
    const leaf = tree.leafHash(billHashes[1]);
    const evidence = await reads().evidence(fx.issuer.address, tree.root, leaf, tree.getProof(1), "11060126", "0000001001");
    expect(evidence).to.include({ included: true, activeAtAnchor: true, allottedAtAnchor: false });
    expect(await reads().allotmentOf("11060126", "0000000007")).to.deep.include({ issuer: fx.issuer.address, billCode: "11060126", first: 1, last: 1000 });
    expect(await reads().allotmentOf("11060126", "0000001001")).to.equal(null);
  });

  it("shows a reimbursement mark with who and when, under the bill's issuer", async () => {
    const leaf = tree.leafHash(billHashes[0]);
    const proof = tree.getProof(0);
    await (await fx.registry.connect(fx.insurer).getFunction("markReimbursed")(fx.issuer.address, tree.root, leaf, proof, id("claim-1"))).wait();
    const evidence = await reads().evidence(fx.issuer.address, tree.root, leaf, proof, "11060126", "0000000001");
    const block = await chain.ethersProvider().getBlock("latest");
    expect(evidence.status).to.deep.equal({
      voided: false,
      voidReason: 0,
      voidedAt: null,
      reimbursedBy: fx.insurer.address,
      reimbursedAt: block!.timestamp,
      claimedFen: 0n,
      capFen: 0n,
      claimCount: 0,
    });
    expect(await reads().statusOf(fx.issuer.address, leaf)).to.deep.equal(evidence.status);
    expect((await reads().statusOf(fx.admin.address, leaf)).reimbursedBy).to.equal(null);
  });

  it("answers a root the issuer never anchored with empty records, not an error", async () => {
    const evidence = await reads().evidence(fx.issuer.address, id("never anchored"), id("leaf"), [], "11060126", "0000000001");
    expect(evidence.batch).to.equal(null);
    expect(evidence).to.include({ included: false, activeAtAnchor: false, allottedAtAnchor: false });
    const stranger = await reads().evidence(fx.admin.address, tree.root, tree.leafHash(billHashes[1]), tree.getProof(1), "11060126", "0000000002");
    expect(stranger.batch).to.equal(null);
    expect(stranger.issuer).to.deep.equal({ kind: null, active: false, admittedAt: null, creditCodeHash: null });
  });

  it("reads the registry's EIP-712 domain (EIP-5267)", async () => {
    expect(await reads().domain()).to.deep.equal({ name: "lianpiao", version: "2", chainId: 31337n, verifyingContract: fx.address });
  });

  it("surfaces the registry's custom errors through the embedded provider", async () => {
    const err = await fx.registry
      .connect(fx.issuer)
      .getFunction("anchor")(tree.root, 3)
      .catch((e: unknown) => e);
    expect(isError(err, "CALL_EXCEPTION")).to.equal(true);
    expect(registryErrorOf(err)).to.deep.equal({ name: "BillRegistryRootAlreadyAnchored", args: { issuer: fx.issuer.address, root: tree.root } });
    const viaStaticCall = await fx.registry
      .connect(fx.issuer)
      .getFunction("anchor")
      .staticCall(tree.root, 3)
      .catch((e: unknown) => e);
    expect((viaStaticCall as { revert: { name: string } }).revert.name).to.equal("BillRegistryRootAlreadyAnchored");
    expect(registryErrorOf(new Error("socket hang up"))).to.equal(null);
  });
});
