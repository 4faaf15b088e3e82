#!/usr/bin/env node
// `npm run build`: the contracts (Hardhat with the bundled solcjs, offline) into artifacts/, and the
// service and the CLI (tsc -p tsconfig.build.json) into dist/. `npm start` and the `lianpiao` command
// run what this writes; nothing is written inside the package at run time.
//
//   --if-stale   build only when the build is missing or older than its sources (the `prepare` and
//                `prestart` scripts: `npm install` builds, `npm start` rebuilds after an edit or a pull)
//
// In an installed package (npm pack) there are no sources: the build it ships is used as it is.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { ROOT, STAMP, hasSources, staleReason } = require("./build-state");

function run(what, args) {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`lianpiao build: ${what} failed (${r.status ?? r.signal})`);
    process.exit(1);
  }
}

function main() {
  const ifStale = process.argv.includes("--if-stale");
  if (!hasSources()) {
    if (fs.existsSync(path.join(ROOT, "dist", "server", "main.js"))) return;
    console.error("lianpiao build: this package has neither a build (dist/) nor the sources to make one");
    process.exit(1);
  }
  const reason = staleReason();
  if (ifStale && reason === null) return;
  const started = new Date();
  console.error(`lianpiao build: ${reason ?? "rebuilding"}: contracts → artifacts/, TypeScript → dist/`);
  run("hardhat compile", [require.resolve("hardhat/internal/cli/cli.js"), "compile", "--quiet"]);
  fs.rmSync(path.join(ROOT, "dist"), { recursive: true, force: true });
  run("tsc", [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"]);
  // the stamp carries the start time: a source saved during the build makes the next check rebuild
  fs.writeFileSync(STAMP, `${started.toISOString()}\n`);
  fs.utimesSync(STAMP, started, started);
}

main();
