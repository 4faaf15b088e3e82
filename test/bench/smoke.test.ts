// `npm run bench -- --json` (scripts/bench): one run in --smoke mode (every phase for a moment), to
// check that it runs end to end and that its JSON has issue 14's keys. Its figures are not judged:
// nothing in `npm test` depends on speed.
import { execFile } from "node:child_process";
import path from "node:path";
import { expect } from "chai";

const ROOT = path.join(__dirname, "..", "..");

function runBench(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["-r", "./scripts/register.js", "scripts/bench/index.ts", ...args],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`bench failed: ${err.message}\n${stderr.slice(-3000)}`));
        else resolve(stdout);
      },
    );
  });
}

const get = (o: unknown, key: string): unknown => key.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | null)?.[k], o);

describe("the benchmark's JSON (smoke run)", function () {
  this.timeout(600_000);

  it("reports every figure beside its baseline of the same run, with the targets' pass/miss", async () => {
    const report = JSON.parse(await runBench(["--smoke", "--json"]));
    expect(report.mode).to.equal("smoke");
    const numeric = [
      "issue.billsPerSecond",
      "issue.ratioToBareExpress",
      "issue.p99Ratio",
      "issue.bareExpressRequestsPerSecond",
      "issue.postgres.billsPerSecond",
      "issue.postgres.ratioToEmbedded",
      "issue.postgres.twoReplicas.billsPerSecond",
      "issue.postgres.twoReplicas.ratioToEmbedded",
      "verify.requestsPerSecond",
      "verify.ratioToBareExpress",
      "verify.p99Ratio",
      "pdf.renderMsP50",
      "pdf.bareMsP50",
      "pdf.ratioToBarePdfkit",
      "attack.uploadP50Ratio",
      "attack.restP50Ms",
      "attack.attackP50Ms",
      "anchor.p95Ms",
      "gas.perBill.batch1000",
      "gas.naivePerBill",
      "memory.peakRssMb",
    ];
    for (const key of numeric) expect(get(report, key), key).to.be.a("number").and.satisfy(Number.isFinite);
    // the crafted uploads were answered, as problems with a stable code
    expect(Object.keys(report.attack.uploads)).to.not.be.empty;
    for (const answer of Object.keys(report.attack.uploads)) expect(answer).to.match(/^4\d\d [A-Z_]+$/);
    expect(Object.values(report.targets)).to.not.be.empty;
    for (const pass of Object.values(report.targets)) expect(pass).to.be.a("boolean");
  });
});
