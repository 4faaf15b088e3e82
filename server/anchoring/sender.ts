/**
 * Builds, signs and sends the registry transactions of one account. The signed transaction is stored
 * before it is broadcast, so a crash at any point is recovered by broadcasting it again; fee bumps
 * keep the nonce, so at most one of a batch's transactions can ever be mined.
 */
import { Transaction, type BaseWallet, type Provider } from "ethers";

export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

export const ZERO_FEES: Fees = { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n };

/**
 * The fee policy: at least 2× the base fee; a bump raises both fees by ≥ 12.5 % (the replacement rule).
 * A free-gas network (Besu or GoQuorum with a zero base fee and a zero minimum gas price, as bureaus'
 * consortium chains often are) quotes a gas price of 0 and funds no account: its transactions offer no fee.
 */
export async function currentFees(provider: Provider): Promise<Fees> {
  const fd = await provider.getFeeData();
  // ethers leaves the EIP-1559 fields null when the base fee is 0
  if (fd.gasPrice === 0n && (fd.maxFeePerGas === null || fd.maxFeePerGas === 0n)) return ZERO_FEES;
  const priority = fd.maxPriorityFeePerGas ?? 1_000_000_000n;
  const base = fd.maxFeePerGas !== null ? (fd.maxFeePerGas - priority) / 2n : (fd.gasPrice ?? 1_000_000_000n);
  return { maxFeePerGas: 2n * (base > 0n ? base : 1n) + priority, maxPriorityFeePerGas: priority };
}

/** Whether a stuck transaction can be replaced by offering more: not on a free-gas network. */
export function canBump(old: Fees, now: Fees): boolean {
  return old.maxFeePerGas > 0n || now.maxFeePerGas > 0n;
}

export function bumpFees(old: Fees, now: Fees): Fees {
  const up = (v: bigint) => v + (v * 125n) / 1000n + 1n;
  const max = (a: bigint, b: bigint) => (a > b ? a : b);
  return { maxFeePerGas: max(up(old.maxFeePerGas), now.maxFeePerGas), maxPriorityFeePerGas: max(up(old.maxPriorityFeePerGas), now.maxPriorityFeePerGas) };
}

export interface CallSpec {
  to: string;
  data: string;
  gasLimit: bigint;
}

export async function signCall(wallet: BaseWallet, chainId: bigint, nonce: number, call: CallSpec, fees: Fees): Promise<{ raw: string; hash: string }> {
  const raw = await wallet.signTransaction({ type: 2, chainId, nonce, to: call.to, data: call.data, gasLimit: call.gasLimit, value: 0n, ...fees });
  return { raw, hash: Transaction.from(raw).hash as string };
}

/**
 * Broadcasts; "already known", "nonce too low" and replacement errors are not failures here: the
 * receipt check decides what happened to the nonce.
 */
export async function broadcast(provider: Provider, raw: string): Promise<string | null> {
  try {
    await provider.broadcastTransaction(raw);
    return null;
  } catch (err) {
    const msg = String((err as Error).message ?? err);
    if (/already known|nonce too low|nonce has already been used|replacement|underpriced|known transaction/i.test(msg)) return msg;
    throw err;
  }
}

export function feesOf(tx: string): Fees {
  const t = Transaction.from(tx);
  return { maxFeePerGas: t.maxFeePerGas ?? 0n, maxPriorityFeePerGas: t.maxPriorityFeePerGas ?? 0n };
}

export function hashOf(raw: string): string {
  return Transaction.from(raw).hash as string;
}
