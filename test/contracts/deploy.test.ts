// scripts/deploy.ts against a real `hardhat node` over HTTP, as the service and the CLI use it.
import { expect } from "chai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Contract, JsonRpcProvider, ethers } from "ethers";
import { DEFAULT_ADMIN_ROLE, REGISTRAR_ROLE, RELYING_PARTY_ROLE, TEST_MNEMONIC, connectRpc, deployRegistry, loadRegistryArtifact } from "../../scripts/deploy";
import { ROOT, startHardhatNode, type ChainNode } from "../helpers/processes";

const account = (index: number) => ethers.HDNodeWallet.fromPhrase(TEST_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`);

describe("scripts/deploy.ts against a hardhat node over HTTP", function () {
  this.timeout(120_000);
  let node: ChainNode;
  let url: string;
  let provider: JsonRpcProvider;

  before(async () => {
    node = await startHardhatNode();
    url = node.url;
    provider = await connectRpc(url);
  });

  after(async () => {
    provider?.destroy();
    await node?.stop();
  });

  it("reads the ABI and bytecode of registry v2 from the compiled artifact", () => {
    const { abi, bytecode } = loadRegistryArtifact();
    expect(bytecode).to.match(/^0x[0-9a-f]{1000,}$/);
    const iface = new ethers.Interface(abi);
    const signatures = ["anchor", "voidBill", "markReimbursed", "releaseReimbursement", "allotRange", "evidence", "eip712Domain"].map((name) =>
      iface.getFunction(name)?.format(),
    );
    expect(signatures).to.deep.equal([
      "anchor(bytes32,uint24)",
      "voidBill(bytes32,bytes32,bytes32[],uint8)",
      "markReimbursed(address,bytes32,bytes32,bytes32[],bytes32)",
      "releaseReimbursement(address,bytes32)",
      "allotRange(address,uint32,uint64,uint64)",
      "evidence(address,bytes32,bytes32,bytes32[],uint32,uint64)",
      "eip712Domain()",
    ]);
  });

  it("deploys, grants registrar and relying-party roles, and hands the admin role over", async () => {
    const deployer = account(0).connect(provider);
    const [admin, registrar, insurer, employer] = [1, 2, 3, 4].map((i) => account(i).address);
    const deployed = await deployRegistry(deployer, {
      admin,
      registrars: [registrar],
      relyingParties: [insurer, employer],
    });
    const receipt = await provider.getTransactionReceipt(deployed.deployTxHash);
    expect([receipt?.contractAddress, receipt?.blockNumber]).to.deep.equal([deployed.address, deployed.blockNumber]);
    const registry = new Contract(deployed.address, loadRegistryArtifact().abi, provider);
    const has = (role: string, who: string): Promise<boolean> => registry.hasRole(role, who);
    expect(await has(DEFAULT_ADMIN_ROLE, admin)).to.equal(true);
    expect(await has(DEFAULT_ADMIN_ROLE, deployer.address)).to.equal(false);
    expect(await has(REGISTRAR_ROLE, registrar)).to.equal(true);
    expect(await has(RELYING_PARTY_ROLE, insurer)).to.equal(true);
    expect(await has(RELYING_PARTY_ROLE, employer)).to.equal(true);
    expect(await has(REGISTRAR_ROLE, insurer)).to.equal(false);
    const [fields, name, version, chainId, verifyingContract] = await registry.eip712Domain();
    expect([fields, name, version, chainId, verifyingContract]).to.deep.equal(["0x0f", "lianpiao", "2", 31337n, deployed.address]);
  });

  it("keeps the admin role with the deployer when no admin is given, and deploys twice in a row", async () => {
    const deployer = account(5).connect(provider);
    const first = await deployRegistry(deployer, { confirmations: 1 });
    const second = await deployRegistry(deployer, { registrars: [deployer.address] });
    expect(first.address).to.not.equal(second.address);
    const registry = new Contract(second.address, loadRegistryArtifact().abi, provider);
    expect(await registry.hasRole(DEFAULT_ADMIN_ROLE, deployer.address)).to.equal(true);
    expect(await registry.hasRole(REGISTRAR_ROLE, deployer.address)).to.equal(true);
  });

  it("deploys from the command line with account 0 of the test mnemonic and prints the address as JSON", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["-r", "./scripts/register.js", "scripts/deploy.ts", "--rpc", url, "--relying-party", account(3).address],
      { cwd: ROOT },
    );
    const printed = JSON.parse(stdout) as { address: string; deployer: string; chainId: number };
    expect(printed.deployer).to.equal(account(0).address);
    expect(printed.chainId).to.equal(31337);
    const registry = new Contract(printed.address, loadRegistryArtifact().abi, provider);
    expect(await registry.hasRole(RELYING_PARTY_ROLE, account(3).address)).to.equal(true);
    expect(await registry.hasRole(DEFAULT_ADMIN_ROLE, account(0).address)).to.equal(true);
  });

  it("fails on the command line with a message when --rpc is missing", async () => {
    const run = promisify(execFile)(process.execPath, ["-r", "./scripts/register.js", "scripts/deploy.ts"], { cwd: ROOT });
    const error = (await run.then(
      () => null,
      (e: unknown) => e,
    )) as { code: number; stderr: string } | null;
    expect(error?.code).to.equal(1);
    expect(error?.stderr).to.contain("--rpc is required");
  });
});
