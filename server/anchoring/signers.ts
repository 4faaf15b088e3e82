/**
 * The chain keys of issuers and of the bureau, held in memory once unlocked at start-up. They come
 * from the environment (SIGNER_PRIVATE_KEYS), from the encrypted keystore table (scrypt, unlocked with
 * KEYSTORE_PASSWORD), or — on development chains only — from the standard test mnemonic.
 */
import { Wallet, encryptKeystoreJson, getAddress, type BaseWallet } from "ethers";
import type { Db } from "../store/database";

export class SignerSet {
  private wallets = new Map<string, BaseWallet>();

  add(wallet: BaseWallet): string {
    const account = getAddress(wallet.address);
    this.wallets.set(account, wallet);
    return account;
  }

  get(account: string): BaseWallet {
    const w = this.wallets.get(getAddress(account));
    if (!w) throw new Error(`no signing key loaded for ${account}`);
    return w;
  }

  has(account: string): boolean {
    return this.wallets.has(getAddress(account));
  }

  accounts(): string[] {
    return [...this.wallets.keys()];
  }
}

/** Unlocks every keystore entry; a wrong password stops start-up with a clear message. */
export async function loadKeystore(db: Db, signers: SignerSet, password: string | undefined): Promise<number> {
  const rows = await db.selectFrom("signer_keys").selectAll().execute();
  if (rows.length > 0 && !password) throw new Error("KEYSTORE_PASSWORD: the keystore holds keys; set the password to unlock them");
  for (const row of rows) {
    try {
      signers.add(await Wallet.fromEncryptedJson(row.keystore, password as string));
    } catch {
      throw new Error(`KEYSTORE_PASSWORD: cannot unlock the key of ${row.account} (wrong password?)`);
    }
  }
  return rows.length;
}

/** Creates a new key, stores it encrypted, and loads it. */
export async function createKey(db: Db, signers: SignerSet, password: string, now = Date.now()): Promise<string> {
  const wallet = Wallet.createRandom();
  // scrypt N=2^14 keeps admission under a second; the keystore sits inside the database's own access control.
  const keystore = await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, password, { scrypt: { N: 1 << 14 } });
  await db.insertInto("signer_keys").values({ account: wallet.address, keystore, created_at: now }).execute();
  return signers.add(new Wallet(wallet.privateKey));
}
