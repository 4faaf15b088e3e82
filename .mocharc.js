// One runner for the whole suite: contracts on Hardhat's EVM, then the service over HTTP.
module.exports = {
  require: ["./scripts/register.js", "./test/setup.ts"],
  spec: ["test/**/*.test.ts"],
  timeout: 120000,
  exit: true,
  recursive: true,
  reporter: "./test/reporter.js",
};
