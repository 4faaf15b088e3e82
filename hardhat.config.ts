import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-ethers";
import "@nomicfoundation/hardhat-chai-matchers";

/**
 * The compiler comes from the `solc` npm package (solcjs), never from the internet: hospital and
 * bureau networks are often air-gapped. The pragma in contracts/, the pinned `solc` package and this
 * constant name one version; test/contracts/toolchain.test.ts keeps them in step.
 */
export const SOLC_VERSION = "0.8.30";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD).setAction(async (args: { solcVersion: string }) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  const longVersion = solc.version().replace(/\.Emscripten\.clang$/, "");
  if (args.solcVersion !== SOLC_VERSION) {
    throw new Error(`contracts ask for solc ${args.solcVersion}; only ${SOLC_VERSION} is bundled`);
  }
  return { compilerPath: require.resolve("solc/soljson.js"), isSolcJs: true, version: SOLC_VERSION, longVersion };
});

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "london" },
  },
  paths: { sources: "contracts", tests: "test/contracts", artifacts: "artifacts", cache: "cache" },
  networks: {
    // HARDHAT_INTERVAL_MS turns automine off for `hardhat node`: real block times, as tests of the
    // anchoring pipeline need (e.g. 1,000 for 1-second blocks).
    hardhat: {
      chainId: 31337,
      ...(process.env.HARDHAT_INTERVAL_MS ? { mining: { auto: false, interval: Number(process.env.HARDHAT_INTERVAL_MS) } } : {}),
    },
    localhost: { url: process.env.RPC_URL ?? "http://127.0.0.1:8545" },
  },
  mocha: { timeout: 120000 },
};

export default config;
