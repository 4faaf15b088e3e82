// Deploys the BillRegistry (server/chain/deploy.ts) from the command line (see `usage`), and re-exports
// the deployment functions for the benchmarks and the tests.
import { Wallet, ethers } from "ethers";
import { connectRpc, loadRegistryArtifact } from "../server/chain";
import { TEST_MNEMONIC } from "../server/chain/accounts";
import { deployRegistry } from "../server/chain/deploy";

export { connectRpc, loadRegistryArtifact, TEST_MNEMONIC };
export { REGISTRAR_ROLE, RELYING_PARTY_ROLE, DEFAULT_ADMIN_ROLE, deployRegistry, type DeployOptions, type DeployedRegistry } from "../server/chain/deploy";

// ---- CLI ------------------------------------------------------------------------------------------

const usage = `usage: deploy --rpc URL [--mnemonic WORDS [--index N] | --private-key HEX]
       [--admin ADDRESS] [--registrar ADDRESS]... [--relying-party ADDRESS]... [--confirmations N]
Without a key, account 0 of the standard test mnemonic deploys. Prints {"address",...} as JSON.`;

export function parseArgs(argv: string[]): Record<string, string[]> {
  const args: Record<string, string[]> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (!flag.startsWith("--") || value === undefined || value.startsWith("--")) throw new Error(`bad argument ${flag}\n${usage}`);
    (args[flag.slice(2)] ??= []).push(value);
  }
  return args;
}

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const one = (name: string) => args[name]?.at(-1);
  const rpc = one("rpc");
  if (rpc === undefined) throw new Error(`--rpc is required\n${usage}`);
  const provider = await connectRpc(rpc);
  const key = one("private-key");
  const path = `m/44'/60'/0'/0/${Number(one("index") ?? 0)}`;
  const signer = key ? new Wallet(key, provider) : ethers.HDNodeWallet.fromPhrase(one("mnemonic") ?? TEST_MNEMONIC, undefined, path).connect(provider);
  const deployed = await deployRegistry(signer, {
    admin: one("admin"),
    registrars: args["registrar"],
    relyingParties: args["relying-party"],
    confirmations: one("confirmations") === undefined ? undefined : Number(one("confirmations")),
  });
  const { chainId } = await provider.getNetwork();
  console.log(JSON.stringify({ ...deployed, chainId: Number(chainId), deployer: signer.address }));
  provider.destroy();
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
