#!/usr/bin/env node
// The `lianpiao` command: deployment, issuer administration, verification and reconciliation.
require("./register.js");
require("./cli/index.ts")
  .main(process.argv)
  .then((code) => process.exit(code ?? 0))
  .catch((err) => {
    console.error(`lianpiao: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  });
