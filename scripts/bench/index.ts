/**
 * `npm run bench [-- --quick] [-- --json]`: measures lianpiao on this machine against its baselines
 * and the targets of issue 6, and prints a table (or with --json one JSON object on stdout).
 *
 *   --quick             short phases (under two minutes); the full run takes under ten
 *   --smoke             every phase for a moment: checks that the run works and the JSON has its keys
 *                       (test/bench/smoke.test.ts); its figures mean nothing
 *   --json              one JSON object on stdout instead of the table (progress goes to stderr)
 *   --concurrency N     connections of the issuing and verification loads (default 16)
 *   --confirmations N   CONFIRMATIONS of the service against the 1-second-block node (default: the service's, 2)
 *   --profile           run the embedded service under `node --cpu-prof` and print where its time went
 *   --no-postgres       skip the PostgreSQL phase (no server at BENCH_DATABASE_URL / TEST_DATABASE_URL)
 *   --keep              keep the temporary data directories (logs, stores, profiles)
 *   --out FILE          also write the JSON object to FILE
 *
 * npm prints its own "> lianpiao@… bench" banner on stdout: for clean JSON on stdout use
 * `npm run -s bench -- --json`, or --out.
 *
 * Everything runs on loopback: the service and a `hardhat node` are started as their own processes
 * on free ports and stopped at the end. Nothing in `npm test` depends on this.
 */
import fs from "node:fs";
import path from "node:path";
import { describeMachine, procMemoryMb } from "./machine";
import { measureGas } from "./gas";
import { measureBarePdf, measurePdf } from "./pdf";
import { measureAttack, type AttackResult } from "./attack";
import { measurePostgres, type PostgresResult } from "./postgres";
import { demoKeys, issueLoad, type IssueLoadResult } from "./issue";
import { measureAnchoring, type AnchorResult } from "./anchor";
import { measureVerification, type VerifyResult } from "./verify";
import { startBareExpress, startService, tempDir, waitUntil } from "./procs";
import { printProfile, summarizeProfile } from "./profile";
import { quantile } from "./stats";
import { formatTable, toJson, type BenchReport } from "./table";

interface Args {
  quick: boolean;
  smoke: boolean;
  json: boolean;
  profile: boolean;
  keep: boolean;
  postgres: boolean;
  concurrency: number;
  confirmations?: number;
  out?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, smoke: false, json: false, profile: false, keep: false, postgres: true, concurrency: 16 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${arg} needs a positive integer`);
      return v;
    };
    if (arg === "--quick") a.quick = true;
    else if (arg === "--smoke") a.smoke = true;
    else if (arg === "--json") a.json = true;
    else if (arg === "--profile") a.profile = true;
    else if (arg === "--keep") a.keep = true;
    else if (arg === "--no-postgres") a.postgres = false;
    else if (arg === "--concurrency") a.concurrency = value();
    else if (arg === "--confirmations") a.confirmations = value();
    else if (arg === "--out" && argv[i + 1]) a.out = argv[++i];
    else throw new Error(`unknown option ${arg} (see scripts/bench/index.ts)`);
  }
  return a;
}

/** Phase lengths: quick is for everyday use, full for the published table. */
function plan(quick: boolean, smoke = false) {
  if (smoke)
    return {
      naiveSamples: 2,
      pdfWarmup: 2,
      pdfDocs: 20,
      warmupMs: 200,
      issueMs: 800,
      verifyMs: 500,
      anchorMs: 1000,
      drainMs: 30_000,
      attackMs: 1000,
      pgMs: 500,
    };
  return quick
    ? {
        naiveSamples: 20,
        pdfWarmup: 10,
        pdfDocs: 60,
        warmupMs: 1000,
        issueMs: 8000,
        verifyMs: 5000,
        anchorMs: 8000,
        drainMs: 30_000,
        attackMs: 8000,
        pgMs: 5000,
      }
    : {
        naiveSamples: 100,
        pdfWarmup: 30,
        pdfDocs: 400,
        warmupMs: 3000,
        issueMs: 30_000,
        verifyMs: 20_000,
        anchorMs: 30_000,
        drainMs: 60_000,
        attackMs: 20_000,
        pgMs: 20_000,
      };
}

const progress = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

interface EmbeddedPhase {
  issuing: IssueLoadResult;
  /** the bare Express app's answers to the same POSTs at the same concurrency */
  bareIssuing: IssueLoadResult;
  verify: VerifyResult;
  attack: AttackResult;
  peakRssMb: number | null;
  profile?: string;
}

/** The embedded default (in-process chain, SQLite): issuing, then verification of the bills it issued. */
async function embeddedPhase(dir: string, args: Args, p: ReturnType<typeof plan>): Promise<EmbeddedPhase> {
  const dataDir = path.join(dir, "embedded-service");
  const profDir = path.join(dir, "profile");
  const service = await startService({
    dataDir,
    // one client address makes all the QR scans of the run: lift the per-client limit for it
    env: { VERIFY_RATE_PER_MIN: "100000000" },
    nodeArgs: args.profile ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : [],
  });
  let stopped = false;
  try {
    progress(`issuing for ${p.issueMs / 1000} s at concurrency ${args.concurrency}`);
    const issuing = await issueLoad({
      url: service.url,
      keys: demoKeys(dataDir),
      concurrency: args.concurrency,
      warmupMs: p.warmupMs,
      durationMs: p.issueMs,
      keepVerifyUrls: 1000,
    });
    const probe = issuing.verifyUrls[issuing.verifyUrls.length - 1];
    if (!probe) throw new Error(`no bill was issued: ${issuing.firstFailure}`);
    await waitUntil(
      "the verified bills to be anchored",
      async () => {
        const r = await fetch(probe, { headers: { accept: "application/json" } });
        return r.ok && ((await r.json()) as { verdict: string }).verdict === "VALID";
      },
      60_000,
      200,
    );
    const bare = await startBareExpress(dir, issuing.answerBytes);
    let verify: VerifyResult;
    let bareIssuing: IssueLoadResult;
    try {
      progress(`verifying for ${p.verifyMs / 1000} s, then the bare Express baseline`);
      verify = await measureVerification({
        bare,
        serviceUrl: service.url,
        verifyUrls: issuing.verifyUrls,
        concurrency: args.concurrency,
        warmupMs: p.warmupMs,
        durationMs: p.verifyMs,
      });
      progress(`bare Express issuing baseline for ${p.issueMs / 1000} s (answers of ${issuing.answerBytes} bytes)`);
      bareIssuing = await issueLoad({
        url: bare.url,
        path: "/bills",
        keys: demoKeys(dataDir),
        concurrency: args.concurrency,
        warmupMs: p.warmupMs,
        durationMs: p.issueMs,
        keepVerifyUrls: 1000,
      });
    } finally {
      await bare.stop();
    }
    // read before the attack: the peak of the issuing and verification loads (the attack starts the parse worker)
    const peakRssMb = procMemoryMb(service.pid);
    progress(`attack: issuer p50 at rest, then while crafted 5 MB PDFs are uploaded at 120 a minute (${p.attackMs / 1000} s each)`);
    const attack = await measureAttack({ url: service.url, keys: demoKeys(dataDir), warmupMs: p.warmupMs, durationMs: p.attackMs });
    await service.stop();
    stopped = true;
    const file = args.profile ? fs.readdirSync(profDir).find((f) => f.includes(`.${service.pid}.0.`)) : undefined;
    return { issuing, bareIssuing, verify, attack, peakRssMb, profile: file ? path.join(profDir, file) : undefined };
  } finally {
    if (!stopped) await service.stop();
  }
}

async function run(args: Args): Promise<BenchReport> {
  const started = Date.now();
  const p = plan(args.quick, args.smoke);
  const machine = describeMachine();
  const dir = tempDir();
  try {
    progress("gas: registry batches and the naive baseline on the embedded chain");
    const gas = await measureGas(p.naiveSamples);
    progress("PDF: rendering in process, one core, then alternately with the bare pdfkit page");
    const pdf = await measurePdf(p.pdfWarmup, p.pdfDocs);
    const barePdf = await measureBarePdf(p.pdfWarmup, Math.max(20, p.pdfDocs / 4));
    progress("starting the embedded service");
    const embedded = await embeddedPhase(dir, args, p);
    // under --json stdout carries only the JSON object
    if (embedded.profile) printProfile(embedded.profile, summarizeProfile(embedded.profile), args.json ? (l) => process.stderr.write(`${l}\n`) : console.log);
    let postgres: PostgresResult | null = null;
    if (args.postgres) {
      progress(`PostgreSQL: issuing for ${p.pgMs / 1000} s on one replica, then on two sharing it`);
      postgres = await measurePostgres({ dir, concurrency: args.concurrency, warmupMs: p.warmupMs, durationMs: p.pgMs });
    }
    progress(`anchoring: hardhat node with 1 s blocks, issuing for ${p.anchorMs / 1000} s`);
    const anchor: AnchorResult = await measureAnchoring({
      dir,
      blockMs: 1000,
      concurrency: args.concurrency,
      warmupMs: p.warmupMs,
      durationMs: p.anchorMs,
      drainMs: p.drainMs,
      serviceEnv: args.confirmations ? { CONFIRMATIONS: String(args.confirmations) } : {},
    });
    const iss = embedded.issuing;
    const rss = [embedded.peakRssMb, anchor.peakRssMb].filter((v): v is number => v !== null);
    return {
      mode: args.smoke ? "smoke" : args.quick ? "quick" : "full",
      startedAt: new Date(started).toISOString(),
      durationS: Math.round((Date.now() - started) / 1000),
      machine,
      gas,
      issue: {
        billsPerSecond: iss.perSecond,
        p50Ms: quantile(iss.latencies, 0.5),
        p99Ms: quantile(iss.latencies, 0.99),
        concurrency: args.concurrency,
        bills: iss.ok,
        failed: iss.failed,
        bareExpressPerSecond: embedded.bareIssuing.perSecond,
        bareExpressP99Ms: quantile(embedded.bareIssuing.latencies, 0.99),
        answerBytes: iss.answerBytes,
      },
      postgres,
      attack: embedded.attack,
      anchor: {
        p50Ms: anchor.p50Ms,
        p95Ms: anchor.p95Ms,
        maxMs: anchor.maxMs,
        bills: anchor.bills,
        unanchored: anchor.unanchored,
        batches: anchor.batches,
        meanBatchSize: anchor.meanBatchSize,
        blockMs: 1000,
        confirmations: args.confirmations ?? 2,
        issuingBillsPerSecond: anchor.issuing.perSecond,
      },
      pdf: {
        ...pdf,
        bareMsP50: barePdf.bareMsP50,
        pairedRenderMsP50: barePdf.pairedRenderMsP50,
        ratioToBarePdfkit: barePdf.ratioToBarePdfkit,
        textRuns: barePdf.textRuns,
      },
      verify: embedded.verify,
      memory: { peakRssMb: rss.length ? Math.max(...rss) : NaN, embeddedServiceMb: embedded.peakRssMb, nodeChainServiceMb: anchor.peakRssMb },
    };
  } finally {
    if (args.keep || args.profile) progress(`data, logs and profiles kept in ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const report = await run(args);
  const json = `${JSON.stringify(toJson(report), null, 2)}\n`;
  if (args.out) fs.writeFileSync(args.out, json);
  if (args.json) process.stdout.write(json);
  else {
    process.stdout.write(`\n${formatTable(report)}\n`);
    if (report.issue.failed || report.verify.failed || report.anchor.unanchored) {
      process.stdout.write(
        `\nfailures: issuing ${report.issue.failed}, verification ${report.verify.failed}${report.verify.firstFailure ? ` (${report.verify.firstFailure})` : ""}, unanchored ${report.anchor.unanchored}\n`,
      );
    }
  }
}

main().catch((err) => {
  console.error(`bench: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
