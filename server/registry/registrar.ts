/**
 * The bureau's own transactions on the registry: admitting, suspending and reinstating issuers, and
 * (on development chains) funding new issuer accounts with gas money. They are sent straight from the
 * bureau's registrar key and awaited, one at a time per process: the anchoring worker never sends
 * for the bureau's account (it has no outbox entries), so this is that account's only sender here.
 */
import { id as keccakUtf8, parseEther, type Provider, type TransactionRequest } from "ethers";
import { KIND_CODE, billCodeInt, registryAt, registryErrorOf, registryReads, type IssuerKind } from "../chain";
import { RELYING_PARTY_ROLE } from "../chain/deploy";
import type { SignerSet } from "../anchoring/signers";
import { ApiError } from "../http/errors";
import { sealKeyHash, sealKeyOf } from "../sm/sm2";

export interface RegistrarDeps {
  provider: Provider;
  registry: string;
  signers: SignerSet;
  /** the bureau's registrar account (its key must be in the signer set) */
  account: () => Promise<string>;
  /** confirmations to await for each transaction */
  confirmations: number;
  timeoutMs?: number;
}

export type ChainIssuerState = { kind: IssuerKind | null; active: boolean };

export class Registrar {
  private queue: Promise<unknown> = Promise.resolve();
  constructor(private readonly d: RegistrarDeps) {}

  async issuerState(account: string): Promise<ChainIssuerState> {
    const r = await registryReads(this.d.provider, this.d.registry).issuerOf(account);
    return { kind: r.kind, active: r.active };
  }

  /**
   * Admits `account` and records its SM2 seal key (docs/PROTOCOL.md §6.2); an account the registry
   * already admitted with the same kind is accepted as is (its seal key is still recorded if missing).
   */
  async admit(account: string, kind: IssuerKind, creditCode: string): Promise<string | null> {
    const now = await this.issuerState(account);
    if (now.kind !== null && now.kind !== kind) throw new ApiError("ISSUER_EXISTS", `The registry already admitted ${account} for ${now.kind} bills`);
    const tx = now.kind === kind ? null : await this.call("admitIssuer", [account, KIND_CODE[kind], keccakUtf8(creditCode)]);
    await this.recordSealKey(account);
    return tx;
  }

  /**
   * Records on chain the hash of the issuer's SM2 seal key, derived from its chain key (server/sm/sm2.ts),
   * unless the registry already holds exactly that key as the current one. Needs the issuer's key loaded.
   */
  async recordSealKey(account: string): Promise<string | null> {
    if (!this.d.signers.has(account)) return null;
    const hash = sealKeyHash(sealKeyOf(this.d.signers.get(account).privateKey).publicKey);
    const current = await registryReads(this.d.provider, this.d.registry).sealKeyAt(account, null);
    if (current?.toLowerCase() === hash) return null;
    return this.call("setSealKey", [account, hash]);
  }

  async suspend(account: string): Promise<string | null> {
    if (!(await this.issuerState(account)).active) return null;
    return this.call("suspendIssuer", [account]);
  }

  async reinstate(account: string): Promise<string | null> {
    const now = await this.issuerState(account);
    if (now.kind === null || now.active) return null;
    return this.call("reinstateIssuer", [account]);
  }

  /**
   * Allots first..last of billCode to `account` on chain (docs/PROTOCOL.md §7). A range the registry
   * already allots to this very account is accepted as is; one that overlaps another is refused.
   */
  async allot(account: string, billCode: string, first: number, last: number): Promise<string | null> {
    const reads = registryReads(this.d.provider, this.d.registry);
    const [a, b] = await Promise.all([
      reads.allotmentOf(billCode, String(first).padStart(10, "0")),
      reads.allotmentOf(billCode, String(last).padStart(10, "0")),
    ]);
    if (a && b && a.issuer === account && b.issuer === account && a.first === b.first) return null;
    return this.call("allotRange", [account, billCodeInt(billCode), first, last]);
  }

  /** Grants the relying-party role (insurers, employers, tax offices); an account that has it is accepted as is. */
  async grantRelyingParty(account: string): Promise<string | null> {
    if (await registryReads(this.d.provider, this.d.registry).hasRole(RELYING_PARTY_ROLE, account)) return null;
    return this.call("grantRole", [RELYING_PARTY_ROLE, account]);
  }

  /** Development chains only: gives a new account gas money from the bureau's account. */
  async fund(account: string, ether = "10"): Promise<string> {
    return this.send({ to: account, value: parseEther(ether) });
  }

  private async call(fn: string, args: unknown[]): Promise<string> {
    const data = registryAt(this.d.registry).interface.encodeFunctionData(fn, args);
    return this.send({ to: this.d.registry, data });
  }

  /** Sends and awaits the receipt; serialised so that nonces are taken one after the other. */
  private send(tx: TransactionRequest): Promise<string> {
    const run = this.queue.then(() => this.sendNow(tx));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async sendNow(tx: TransactionRequest): Promise<string> {
    const wallet = this.d.signers.get(await this.d.account()).connect(this.d.provider);
    try {
      const nonce = await this.d.provider.getTransactionCount(wallet.address, "pending");
      const sent = await wallet.sendTransaction({ ...tx, nonce });
      const receipt = await sent.wait(this.d.confirmations, this.d.timeoutMs ?? 120_000);
      if (!receipt || receipt.status !== 1) throw new ApiError("CHAIN_UNAVAILABLE", `The registry refused transaction ${sent.hash}`);
      return sent.hash;
    } catch (err) {
      if (err instanceof ApiError) throw err;
      const reverted = registryErrorOf(err);
      if (reverted) throw new ApiError("CHAIN_REFUSED", `The registry refused: ${reverted.name}`, { chainError: reverted.name });
      throw new ApiError("CHAIN_UNAVAILABLE", `The registry transaction failed: ${(err as Error).message?.slice(0, 200)}`);
    }
  }
}
