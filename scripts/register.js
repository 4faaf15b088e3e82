// Lets `node` run the TypeScript sources directly (type checking is `npm run typecheck`).
process.env.TS_NODE_TRANSPILE_ONLY = "true";
process.env.TS_NODE_PROJECT = require("node:path").join(__dirname, "..", "tsconfig.json");
require("ts-node/register");
