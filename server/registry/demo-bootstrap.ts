/**
 * The embedded default and BOOTSTRAP=dev: deploy the registry on a development chain (funded by the
 * standard test mnemonic), register a demo bureau, hospital, charity and insurer, allot demo bill
 * ranges, and write their API keys to DATA_DIR/demo-credentials.json. Run again, it reuses what exists.
 */
import fs from "node:fs";
import path from "node:path";
import { Contract, Wallet, id as keccakUtf8, type Provider } from "ethers";
import { sealKeyHash, sealKeyOf } from "../sm/sm2";
import type { Logger } from "pino";
import type { Db } from "../store/database";
import type { Institution } from "../store/schema";
import { getSetting, setSetting } from "../store/settings";
import { devWallet } from "../chain/accounts";
import { deployRegistry } from "../chain/deploy";
import { KIND_CODE, billCodeInt, loadRegistryArtifact, registryReads, type IssuerKind, type RegistryReads } from "../chain";
import { makeCreditCode } from "../issuance/check-digits";
import { allotRange } from "../issuance/numbering";
import { createApiKey } from "./api-keys";
import { createInstitution } from "../store/institutions";
import type { SignerSet } from "../anchoring/signers";
import { writePrivateFile } from "../store/private-file";

/** Dev account indexes of the test mnemonic. */
const ACCOUNTS = { bureau: 0, hospital: 1, charity: 2, insurer: 3 } as const;

const DEMO = {
  bureau: { name: "示范市财政局 Demo Municipal Finance Bureau", creditCode: makeCreditCode("11110000000013338") },
  hospital: { name: "示范市第一人民医院 Demo First People's Hospital", creditCode: makeCreditCode("12110000400000758"), billCode: "11060126" },
  charity: { name: "示范市慈善基金会 Demo Charity Foundation", creditCode: makeCreditCode("53110000500000314"), billCode: "11060355" },
  insurer: { name: "示范市医疗保障局 Demo Medical Insurance Bureau", creditCode: makeCreditCode("11110000000021487") },
};

export type DemoRole = keyof typeof ACCOUNTS;

/** The dev wallets of the demo institutions, for the signer set. */
export function loadDemoSigners(signers: SignerSet): void {
  for (const i of Object.values(ACCOUNTS)) signers.add(devWallet(i));
}

export async function ensureRegistry(db: Db, provider: Provider, log: Logger): Promise<string> {
  const known = await getSetting(db, "registry_address");
  if (known) {
    if ((await provider.getCode(known)) === "0x") {
      throw new Error(
        `the registry ${known} recorded in the store has no code on this chain: the development chain was reset; start with an empty DATA_DIR / database`,
      );
    }
    return known;
  }
  const admin = devWallet(ACCOUNTS.bureau).connect(provider);
  const { address } = await deployRegistry(admin, { registrars: [admin.address], relyingParties: [devWallet(ACCOUNTS.insurer).address] });
  await setSetting(db, "registry_address", address);
  log.info({ registry: address }, "registry deployed on the development chain");
  return address;
}

/** The registry as the bureau's development account writes it, and its reads (decoded by field name). */
interface OnChain {
  contract: Contract;
  reads: RegistryReads;
}

async function admitOnChain(registry: OnChain, chainKey: string, kind: IssuerKind, creditCode: string): Promise<void> {
  const account = new Wallet(chainKey).address;
  if ((await registry.reads.issuerOf(account)).kind === null) {
    const tx = await registry.contract.getFunction("admitIssuer").send(account, KIND_CODE[kind], keccakUtf8(creditCode));
    await tx.wait();
  }
  // the SM2 seal key, derived from the demo issuer's chain key (docs/PROTOCOL.md §6.2)
  const hash = sealKeyHash(sealKeyOf(chainKey).publicKey);
  if ((await registry.reads.sealKeyAt(account, null)) !== hash) await (await registry.contract.getFunction("setSealKey").send(account, hash)).wait();
}

/** The demo range on chain (the registry is the authority on ranges); returns the transaction, or null if it was there. */
async function allotOnChain(registry: OnChain, account: string, billCode: string, first: number, last: number): Promise<string | null> {
  const held = await registry.reads.allotmentOf(billCode, String(first).padStart(10, "0"));
  if (held?.issuer === account) return null;
  const tx = await registry.contract.getFunction("allotRange").send(account, billCodeInt(billCode), first, last);
  await tx.wait();
  return tx.hash;
}

async function findByAccount(db: Db, account: string): Promise<Institution | undefined> {
  return db.selectFrom("institutions").selectAll().where("account", "=", account).executeTakeFirst();
}

async function ensureInstitutions(db: Db, registry: OnChain): Promise<Record<DemoRole, Institution>> {
  const out = {} as Record<DemoRole, Institution>;
  for (const role of Object.keys(ACCOUNTS) as DemoRole[]) {
    const account = devWallet(ACCOUNTS[role]).address;
    const spec = DEMO[role];
    if (role === "hospital" || role === "charity")
      await admitOnChain(registry, devWallet(ACCOUNTS[role]).privateKey, role === "hospital" ? "medical" : "donation", spec.creditCode);
    out[role] =
      (await findByAccount(db, account)) ??
      (await createInstitution(db, {
        role: role === "bureau" ? "bureau" : role === "insurer" ? "relying_party" : "issuer",
        name: spec.name,
        creditCode: spec.creditCode,
        billKind: role === "hospital" ? "medical" : role === "charity" ? "donation" : null,
        account,
      }));
    if ("billCode" in spec) {
      const has = await db.selectFrom("bill_ranges").select("id").where("institution_id", "=", out[role].id).executeTakeFirst();
      if (!has) {
        const txHash = await allotOnChain(registry, account, spec.billCode, 1, 9_999_999_999);
        await allotRange(db, { institutionId: out[role].id, billCode: spec.billCode, start: 1, end: 9_999_999_999, txHash });
      }
    }
  }
  return out;
}

export interface DemoCredentials {
  hospital: { apiKey: string; institutionId: string; account: string };
  charity: { apiKey: string; institutionId: string; account: string };
  bureau: { apiKey: string; institutionId: string; account: string };
  insurer: { apiKey: string; institutionId: string; account: string };
  registryAddress: string;
  rpcUrl: string;
  chainId: number;
  baseUrl: string;
}

/**
 * Keys are stored only as hashes, so the credentials file (0600) is the one place the demo keys live;
 * when it is missing (or belongs to another registry) fresh keys are made and the file is written again.
 */
export async function bootstrapDemo(opts: {
  db: Db;
  provider: Provider;
  registry: string;
  dataDir: string;
  rpcUrl: string;
  chainId: number;
  baseUrl: string;
}): Promise<DemoCredentials> {
  const { db, provider, registry, dataDir } = opts;
  const { abi } = loadRegistryArtifact();
  const contract = new Contract(registry, abi, devWallet(ACCOUNTS.bureau).connect(provider));
  const inst = await ensureInstitutions(db, { contract, reads: registryReads(provider, registry) });
  const file = path.join(dataDir, "demo-credentials.json");
  const prior = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as DemoCredentials) : undefined;
  const entry = async (role: DemoRole) => {
    const reuse = prior?.registryAddress === registry && prior[role]?.institutionId === inst[role].id ? prior[role].apiKey : undefined;
    const apiKey = reuse ?? (await createApiKey(db, inst[role], "demo")).key;
    return { apiKey, institutionId: inst[role].id, account: inst[role].account as string };
  };
  const creds: DemoCredentials = {
    hospital: await entry("hospital"),
    charity: await entry("charity"),
    bureau: await entry("bureau"),
    insurer: await entry("insurer"),
    registryAddress: registry,
    rpcUrl: opts.rpcUrl,
    chainId: opts.chainId,
    baseUrl: opts.baseUrl,
  };
  writePrivateFile(file, JSON.stringify(creds, null, 2) + "\n");
  return creds;
}
