/**
 * `lianpiao reconcile`: compare the service's store with the registry on chain and list every
 * discrepancy (exit 1 when there is any) and every notice (other accounts' activity: no effect on the
 * exit status). Through the API (--url/--key) or directly against the chain and the database (--rpc
 * --registry --database), with a progress bar on stderr for long scans.
 */
import type { Command } from "commander";
import type { ReconciliationReport } from "../../server/registry/reconciliation";
import { apiCall, apiTarget, CliError } from "./http";

interface Opts {
  url?: string;
  key?: string;
  rpc?: string;
  registry?: string;
  database?: string;
  confirmations: string;
  rescan?: boolean;
  json?: boolean;
}

function progressBar(): (done: number, total: number) => void {
  const started = Date.now();
  let last = 0;
  return (done, total) => {
    if (!process.stderr.isTTY && done < total) return;
    if (Date.now() - last < 100 && done < total) return;
    last = Date.now();
    const width = 30;
    const filled = Math.round((done / Math.max(1, total)) * width);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`\rscanning blocks [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} ${secs}s${done >= total ? "\n" : ""}`);
  };
}

async function direct(o: Opts): Promise<ReconciliationReport> {
  if (!o.rpc || !o.registry || !o.database) throw new CliError("a direct scan needs --rpc, --registry and --database");
  // loaded here, not at start-up: a scan through the API and the other subcommands do without them
  const [{ connectRpc }, { isPostgresUrl, openStore }, { reconcile }] = await Promise.all([
    import("../../server/chain/provider"),
    import("../../server/store/database"),
    import("../../server/registry/reconciliation"),
  ]);
  const db = o.database.replace(/^sqlite:/, "");
  const store = await openStore(isPostgresUrl(db) ? { databaseUrl: db } : { sqlitePath: db });
  const provider = await connectRpc(o.rpc);
  try {
    return await reconcile(store.db, provider, o.registry, { confirmations: Number(o.confirmations), rescan: o.rescan, onProgress: progressBar() });
  } finally {
    provider.destroy();
    await store.close();
  }
}

type Entry = ReconciliationReport["discrepancies"][number] | ReconciliationReport["notices"][number];

function entry(d: Entry): string {
  const at = [
    d.root && `root ${d.root}`,
    d.leaf && `leaf ${d.leaf}`,
    d.billCode && `code ${d.billCode}`,
    "billNumber" in d && d.billNumber && `number ${d.billNumber}`,
    d.billId && `bill ${d.billId}`,
    d.batchId && `batch ${d.batchId}`,
    d.account && `account ${d.account}`,
  ]
    .filter(Boolean)
    .join(" ");
  return `  ${d.type}  ${at}\n    store: ${JSON.stringify(d.store)}\n    chain: ${JSON.stringify(d.chain)}\n`;
}

function print(r: ReconciliationReport): void {
  const c = r.checked;
  process.stdout.write(
    `registry ${r.registry}: blocks ${r.scan.from}..${r.scan.to} scanned (head ${r.scan.head})\n` +
      `checked ${c.batches} anchored batches, ${c.chainRoots} roots on chain, ${c.voids} voids, ${c.reimbursements} reimbursements, ${c.claims ?? 0} bills with claims, ` +
      `${c.issuers} issuers, ${c.ranges ?? 0} ranges (${c.chainRanges ?? 0} on chain), ${c.bills} bills; ${r.inFlight} in flight\n`,
  );
  // an older service answers without notices or duplicates
  const notices = r.notices ?? [];
  const unknownRoots = r.duplicates?.unknownRoots ?? [];
  if (r.clean) process.stdout.write("clean: the store and the chain agree\n");
  else {
    process.stdout.write(`${r.discrepancies.length} discrepancies:\n`);
    for (const d of r.discrepancies) process.stdout.write(entry(d));
  }
  if (unknownRoots.length > 0) {
    process.stdout.write("roots anchored outside the store, where a bill number used twice would not show:\n");
    for (const u of unknownRoots) process.stdout.write(`  issuer ${u.issuerId} (${u.account}): ${u.roots} roots, ${u.bills} bills\n`);
  }
  if (notices.length > 0) {
    process.stdout.write(`${notices.length} notices (other accounts' activity; our data is unaffected):\n`);
    for (const n of notices) process.stdout.write(entry(n));
  }
}

export function register(program: Command, setExit: (c: number) => void): void {
  program
    .command("reconcile")
    .description("compare the store with the registry's events on chain; exit 1 on any discrepancy (notices do not count)")
    .option("--url <url>", "service URL, to use its reconciliation endpoint (default: env LIANPIAO_URL)")
    .option("--key <key>", "bureau API key (default: env LIANPIAO_API_KEY)")
    .option("--rpc <url>", "scan directly: JSON-RPC URL of the chain")
    .option("--registry <address>", "scan directly: the registry address")
    .option("--database <url>", "scan directly: postgres://… or the SQLite file")
    .option("--confirmations <n>", "scan directly: blocks below the head to leave out", "1")
    .option("--rescan", "forget the scanned events and read the chain from the start")
    .option("--json", "print the report as JSON")
    .action(async (o: Opts) => {
      try {
        const report =
          o.rpc || o.database
            ? await direct(o)
            : await apiCall<ReconciliationReport>(apiTarget(o), "GET", `/api/v1/registry/reconciliation${o.rescan ? "?rescan=true" : ""}`);
        if (o.json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
        else print(report);
        setExit(report.clean ? 0 : 1);
      } catch (err) {
        if (!(err instanceof CliError)) throw err;
        process.stderr.write(`lianpiao: ${err.message}\n`);
        setExit(2);
      }
    });
}
