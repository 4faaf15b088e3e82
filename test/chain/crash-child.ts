// Child process for embedded.test.ts: sends transfers forever, printing each hash once the chain
// accepted it, until the parent SIGKILLs it mid-stream.
import { devWallet } from "../../server/chain/accounts";
import { openEmbeddedChain } from "../../server/chain/embedded";
import { OFFLINE_FEES } from "./fixtures";

async function main(dataDir: string): Promise<void> {
  const chain = await openEmbeddedChain({ dataDir });
  const sender = devWallet(5);
  for (let nonce = 0; ; nonce++) {
    const raw = await sender.signTransaction({ ...OFFLINE_FEES, to: devWallet(6).address, value: 1n, nonce, gasLimit: 21_000 });
    const hash = await chain.provider.request({ method: "eth_sendRawTransaction", params: [raw] });
    process.stdout.write(`${String(hash)}\n`);
  }
}

void main(process.argv[2]);
