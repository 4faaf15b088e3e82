// BillRegistry v2: what it tells other contracts and wallets about itself — ERC-165 interface ids and
// the EIP-5267 domain of the issuers' EIP-712 bill signatures.
import { expect } from "chai";
import { artifacts, ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { TypedDataEncoder, type Contract, type InterfaceAbi } from "ethers";
import { billHashes, registryFixture } from "./fixtures";

/** XOR of the selectors of `names`' functions in `abi` (ERC-165 interface id). */
function interfaceId(abi: InterfaceAbi, only?: (name: string) => boolean): string {
  let id = 0n;
  new ethers.Interface(abi).forEachFunction((fn) => {
    if (only === undefined || only(fn.name)) id ^= BigInt(fn.selector);
  });
  return ethers.toBeHex(id, 4);
}

async function abiOf(name: string): Promise<InterfaceAbi> {
  return (await artifacts.readArtifact(name)).abi;
}

const EIP712_DOMAIN_TYPEHASH = ethers.id("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
const BILL_TYPES = { Bill: [{ name: "billHash", type: "bytes32" }] };

interface Domain {
  fields: string;
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
  salt: string;
  extensions: bigint[];
}

async function domainOf(registry: Contract): Promise<Domain> {
  const [fields, name, version, chainId, verifyingContract, salt, extensions] = await registry.eip712Domain();
  return { fields, name, version, chainId, verifyingContract, salt, extensions: [...extensions] };
}

describe("BillRegistry v2: interfaces", () => {
  describe("supportsInterface (ERC-165)", () => {
    it("reports IBillRegistry's own id: the XOR of its selectors without the inherited eip712Domain, as type(I).interfaceId is", async () => {
      const { registry } = await loadFixture(registryFixture);
      const inherited = new Set<string>();
      new ethers.Interface(await abiOf("IERC5267")).forEachFunction((fn) => inherited.add(fn.name));
      expect([...inherited]).to.deep.equal(["eip712Domain"]);
      const own = interfaceId(await abiOf("IBillRegistry"), (name) => !inherited.has(name));
      expect(await registry.supportsInterface(own)).to.equal(true);
      // a client that XORs the whole ABI, inherited function included, asks for another id
      const whole = interfaceId(await abiOf("IBillRegistry"));
      expect(whole).to.not.equal(own);
      expect(await registry.supportsInterface(whole)).to.equal(false);
    });

    it("reports IAccessControl (0x7965db0b) and ERC-165 itself (0x01ffc9a7)", async () => {
      const { registry } = await loadFixture(registryFixture);
      const accessControl = interfaceId(await abiOf("IAccessControl"));
      const erc165 = interfaceId(await abiOf("IERC165"));
      expect([accessControl, erc165]).to.deep.equal(["0x7965db0b", "0x01ffc9a7"]);
      expect(await registry.supportsInterface(accessControl)).to.equal(true);
      expect(await registry.supportsInterface(erc165)).to.equal(true);
    });

    it("reports no other id: 0xffffffff, zero, and a single selector of the registry", async () => {
      const { registry } = await loadFixture(registryFixture);
      for (const id of ["0xffffffff", "0x00000000", registry.interface.getFunction("anchor")!.selector]) {
        expect(await registry.supportsInterface(id), id).to.equal(false);
      }
    });
  });

  describe("eip712Domain (EIP-5267)", () => {
    it("returns fields 0x0f, name lianpiao, version 2, this chain, this contract, no salt, no extensions", async () => {
      const { registry } = await loadFixture(registryFixture);
      const { chainId } = await ethers.provider.getNetwork();
      expect(await domainOf(registry)).to.deep.equal({
        fields: "0x0f",
        name: "lianpiao",
        version: "2",
        chainId,
        verifyingContract: await registry.getAddress(),
        salt: ethers.ZeroHash,
        extensions: [],
      });
      expect([await registry.DOMAIN_NAME(), await registry.DOMAIN_VERSION()]).to.deep.equal(["lianpiao", "2"]);
    });

    it("hashes, with ethers' TypedDataEncoder.hashDomain, to the EIP-712 separator of name, version, chain id and contract", async () => {
      const { registry } = await loadFixture(registryFixture);
      const d = await domainOf(registry);
      // fields 0x0f = name (bit 0), version (bit 1), chainId (bit 2), verifyingContract (bit 3)
      expect(Number(d.fields)).to.equal(0b1111);
      const fromChain = TypedDataEncoder.hashDomain({ name: d.name, version: d.version, chainId: d.chainId, verifyingContract: d.verifyingContract });
      const byHand = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(
          ["bytes32", "bytes32", "bytes32", "uint256", "address"],
          [EIP712_DOMAIN_TYPEHASH, ethers.id("lianpiao"), ethers.id("2"), 31337, await registry.getAddress()],
        ),
      );
      expect(fromChain).to.equal(byHand);
    });

    it("gives every deployment its own domain, so a signature made for one registry does not verify for another", async () => {
      const { registry, admin, hospital } = await loadFixture(registryFixture);
      const second = (await ethers.deployContract("BillRegistry", [admin.address])) as unknown as Contract;
      const [d1, d2] = [await domainOf(registry), await domainOf(second)];
      const domain = (d: Domain) => ({ name: d.name, version: d.version, chainId: d.chainId, verifyingContract: d.verifyingContract });
      expect(TypedDataEncoder.hashDomain(domain(d1))).to.not.equal(TypedDataEncoder.hashDomain(domain(d2)));
      const bill = { billHash: billHashes(1, "signed")[0] };
      const signature = await hospital.signTypedData(domain(d1), BILL_TYPES, bill);
      expect(ethers.verifyTypedData(domain(d1), BILL_TYPES, bill, signature)).to.equal(hospital.address);
      expect(ethers.verifyTypedData(domain(d2), BILL_TYPES, bill, signature)).to.not.equal(hospital.address);
      // nor for another protocol version of the same registry
      expect(ethers.verifyTypedData({ ...domain(d1), version: "1" }, BILL_TYPES, bill, signature)).to.not.equal(hospital.address);
    });
  });
});
