/**
 * The figures of a run, each with its target from issue 6, as a text table or one JSON object.
 */
import type { Machine } from "./machine";
import type { GasResult } from "./gas";
import type { PdfResult } from "./pdf";
import type { VerifyResult } from "./verify";
import { round } from "./stats";

export interface BenchReport {
  mode: "quick" | "full";
  startedAt: string;
  durationS: number;
  machine: Machine;
  gas: GasResult;
  issue: { billsPerSecond: number; p50Ms: number; p99Ms: number; concurrency: number; bills: number; failed: number };
  anchor: { p50Ms: number; p95Ms: number; maxMs: number; bills: number; unanchored: number; batches: number; meanBatchSize: number; blockMs: number; confirmations: number; issuingBillsPerSecond: number };
  pdf: PdfResult;
  verify: VerifyResult;
  memory: { peakRssMb: number; embeddedServiceMb: number | null; nodeChainServiceMb: number | null };
}

interface Row {
  figure: string;
  value: string;
  target: string;
  /** undefined: no target */
  pass?: boolean;
}

const n = (v: number, digits = 0) => (Number.isFinite(v) ? v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "n/a");

/**
 * PDF size target: 100 KB = 102,400 bytes. Bills are written uncompressed since lianpiao-pdf/2, so
 * that any machine renders the same bytes (zlib output is not portable): about twice the compressed
 * 40 KB, for which the target was 60 KB.
 */
export const PDF_MAX_BYTES = 100 * 1024;

/** The service process's peak resident set, under the issuing (and on the embedded chain, verification) load. */
function memoryRow(figure: string, mb: number | null, limit: number): Row {
  return mb === null ? { figure, value: "unreadable", target: `≤ ${limit} MB`, pass: false } : { figure, value: `${n(mb)} MB`, target: `≤ ${limit} MB`, pass: mb <= limit };
}

export function rows(r: BenchReport): Row[] {
  const g = r.gas;
  return [
    { figure: "gas per bill, batch of 1", value: n(g.perBill.batch1), target: "" },
    { figure: "gas per bill, batch of 10", value: n(g.perBill.batch10), target: "" },
    { figure: "gas per bill, batch of 100", value: n(g.perBill.batch100), target: "" },
    { figure: "gas per bill, batch of 1,000", value: n(g.perBill.batch1000, 1), target: "≤ 100", pass: g.perBill.batch1000 <= 100 },
    { figure: "gas per bill, naive baseline (1 tx per bill)", value: n(g.naivePerBill), target: "" },
    { figure: "naive ÷ batch of 1,000", value: `${n(g.ratioNaiveToBatch1000)}×`, target: "" },
    { figure: "gas of a claim (part of a bill, 1,000-bill batch)", value: n(g.claim), target: "" },
    { figure: "gas of releasing a claim", value: n(g.releaseClaim), target: "" },
    { figure: `issuing, bills/s (concurrency ${r.issue.concurrency})`, value: n(r.issue.billsPerSecond), target: "≥ 1,000", pass: r.issue.billsPerSecond >= 1000 && r.issue.failed === 0 },
    { figure: "issuing latency p50", value: `${n(r.issue.p50Ms, 1)} ms`, target: "" },
    { figure: "issuing latency p99", value: `${n(r.issue.p99Ms, 1)} ms`, target: "≤ 50 ms", pass: r.issue.p99Ms <= 50 },
    { figure: `201 → anchored p50 (${r.anchor.blockMs / 1000} s blocks, ${r.anchor.confirmations} conf.)`, value: `${n(r.anchor.p50Ms)} ms`, target: "" },
    { figure: `201 → anchored p95 (${r.anchor.blockMs / 1000} s blocks, ${r.anchor.confirmations} conf.)`, value: `${n(r.anchor.p95Ms)} ms`, target: "≤ 3,000 ms", pass: r.anchor.p95Ms <= 3000 && r.anchor.unanchored === 0 },
    { figure: "PDF render p50 (one core)", value: `${n(r.pdf.renderMsP50, 1)} ms`, target: "≤ 15 ms", pass: r.pdf.renderMsP50 <= 15 },
    { figure: "PDF render p95 (one core)", value: `${n(r.pdf.renderMsP95, 1)} ms`, target: "" },
    { figure: "PDF size, median", value: `${n(r.pdf.bytesMedian / 1024, 1)} KB`, target: "≤ 100 KB", pass: r.pdf.bytesMedian <= PDF_MAX_BYTES },
    { figure: "verification (QR URL, JSON), req/s", value: n(r.verify.requestsPerSecond), target: "" },
    { figure: "bare Express fixed JSON, req/s", value: n(r.verify.bareExpressRequestsPerSecond), target: "" },
    { figure: "verification ÷ bare Express", value: `${n(100 * r.verify.ratioToBareExpress)} %`, target: "≥ 70 %", pass: r.verify.ratioToBareExpress >= 0.7 && r.verify.failed === 0 },
    { figure: "verification latency p99", value: `${n(r.verify.p99Ms, 1)} ms`, target: "≤ 20 ms", pass: r.verify.p99Ms <= 20 },
    memoryRow("service peak RSS, embedded chain (VmHWM)", r.memory.embeddedServiceMb, 250),
    memoryRow("service peak RSS, external node (VmHWM)", r.memory.nodeChainServiceMb, 150),
  ];
}

export function formatTable(r: BenchReport): string {
  const all = rows(r);
  const head = { figure: "figure", value: "value", target: "target", mark: "" };
  const lines = all.map((x) => ({ figure: x.figure, value: x.value, target: x.target, mark: x.pass === undefined ? "" : x.pass ? "✓" : "✗" }));
  const w = (k: "figure" | "value" | "target") => Math.max(head[k].length, ...lines.map((l) => l[k].length));
  const [wf, wv, wt] = [w("figure"), w("value"), w("target")];
  const fmt = (l: typeof head) => `| ${l.figure.padEnd(wf)} | ${l.value.padStart(wv)} | ${l.target.padEnd(wt)} | ${l.mark.padEnd(1)} |`;
  const m = r.machine;
  return [
    `lianpiao benchmark (${r.mode}, ${r.durationS} s) on ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}, load average at start ${m.loadAverage1m}`,
    "",
    fmt(head),
    `|${"-".repeat(wf + 2)}|${"-".repeat(wv + 1)}:|${"-".repeat(wt + 2)}|---|`,
    ...lines.map(fmt),
  ].join("\n");
}

/** The JSON object: issue 6's keys, rounded, plus the run's context. */
export function toJson(r: BenchReport): Record<string, unknown> {
  const g = r.gas;
  return {
    mode: r.mode,
    startedAt: r.startedAt,
    durationS: r.durationS,
    machine: r.machine,
    gas: {
      perBill: { batch1: round(g.perBill.batch1), batch10: round(g.perBill.batch10), batch100: round(g.perBill.batch100), batch1000: round(g.perBill.batch1000) },
      naivePerBill: round(g.naivePerBill),
      ratioNaiveToBatch1000: round(g.ratioNaiveToBatch1000),
      naiveSamples: g.naiveSamples,
    },
    issue: { billsPerSecond: round(r.issue.billsPerSecond), p50Ms: round(r.issue.p50Ms), p99Ms: round(r.issue.p99Ms), concurrency: r.issue.concurrency, bills: r.issue.bills, failed: r.issue.failed },
    anchor: { ...r.anchor, p50Ms: round(r.anchor.p50Ms, 0), p95Ms: round(r.anchor.p95Ms, 0), maxMs: round(r.anchor.maxMs, 0), meanBatchSize: round(r.anchor.meanBatchSize), issuingBillsPerSecond: round(r.anchor.issuingBillsPerSecond) },
    pdf: { renderMsP50: round(r.pdf.renderMsP50), renderMsP95: round(r.pdf.renderMsP95), bytesMedian: r.pdf.bytesMedian, documents: r.pdf.documents },
    verify: {
      requestsPerSecond: round(r.verify.requestsPerSecond),
      p50Ms: round(r.verify.p50Ms),
      p99Ms: round(r.verify.p99Ms),
      bareExpressRequestsPerSecond: round(r.verify.bareExpressRequestsPerSecond),
      bareExpressP99Ms: round(r.verify.bareExpressP99Ms),
      ratioToBareExpress: round(r.verify.ratioToBareExpress, 3),
      verdicts: r.verify.verdicts,
      failed: r.verify.failed,
    },
    memory: r.memory,
    targets: Object.fromEntries(rows(r).filter((x) => x.pass !== undefined).map((x) => [x.figure, x.pass])),
  };
}
