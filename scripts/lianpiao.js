#!/usr/bin/env node
// The `lianpiao` command: deployment, issuer administration, verification and reconciliation.
// It runs the build (dist/, `npm run build`); in a checkout whose build is missing or older than the
// sources, the TypeScript sources through ts-node (a development dependency) instead.
const path = require("node:path");
const { hasSources, staleReason } = require("./build-state");

function load() {
  if (hasSources() && staleReason() !== null) {
    let tsNode = false;
    try {
      require.resolve("ts-node");
      tsNode = true;
    } catch {
      // no development dependencies: fall back to the build, if there is one
    }
    if (tsNode) {
      require("./register.js");
      return require("./cli/index.ts");
    }
  }
  try {
    return require(path.join(__dirname, "..", "dist", "scripts", "cli", "index.js"));
  } catch (err) {
    if (err && err.code === "MODULE_NOT_FOUND" && String(err.message).includes("dist")) {
      console.error("lianpiao: not built yet: run `npm run build`");
      process.exit(2);
    }
    throw err;
  }
}

load()
  .main(process.argv)
  .then((code) => process.exit(code ?? 0))
  .catch((err) => {
    console.error(`lianpiao: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  });
