// The one-way layers of server/ (README "Layers", .dependency-cruiser.cjs): dependency-cruiser over
// server/ finds no file cycle, no folder importing a folder above it, and no import of scripts/ or test/.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ROOT } from "../helpers/processes";

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: Array<{ name: string } | string>;
}
interface CruiseResult {
  modules: Array<{ source: string; dependencies: Array<{ resolved: string; coreModule: boolean }> }>;
  summary: { violations: Violation[]; totalCruised: number };
}

function cruise(): CruiseResult {
  const cli = path.join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");
  const r = spawnSync(process.execPath, [cli, "server", "--config", ".dependency-cruiser.cjs", "--output-type", "json"], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (!r.stdout.trim()) throw new Error(`dependency-cruiser printed nothing (exit ${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as CruiseResult;
}

function describeViolation(v: Violation): string {
  const cycle = v.cycle?.length ? `  (cycle: ${[v.from, ...v.cycle.map((c) => (typeof c === "string" ? c : c.name))].join(" → ")})` : "";
  return `${v.rule.name}: ${v.from} → ${v.to}${cycle}`;
}

describe("server/ layers (dependency-cruiser)", function () {
  let result: CruiseResult;
  before(function () {
    this.timeout(60_000);
    result = cruise();
  });

  it("cruises the whole of server/", function () {
    expect(result.summary.totalCruised).to.be.greaterThan(100);
    expect(result.modules.some((m) => m.source === "server/system.ts")).to.equal(true);
  });

  it("has no file cycle and no import against the folder order", function () {
    const violations = result.summary.violations.map(describeViolation);
    if (violations.length) console.log(`dependency-cruiser found ${violations.length} violation(s):\n  ${violations.join("\n  ")}`);
    expect(violations, violations.join("\n")).to.deep.equal([]);
  });

  it("never imports scripts/ or test/ from server/", function () {
    const bad = result.modules
      .filter((m) => m.source.startsWith("server/"))
      .flatMap((m) => m.dependencies.filter((d) => !d.coreModule && /^(scripts|test)\//.test(d.resolved)).map((d) => `${m.source} → ${d.resolved}`));
    expect(bad).to.deep.equal([]);
  });
});
