/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and tells where the time went: the functions with the
 * most self time, and self time grouped by package or source folder.
 */
import fs from "node:fs";
import path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  topFunctions: { name: string; where: string; selfMs: number; percent: number }[];
  byArea: { area: string; selfMs: number; percent: number }[];
  /** the service's own functions (server/) by inclusive time: self plus everything they called */
  serverInclusive: { name: string; where: string; totalMs: number; percent: number }[];
}

/** node_modules/<pkg> (scoped too), server/<area>, node:internal, or the V8 category ((garbage collector), (idle), …). */
function areaOf(url: string, name: string): string {
  if (!url) return name.startsWith("(") ? name : "(native)";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const srv = /\/(server|scripts)\/([^/]+)/.exec(url);
  if (srv) return `${srv[1]}/${srv[2].replace(/\.[tj]s$/, "")}`;
  if (url.startsWith("node:")) return url.split("/")[0];
  return path.basename(url);
}

function frameKey(n: ProfileNode): { key: string; name: string; where: string } {
  const { functionName, url, lineNumber } = n.callFrame;
  const name = functionName || "(anonymous)";
  const where = url ? `${url.replace(/^file:\/\//, "").replace(/.*\/(node_modules|server|scripts)\//, "$1/")}:${lineNumber + 1}` : "";
  return { key: `${name}@${where}`, name, where };
}

/** Inclusive time per function: each sample counts once for every distinct function on its stack. */
function inclusiveTimes(p: CpuProfile, selfUs: Map<number, number>, byId: Map<number, ProfileNode>) {
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const totals = new Map<string, { name: string; where: string; us: number }>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const node = byId.get(x);
      if (!node) break;
      const f = frameKey(node);
      if (seen.has(f.key)) continue;
      seen.add(f.key);
      const t = totals.get(f.key) ?? { name: f.name, where: f.where, us: 0 };
      t.us += us;
      totals.set(f.key, t);
    }
  }
  return [...totals.values()].sort((a, b) => b.us - a.us);
}

export function summarizeProfile(file: string, top = 25): ProfileSummary {
  const p = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const fns = new Map<string, { name: string; where: string; us: number }>();
  const areas = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    total += us;
    const { key, name, where } = frameKey(n);
    const url = n.callFrame.url;
    const f = fns.get(key) ?? { name, where, us: 0 };
    f.us += us;
    fns.set(key, f);
    const area = areaOf(url, name);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const serverInclusive = inclusiveTimes(p, selfUs, byId).filter((f) => f.where.startsWith("server/"));
  const pct = (us: number) => Math.round((1000 * us) / total) / 10;
  return {
    totalMs: Math.round(total / 1000),
    topFunctions: [...fns.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, selfMs: Math.round(f.us / 1000), percent: pct(f.us) })),
    serverInclusive: serverInclusive.slice(0, top).map((f) => ({ name: f.name, where: f.where, totalMs: Math.round(f.us / 1000), percent: pct(f.us) })),
    byArea: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([area, us]) => ({ area, selfMs: Math.round(us / 1000), percent: pct(us) })),
  };
}

export function printProfile(file: string, s: ProfileSummary, print: (line: string) => void = (line) => console.log(line)): void {
  print(`\nCPU profile ${file} (${s.totalMs} ms sampled)`);
  print("  self time by area:");
  for (const a of s.byArea.slice(0, 15)) print(`    ${String(a.percent).padStart(5)} %  ${String(a.selfMs).padStart(6)} ms  ${a.area}`);
  print("  top functions by self time:");
  for (const f of s.topFunctions) print(`    ${String(f.percent).padStart(5)} %  ${String(f.selfMs).padStart(6)} ms  ${f.name}  ${f.where}`);
  print("  the service's functions by inclusive time:");
  for (const f of s.serverInclusive) print(`    ${String(f.percent).padStart(5)} %  ${String(f.totalMs).padStart(6)} ms  ${f.name}  ${f.where}`);
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) throw new Error("usage: node -r ./scripts/register.js scripts/bench/profile.ts <file.cpuprofile>");
  printProfile(file, summarizeProfile(file));
}
