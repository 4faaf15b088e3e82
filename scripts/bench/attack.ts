/**
 * Speed under attack (issue 14): the issuer API's p50 while one client uploads crafted PDFs (5 MB,
 * ~150,000 tiny objects: scripts/lib/crafted-pdf.ts) at the public rate limit, 120 a minute,
 * ÷ its p50 at rest, measured one after the other against the same running service. The issuer
 * load is light (a few connections): it stands for the hospitals' billing systems, which must not
 * notice the attacker.
 */
import http from "node:http";
import { craftedManyObjectPdf } from "../lib/crafted-pdf";
import { issueLoad, type DemoKeys } from "./issue";
import { sleep } from "./procs";
import { quantile } from "./stats";
import { textOf } from "../../server/format/text";

export interface AttackOptions {
  url: string;
  keys: DemoKeys;
  /** issuer connections (default 2) */
  concurrency?: number;
  warmupMs: number;
  durationMs: number;
  /** uploads a minute (the public limit, VERIFY_RATE_PER_MIN's default: 120) */
  uploadsPerMin?: number;
}

export interface AttackResult {
  restP50Ms: number;
  attackP50Ms: number;
  uploadP50Ratio: number;
  restP99Ms: number;
  attackP99Ms: number;
  /** the crafted uploads' answers by status and code, e.g. {"422 FILE_TOO_COMPLEX": 16} */
  uploads: Record<string, number>;
  uploadMsP50: number;
  pdfBytes: number;
}

function post(base: URL, pdf: Buffer): Promise<{ status: number; code: string }> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: "POST",
        path: "/api/v1/verify",
        headers: { "content-type": "application/pdf", "content-length": pdf.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          let code = "";
          try {
            code = textOf((JSON.parse(Buffer.concat(chunks).toString("utf8")) as { code?: unknown; verdict?: unknown }).code);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, code });
        });
      },
    );
    req.on("error", (err) => resolve({ status: 0, code: err.message }));
    req.end(pdf);
  });
}

/** One client: an upload every 60/rate seconds (open loop: it does not wait for the answers). */
function attacker(url: string, pdf: Buffer, perMin: number) {
  const base = new URL(url);
  const uploads: Record<string, number> = {};
  const times: number[] = [];
  const inflight = new Set<Promise<void>>();
  let running = true;
  const loop = (async () => {
    const every = 60_000 / perMin;
    let next = performance.now();
    while (running) {
      const t = performance.now();
      const p = post(base, pdf).then((r) => {
        const key = `${r.status} ${r.code}`.trim();
        uploads[key] = (uploads[key] ?? 0) + 1;
        times.push(performance.now() - t);
      });
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
      next += every;
      await sleep(Math.max(0, next - performance.now()));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await Promise.all(inflight);
      return { uploads, uploadMsP50: quantile(times, 0.5) };
    },
  };
}

export async function measureAttack(o: AttackOptions): Promise<AttackResult> {
  const concurrency = o.concurrency ?? 2;
  const pdf = craftedManyObjectPdf();
  const rest = await issueLoad({ url: o.url, keys: o.keys, concurrency, warmupMs: o.warmupMs, durationMs: o.durationMs });
  const attack = attacker(o.url, pdf, o.uploadsPerMin ?? 120);
  const under = await issueLoad({ url: o.url, keys: o.keys, concurrency, warmupMs: o.warmupMs, durationMs: o.durationMs }).catch(async (err) => {
    await attack.stop();
    throw err;
  });
  const seen = await attack.stop();
  const restP50Ms = quantile(rest.latencies, 0.5);
  const attackP50Ms = quantile(under.latencies, 0.5);
  return {
    restP50Ms,
    attackP50Ms,
    uploadP50Ratio: attackP50Ms / restP50Ms,
    restP99Ms: quantile(rest.latencies, 0.99),
    attackP99Ms: quantile(under.latencies, 0.99),
    uploads: seen.uploads,
    uploadMsP50: seen.uploadMsP50,
    pdfBytes: pdf.length,
  };
}
