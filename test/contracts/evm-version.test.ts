// The registry must deploy on permissioned chains stopped at London or Paris (Besu, GoQuorum): its
// bytecode may hold no opcode introduced later. The code is disassembled properly: PUSH data skipped,
// the instructions told apart from the data Solidity appends (by the compiler's source map), and the
// constructor and the runtime read as separate code. A control contract compiled for Cancun shows that
// the check finds each forbidden opcode.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import hre, { artifacts, ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { registryFixture } from "./fixtures";

const ROOT = join(__dirname, "..", "..");

/** Opcodes later than London (Paris only renamed DIFFICULTY to PREVRANDAO, same byte 0x44). */
const FORBIDDEN: Record<number, string> = {
  0x5f: "PUSH0 (Shanghai)",
  0x5e: "MCOPY (Cancun)",
  0x5c: "TLOAD (Cancun)",
  0x5d: "TSTORE (Cancun)",
  0x49: "BLOBHASH (Cancun)",
  0x4a: "BLOBBASEFEE (Cancun)",
};

/** Every opcode defined at London, INVALID (0xfe) included. */
const LONDON = new Set<number>([
  ...range(0x00, 0x0b),
  ...range(0x10, 0x1d),
  0x20,
  ...range(0x30, 0x3f),
  ...range(0x40, 0x48),
  ...range(0x50, 0x5b),
  ...range(0x60, 0x7f),
  ...range(0x80, 0x8f),
  ...range(0x90, 0x9f),
  ...range(0xa0, 0xa4),
  ...range(0xf0, 0xf5),
  0xfa,
  0xfd,
  0xfe,
  0xff,
]);

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

interface Instruction {
  pc: number;
  op: number;
}

/** Disassembles `code`: each PUSHn (0x60..0x7f) is followed by n data bytes, which are skipped. */
function disassemble(code: Uint8Array): Instruction[] {
  const out: Instruction[] = [];
  for (let pc = 0; pc < code.length; pc++) {
    const op = code[pc];
    out.push({ pc, op });
    if (op >= 0x60 && op <= 0x7f) {
      const size = op - 0x5f;
      if (pc + size >= code.length) throw new Error(`PUSH${size} at ${pc} runs past the end of the code (${code.length} bytes)`);
      pc += size;
    }
  }
  return out;
}

function forbiddenIn(code: Uint8Array): string[] {
  return disassemble(code)
    .filter((i) => FORBIDDEN[i.op] !== undefined)
    .map((i) => `${FORBIDDEN[i.op]} at ${i.pc}`);
}

function undefinedAtLondon(code: Uint8Array): string[] {
  return disassemble(code)
    .filter((i) => !LONDON.has(i.op))
    .map((i) => `0x${i.op.toString(16)} at ${i.pc}`);
}

/** Splits runtime code into code and Solidity's CBOR metadata trailer (length in the last two bytes). */
function stripMetadata(runtime: Uint8Array): { code: Uint8Array; metadata: Uint8Array } {
  const length = (runtime[runtime.length - 2] << 8) | runtime[runtime.length - 1];
  const start = runtime.length - 2 - length;
  return { code: runtime.slice(0, start), metadata: runtime.slice(start, runtime.length - 2) };
}

/** Where the EVM may jump: JUMPDEST bytes that are not PUSH data, by the EVM's own linear analysis of all of `code`. */
function jumpDestinations(code: Uint8Array): number[] {
  const out: number[] = [];
  for (let pc = 0; pc < code.length; pc++) {
    if (code[pc] === 0x5b) out.push(pc);
    if (code[pc] >= 0x60 && code[pc] <= 0x7f) pc += code[pc] - 0x5f;
  }
  return out;
}

/**
 * Splits compiled code into its instructions and what follows them. Solidity appends data after the
 * instructions (constants the optimizer copies with CODECOPY, the runtime code inside the creation
 * code, the metadata), behind an INVALID (0xfe). The compiler's source map has one entry per
 * instruction, so it says exactly where the instructions end.
 */
function split(hex: string, sourceMap: string) {
  const bytes = ethers.getBytes(hex);
  const count = sourceMap.split(";").length;
  let end = 0;
  for (let i = 0; i < count; i++) end += bytes[end] >= 0x60 && bytes[end] <= 0x7f ? bytes[end] - 0x5e : 1;
  return { bytes, code: bytes.slice(0, end), rest: bytes.slice(end) };
}

async function registryCode() {
  const artifact = await artifacts.readArtifact("BillRegistry");
  const buildInfo = await artifacts.getBuildInfo("contracts/BillRegistry.sol:BillRegistry");
  if (buildInfo === undefined) throw new Error("no build info: run hardhat compile");
  const evm = buildInfo.output.contracts["contracts/BillRegistry.sol"].BillRegistry.evm;
  expect(`0x${evm.deployedBytecode.object}`).to.equal(artifact.deployedBytecode);
  expect(`0x${evm.bytecode.object}`).to.equal(artifact.bytecode);
  return {
    runtime: split(artifact.deployedBytecode, evm.deployedBytecode.sourceMap),
    creation: split(artifact.bytecode, evm.bytecode.sourceMap),
    runtimeHex: artifact.deployedBytecode,
  };
}

describe("EVM target: London", () => {
  describe("the disassembler", () => {
    it("skips PUSH data: 0x5f as the data of PUSH1, or inside PUSH32, is not PUSH0", () => {
      expect(forbiddenIn(ethers.getBytes("0x605f00"))).to.deep.equal([]);
      expect(forbiddenIn(ethers.getBytes(`0x7f${"5e5f5c5d494a".padEnd(64, "5f")}00`))).to.deep.equal([]);
      expect(disassemble(ethers.getBytes("0x6001600201"))).to.deep.equal([
        { pc: 0, op: 0x60 },
        { pc: 2, op: 0x60 },
        { pc: 4, op: 0x01 },
      ]);
    });

    it("finds each forbidden opcode standing as an instruction", () => {
      expect(forbiddenIn(ethers.getBytes("0x6000495f5e5c5d4a00"))).to.deep.equal([
        "BLOBHASH (Cancun) at 2",
        "PUSH0 (Shanghai) at 3",
        "MCOPY (Cancun) at 4",
        "TLOAD (Cancun) at 5",
        "TSTORE (Cancun) at 6",
        "BLOBBASEFEE (Cancun) at 7",
      ]);
    });

    it("refuses code whose last PUSH runs past the end", () => {
      expect(() => disassemble(ethers.getBytes("0x0061ff"))).to.throw(/PUSH2 at 1 runs past the end/);
    });

    it("finds all six in a control contract compiled for Cancun by the bundled solc", function () {
      this.timeout(120_000);
      const source = `// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;
contract Control {
    uint256 transient counter;
    function echo(bytes memory b) external pure returns (bytes memory) { return b; }
    function bump() external returns (uint256) { counter += 1; return counter; }
    function blob() external view returns (bytes32, uint256) { return (blobhash(0), block.blobbasefee); }
}`;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const solc = require("solc") as { compile(input: string): string };
      const input = {
        language: "Solidity",
        sources: { "Control.sol": { content: source } },
        settings: { evmVersion: "cancun", optimizer: { enabled: true, runs: 200 }, outputSelection: { "*": { "*": ["evm.deployedBytecode.object"] } } },
      };
      const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
        errors?: { severity: string; formattedMessage: string }[];
        contracts: Record<string, Record<string, { evm: { deployedBytecode: { object: string } } }>>;
      };
      const errors = (output.errors ?? []).filter((e) => e.severity === "error");
      expect(errors.map((e) => e.formattedMessage)).to.deep.equal([]);
      const { code } = stripMetadata(ethers.getBytes(`0x${output.contracts["Control.sol"].Control.evm.deployedBytecode.object}`));
      const found = new Set(forbiddenIn(code).map((f) => f.split(" at ")[0]));
      expect([...found].sort()).to.deep.equal(Object.values(FORBIDDEN).sort());
    });
  });

  describe("BillRegistry", () => {
    it("is configured for evmVersion london in hardhat.config.ts, and built for it", async () => {
      expect(hre.config.solidity.compilers.map((c) => c.settings?.evmVersion)).to.deep.equal(["london"]);
      expect(readFileSync(join(ROOT, "hardhat.config.ts"), "utf8")).to.match(/evmVersion:\s*"london"/);
      const buildInfo = await artifacts.getBuildInfo("contracts/BillRegistry.sol:BillRegistry");
      if (buildInfo === undefined) throw new Error("no build info: run hardhat compile");
      expect(buildInfo.input.settings.evmVersion).to.equal("london");
      const compiled = buildInfo.output.contracts["contracts/BillRegistry.sol"].BillRegistry as unknown as { metadata: string };
      const metadata = JSON.parse(compiled.metadata) as {
        settings: { evmVersion: string };
      };
      expect(metadata.settings.evmVersion).to.equal("london");
    });

    it("deploys runtime code equal to the artifact's deployed bytecode", async () => {
      const { registry } = await loadFixture(registryFixture);
      const onChain = await ethers.provider.getCode(await registry.getAddress());
      expect(onChain).to.equal((await artifacts.readArtifact("BillRegistry")).deployedBytecode);
    });

    it("has no PUSH0, MCOPY, TLOAD, TSTORE, BLOBHASH or BLOBBASEFEE among the instructions of its deployed runtime code", async () => {
      const { registry } = await loadFixture(registryFixture);
      const { runtime } = await registryCode();
      expect(ethers.hexlify(runtime.bytes)).to.equal(await ethers.provider.getCode(await registry.getAddress()));
      expect(runtime.code.length).to.be.greaterThan(5000);
      expect(forbiddenIn(runtime.code)).to.deep.equal([]);
    });

    it("has none of them among the instructions of its creation code (the constructor) either", async () => {
      const { creation } = await registryCode();
      expect(creation.code.length).to.be.greaterThan(100);
      expect(forbiddenIn(creation.code)).to.deep.equal([]);
    });

    it("has only opcodes defined at London among the instructions of both", async () => {
      const { creation, runtime } = await registryCode();
      expect(undefinedAtLondon(creation.code)).to.deep.equal([]);
      expect(undefinedAtLondon(runtime.code)).to.deep.equal([]);
    });

    it("can never execute what follows the instructions: INVALID first, and no jump destination after it", async () => {
      const { creation, runtime, runtimeHex } = await registryCode();
      // creation code = constructor, INVALID, the runtime code (checked above as runtime code)
      expect(creation.rest[0]).to.equal(0xfe);
      expect(ethers.hexlify(creation.rest.slice(1))).to.equal(runtimeHex);
      // runtime code = instructions, INVALID, constants copied by CODECOPY, metadata
      expect(runtime.rest[0]).to.equal(0xfe);
      expect(jumpDestinations(runtime.bytes).filter((pc) => pc >= runtime.code.length)).to.deep.equal([]);
      expect(jumpDestinations(runtime.bytes).length).to.be.greaterThan(100);
    });

    it("ends its runtime code with Solidity metadata naming solc 0.8.30", async () => {
      const { runtime } = await registryCode();
      const { metadata } = stripMetadata(runtime.bytes);
      const hex = ethers.hexlify(metadata);
      expect(metadata[0]).to.equal(0xa2); // CBOR map of two entries: ipfs and solc
      expect(hex).to.contain(ethers.hexlify(ethers.toUtf8Bytes("ipfs")).slice(2));
      expect(hex).to.contain(`${ethers.hexlify(ethers.toUtf8Bytes("solc")).slice(2)}4300081e`);
    });
  });
});
