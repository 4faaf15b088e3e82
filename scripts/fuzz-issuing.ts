/**
 * The long fuzz run of POST /api/v1/invoices (issue 7): at least 10,000 generated requests, valid and
 * subtly invalid, against a service process on the embedded default (or FUZZ_URL with
 * FUZZ_CREDENTIALS, a demo-credentials.json). Prints the figures and exits 1 on any wrong answer.
 *
 *   node -r ./scripts/register.js scripts/fuzz-issuing.ts [requests=10000] [concurrency=8] [seed]
 */
import fs from "node:fs";
import fc from "fast-check";
import { startService, type DemoCreds, type ServiceProcess } from "../test/helpers/processes";
import { fuzzCase } from "../test/fuzz/arbitraries";
import { countStoredBills, Ledger, send, wrongAnswer } from "../test/fuzz/harness";

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 10_000);
  const concurrency = Number(process.argv[3] ?? 8);
  const seed = Number(process.argv[4] ?? Date.now() % 2 ** 31);
  let svc: ServiceProcess | null = null;
  let base = process.env.FUZZ_URL;
  let creds: DemoCreds;
  if (base && process.env.FUZZ_CREDENTIALS) {
    creds = JSON.parse(fs.readFileSync(process.env.FUZZ_CREDENTIALS, "utf8")) as DemoCreds;
  } else {
    svc = await startService({ LOG_LEVEL: "warn" });
    base = svc.url;
    creds = svc.credentials();
  }
  const url = base;
  const ledger = new Ledger();
  const wrong: string[] = [];
  const cases = fc.sample(fuzzCase, { numRuns: total, seed });
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      const a = await send(url, creds, c).catch((err) => ({ status: 599, contentType: "", body: String(err) }));
      ledger.record(c, a);
      const w = wrongAnswer(c, a);
      if (w) wrong.push(w);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (Date.now() - started) / 1000;
  const stored = svc ? await countStoredBills(url, creds.bureau.apiKey) : null;
  const gaps = svc ? ledger.gaps() : [];
  console.log(`fuzz-issuing (seed ${seed})`);
  console.log(`  requests        ${ledger.requests} in ${seconds.toFixed(1)} s (${(ledger.requests / seconds).toFixed(0)}/s, concurrency ${concurrency})`);
  console.log(`  valid/invalid   ${ledger.valid} / ${ledger.invalid}`);
  console.log(`  201             ${ledger.created}; stored bills ${stored ?? "n/a (external service)"}`);
  console.log(`  5xx             ${ledger.fiveXx.length}`);
  console.log(`  wrong answers   ${wrong.length}`);
  console.log(`  numbering gaps  ${gaps.length ? gaps.join(", ") : "none"} (${[...ledger.numbers].map(([k, v]) => `${k}: ${v.length}`).join(", ")})`);
  console.log(
    `  cases           ${[...ledger.labels]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join("; ")}`,
  );
  for (const w of wrong.slice(0, 10)) console.log(`  ! ${w}`);
  await svc?.stop();
  const ok = wrong.length === 0 && gaps.length === 0 && (stored === null || stored === ledger.created);
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
