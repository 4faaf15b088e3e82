/**
 * `lianpiao deploy`: deploy the registry on any chain given by RPC URL.
 */
import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("deploy")
    .description("deploy the bill registry and grant the bureau's roles")
    .requiredOption("--rpc <url>", "JSON-RPC URL of the chain")
    .option("--private-key <hex>", "deployer key (default: env DEPLOYER_PRIVATE_KEY, else test mnemonic account 0 for dev chains)")
    .option("--admin <address>", "bureau admin account (default: the deployer)")
    .option("--registrar <address...>", "registrar accounts")
    .option("--relying-party <address...>", "relying-party accounts")
    .action(async (o: { rpc: string; privateKey?: string; admin?: string; registrar?: string[]; relyingParty?: string[] }) => {
      // loaded here, not at start-up: `lianpiao --help` and the other subcommands do without them
      const [{ Wallet }, { connectRpc }, { devWallet }, { deployRegistry }] = await Promise.all([
        import("ethers"),
        import("../../server/chain/provider"),
        import("../../server/chain/accounts"),
        import("../deploy"),
      ]);
      const provider = await connectRpc(o.rpc);
      const key = o.privateKey ?? process.env.DEPLOYER_PRIVATE_KEY;
      const signer = key ? new Wallet(key, provider) : devWallet(0).connect(provider);
      const out = await deployRegistry(signer, { admin: o.admin, registrars: o.registrar ?? [signer.address], relyingParties: o.relyingParty ?? [] });
      process.stdout.write(JSON.stringify(out, null, 2) + "\n");
      provider.destroy();
    });
}
