// The one-way layers of server/ (README "Layers"), checked in `npm test` by test/build/layers.test.ts:
//   npx depcruise server --config .dependency-cruiser.cjs
// Each folder may import only the folders listed before it; the wiring (server/*.ts: app, system,
// main, chain-setup, log) is on top and imported by no folder. No file cycle anywhere, and server/
// never imports scripts/ or test/ (scripts and tests may import server/, not the reverse).
/** bottom → top */
const LAYERS = [
  "config",
  "format",
  "sm",
  "store",
  "chain",
  "http",
  "observability",
  "issuance",
  "pdf",
  "ofd",
  "render",
  "webhooks",
  "anchoring",
  "registry",
  "lifecycle",
  "verification",
  "openapi",
];

const layerRules = LAYERS.map((layer, i) => ({
  name: `layer-${layer}`,
  comment: `server/${layer} sits below ${LAYERS.slice(i + 1).join(", ") || "nothing"} and the wiring (server/*.ts): it may import only ${LAYERS.slice(0, i).join(", ") || "no other folder"}`,
  severity: "error",
  from: { path: `^server/${layer}/` },
  to: { path: [...LAYERS.slice(i + 1).map((l) => `^server/${l}/`), "^server/[^/]+\\.ts$"] },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: "no-circular", comment: "no file imports itself through others (type-only imports count)", severity: "error", from: {}, to: { circular: true } },
    {
      name: "server-not-to-scripts-or-tests",
      comment: "server/ never imports scripts/ or test/",
      severity: "error",
      from: { path: "^server/" },
      to: { path: "^(scripts|test)/" },
    },
    {
      name: "no-unknown-server-folder",
      comment: "a new folder under server/ takes its place in LAYERS (.dependency-cruiser.cjs) and the README",
      severity: "error",
      from: { path: "^server/" },
      to: { path: "^server/", pathNot: [...LAYERS.map((l) => `^server/${l}/`), "^server/[^/]+\\.ts$"] },
    },
    ...layerRules,
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["node_modules", "^dist/"] },
  },
};
