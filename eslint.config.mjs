// `npm run lint` (eslint . --max-warnings 0): typescript-eslint's type-checked recommended rules over
// server/, scripts/ and hardhat.config.ts (types from tsconfig.json), its untyped rules over the few
// CommonJS scripts. test/ is not linted: ~1,800 findings, nearly all no-unsafe-* on parsed JSON answers.
// (ESLint's own `js.configs.recommended` needs @eslint/js, which is not installed.)
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "artifacts/", "cache/", "node_modules/", "typechain/", "typechain-types/", "coverage/", "data/", ".tmp/", "test/"] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // a leading underscore marks a binding kept for its position (express's 4-argument error handler, destructuring)
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      // async methods that implement a Promise-returning interface (the in-memory twins of the PostgreSQL stores, Kysely's MigrationProvider) have nothing to await
      "@typescript-eslint/require-await": "off",
      // a caught error (unknown) passed on as it came is not a made-up non-Error rejection
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingUnknown: true }],
    },
  },
  {
    // walks the generated OpenAPI document, which is untyped JSON by nature
    files: ["server/openapi/docs-page.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  { files: ["**/*.js", "**/*.cjs", "**/*.mjs"], extends: [tseslint.configs.disableTypeChecked] },
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
