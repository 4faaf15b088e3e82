// The pragma in contracts/, the bundled solc package and SOLC_VERSION in hardhat.config.ts name one version:
// the compiler is never downloaded, so a mismatch would only show up as a failed build on an air-gapped machine.
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import hre from "hardhat";

const ROOT = join(__dirname, "..", "..");

function solidityFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? solidityFiles(join(dir, entry.name)) : entry.name.endsWith(".sol") ? [join(dir, entry.name)] : [],
  );
}

describe("toolchain", () => {
  // hardhat.config.ts is loaded by `hardhat` itself; requiring it again returns that same module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SOLC_VERSION } = require(join(ROOT, "hardhat.config.ts")) as { SOLC_VERSION: string };
  const files = solidityFiles(join(ROOT, "contracts"));

  it("pins every contract to the exact SOLC_VERSION pragma", () => {
    expect(files.length).to.be.greaterThan(1);
    for (const file of files) {
      const pragmas = readFileSync(file, "utf8").match(/^pragma solidity [^;]+;/gm) ?? [];
      expect(pragmas, file).to.deep.equal([`pragma solidity ${SOLC_VERSION};`]);
    }
  });

  it("has the installed solc package at SOLC_VERSION", () => {
    const pkg = JSON.parse(readFileSync(require.resolve("solc/package.json"), "utf8")) as { version: string };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const solc = require("solc") as { version(): string };
    expect(pkg.version).to.equal(SOLC_VERSION);
    expect(solc.version().startsWith(`${SOLC_VERSION}+commit.`)).to.equal(true);
  });

  it("has package.json pin solc to exactly SOLC_VERSION, as a build-time (development) dependency", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.devDependencies.solc).to.equal(SOLC_VERSION);
    expect(pkg.dependencies).not.to.have.property("solc");
  });

  it("has Hardhat configured with SOLC_VERSION as its only compiler", () => {
    expect(hre.config.solidity.compilers.map((c) => c.version)).to.deep.equal([SOLC_VERSION]);
    expect(Object.keys(hre.config.solidity.overrides)).to.deep.equal([]);
  });
});
