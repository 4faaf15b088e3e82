/**
 * `lianpiao bureau init`: the first step of a production deployment. Creates the finance bureau's
 * institution in the store the service is configured for (DATABASE_URL / DATA_DIR), bound to the
 * bureau's chain account, optionally puts that account's key into the encrypted keystore, and prints
 * the bureau's first API key once. Everything after that goes through the API with this key.
 */
import type { Command } from "commander";

interface InitOptions {
  name: string;
  creditCode: string;
  account?: string;
  importKeyFromEnv?: string;
}

async function init(o: InitOptions): Promise<{ institutionId: string; account: string; apiKey: string; keyImported: boolean }> {
  // loaded here, not at start-up: the other subcommands do without the store and ethers
  const [
    { Wallet, encryptKeystoreJson, getAddress },
    { loadConfig },
    { openStore },
    { isValidCreditCode },
    { createApiKey },
    { audit, createInstitution },
    { checkFreeText },
  ] = await Promise.all([
    import("ethers"),
    import("../../server/config"),
    import("../../server/store/database"),
    import("../../server/issuance/check-digits"),
    import("../../server/registry/api-keys"),
    import("../../server/store/institutions"),
    import("../../server/issuance/free-text"),
  ]);
  if (!isValidCreditCode(o.creditCode)) throw new Error(`--credit-code: ${o.creditCode as string} is not a valid unified social credit code`);
  const name = checkFreeText(o.name, 100, { min: 2 });
  if (!name.ok) throw new Error(`--name: ${name.message}`);
  o = { ...o, name: name.value };
  const cfg = loadConfig();
  const secret = o.importKeyFromEnv ? process.env[o.importKeyFromEnv] : undefined;
  if (o.importKeyFromEnv && !secret) throw new Error(`--import-key-from-env: ${o.importKeyFromEnv} is not set`);
  const wallet = secret ? new Wallet(secret) : undefined;
  const account = getAddress(o.account ?? wallet?.address ?? "");
  if (wallet && wallet.address !== account) throw new Error("--account does not match the imported key");
  if (wallet && !cfg.keystorePassword) throw new Error("KEYSTORE_PASSWORD must be set to import a key into the keystore");
  const store = await openStore({ databaseUrl: cfg.databaseUrl, sqlitePath: cfg.sqlitePath });
  try {
    const existing = await store.db.selectFrom("institutions").select("id").where("role", "=", "bureau").executeTakeFirst();
    if (existing) throw new Error(`the store already has a bureau (${existing.id}); create further keys through the API`);
    if (wallet) {
      const keystore = await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, cfg.keystorePassword as string, {
        scrypt: { N: 1 << 14 },
      });
      await store.db.insertInto("signer_keys").values({ account, keystore, created_at: Date.now() }).execute();
    }
    const bureau = await createInstitution(store.db, { role: "bureau", name: o.name, creditCode: o.creditCode, account });
    const key = await createApiKey(store.db, bureau, "first key");
    await audit(store.db, { actor: "cli", action: "bureau.init", subject: bureau.id, detail: { account, keyImported: !!wallet, keyId: key.id } });
    return { institutionId: bureau.id, account, apiKey: key.key, keyImported: !!wallet };
  } finally {
    await store.close();
  }
}

export function register(program: Command): void {
  program
    .command("bureau")
    .description("the finance bureau's own set-up")
    .command("init")
    .description("create the bureau in the configured store and print its first API key (once)")
    .requiredOption("--name <name>", "the bureau's name")
    .requiredOption("--credit-code <code>", "the bureau's unified social credit code")
    .option("--account <address>", "the bureau's registrar account on the registry")
    .option("--import-key-from-env <VAR>", "put the key in environment variable VAR into the encrypted keystore (needs KEYSTORE_PASSWORD)")
    .action(async (o: InitOptions) => {
      const out = await init(o);
      process.stdout.write(JSON.stringify(out, null, 2) + "\n");
    });
}
