import { HDNodeWallet } from "ethers";

/** The standard development mnemonic: Hardhat node and Anvil fund its first accounts. */
export const TEST_MNEMONIC = "test test test test test test test test test test test junk";
/** BIP-44 path of Ethereum account i is `${DEV_DERIVATION_PATH}/${i}`. */
export const DEV_DERIVATION_PATH = "m/44'/60'/0'/0";
/** Genesis balance of each development account: 10,000 ETH, as Hardhat and Anvil give. */
export const DEV_ACCOUNT_BALANCE = 10_000n * 10n ** 18n;

// The mnemonic-to-seed step (PBKDF2, 2,048 rounds) dominates the cost, so the parent node is derived
// once and each account is one cheap child derivation from it; results are kept for the process.
let parent: HDNodeWallet | undefined;
const wallets: HDNodeWallet[] = [];

/** The first `count` wallets of the test mnemonic (not connected to a provider). Development only. */
export function devWallets(count = 10): HDNodeWallet[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a whole number, got ${count}`);
  parent ??= HDNodeWallet.fromPhrase(TEST_MNEMONIC, undefined, DEV_DERIVATION_PATH);
  while (wallets.length < count) wallets.push(parent.deriveChild(wallets.length));
  return wallets.slice(0, count);
}

/** Wallet `index` of the test mnemonic. */
export function devWallet(index: number): HDNodeWallet {
  return devWallets(index + 1)[index];
}
