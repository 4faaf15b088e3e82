// Whether the build (dist/ and the contract artifacts) is missing or older than its sources. Plain
// JavaScript with no dependencies: the `lianpiao` command and `npm start` ask before anything else.
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
/** Written last by scripts/build.js; its mtime is the moment the build started. */
const STAMP = path.join(ROOT, "dist", ".build-stamp");
const ARTIFACT = path.join(ROOT, "artifacts", "contracts", "BillRegistry.sol", "BillRegistry.json");
/** What the build reads: a newer file among these makes the build stale. */
const SOURCES = ["server", "scripts/cli", "scripts/deploy.ts", "templates", "contracts", "tsconfig.json", "tsconfig.build.json", "hardhat.config.ts"];

/** A checkout has the sources; an installed package (npm pack) has only the build. */
function hasSources() {
  return fs.existsSync(path.join(ROOT, "tsconfig.build.json")) && fs.existsSync(path.join(ROOT, "server", "main.ts"));
}

function newerThan(file, since) {
  let st;
  try {
    st = fs.statSync(file);
  } catch {
    return null;
  }
  if (!st.isDirectory()) return st.mtimeMs > since ? file : null;
  for (const name of fs.readdirSync(file)) {
    const found = newerThan(path.join(file, name), since);
    if (found) return found;
  }
  return null;
}

/** null when the build is up to date (or there are no sources to build from), else the reason. */
function staleReason() {
  if (!hasSources()) return null;
  let built;
  try {
    built = fs.statSync(STAMP).mtimeMs;
  } catch {
    return "no build yet";
  }
  if (!fs.existsSync(ARTIFACT)) return "the contracts are not compiled";
  for (const s of SOURCES) {
    const file = newerThan(path.join(ROOT, s), built);
    if (file) return `${path.relative(ROOT, file)} changed since the last build`;
  }
  return null;
}

module.exports = { ROOT, STAMP, hasSources, staleReason };
