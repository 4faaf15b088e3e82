/**
 * `lianpiao verify <file.pdf> --rpc <url> --registry <address>`: checks a bill PDF against the chain
 * alone — no service, no database. It runs the same verifier as the service, without a store, and
 * the same file check: the PDF is rendered again from its attachment, in this process, and must be
 * byte for byte the file presented (server/verification/file-check.ts). Without a store it cannot tell
 * whose link the printed QR code is: it reports the link.
 * Exit codes: 0 only for VALID, 1 for every other verdict, 2 for a usage error.
 */
import fs from "node:fs";
import type { Command, CommanderError } from "commander";
import type { ChainView, Verification } from "../../server/verification";
import { NOTICE } from "../../server/verification/notice";
import { CHECK_LABELS, CHECK_STATUS_LABELS, verdictLabel } from "../../server/format/verdicts";

interface Options {
  rpc?: string;
  registry?: string;
  json?: boolean;
  confirmations: string;
  timeout: string;
}

/** Terminal columns of a string: CJK and full-width characters take two. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}
const pad = (s: string, n: number) => s + " ".repeat(Math.max(0, n - width(s)));

/** `link`: the URL the file's QR code encodes, as its attachment records it (checked by the file check). */
export function formatTable(file: string, v: Verification, link?: string): string {
  const lines = [`链票核验 lianpiao verify: ${file}`, `结论 Verdict: ${verdictLabel(v.verdict)}`, `注意 Notice: ${NOTICE}`];
  if (link !== undefined) lines.push(`二维码链接 Printed link: ${link}`);
  if (v.bill) {
    const b = v.bill;
    lines.push(`票据 Bill: ${b.billCode}-${b.billNumber}  ${b.issueDate}  ${b.issuer.name}  ¥${b.total}  (${b.holder.name ?? "withheld"})`);
  }
  if (v.anchor) lines.push(`存证 Anchor: block ${v.anchor.blockNumber}, ${v.anchor.confirmations} confirmation(s), tx ${v.anchor.txHash}`);
  if (v.verdict === "VOIDED") lines.push(`冲红 Voided: ${v.void.at ?? "?"} ${v.void.reason}`);
  if (v.reimbursement) lines.push(`报销 Reimbursed: by ${v.reimbursement.by} at ${v.reimbursement.at}`);
  lines.push("");
  const rows = v.checks.map((c) => [CHECK_LABELS[c.name], CHECK_STATUS_LABELS[c.status], c.detail]);
  const head = ["检查 Check", "结果 Result", "说明 Detail"];
  const w0 = Math.max(...[head, ...rows].map((r) => width(r[0])));
  const w1 = Math.max(...[head, ...rows].map((r) => width(r[1])));
  for (const r of [head, ...rows]) lines.push(`${pad(r[0], w0)}  ${pad(r[1], w1)}  ${r[2]}`);
  return lines.join("\n") + "\n";
}

/*
 * The verifier, the PDF reader and renderer, ethers: loaded by the action, not at start-up, so that
 * `lianpiao --help` and `lianpiao verify --help` start at once (test/build/cli-startup.test.ts). Each
 * module is named directly rather than through its folder's index, which would also load the
 * service's routes. Hardhat is never loaded: the chain is read over JSON-RPC.
 */
const load = () =>
  Promise.all([
    import("../../server/chain/provider"),
    import("../../server/pdf/extract"),
    import("../../server/pdf/document"),
    import("../../server/pdf/render"),
    import("../../server/verification/chain-view"),
    import("../../server/verification/verifier"),
    import("../../server/verification/file-check"),
    import("../../server/ofd/read"),
    import("../../server/ofd/file-format"),
  ]).then(([provider, extract, document, render, chainViews, verifier, file, ofdRead, ofdFile]) => ({
    ...provider,
    ...extract,
    ...document,
    ...render,
    ...chainViews,
    ...verifier,
    ...file,
    ...ofdRead,
    ...ofdFile,
  }));

async function openChain(o: { rpc: string; registry: string; timeoutMs: number }): Promise<{ view: ChainView; close(): void }> {
  const { connectRpc, chainView, unreachableChain } = await load();
  try {
    const provider = await connectRpc(o.rpc, { timeoutMs: o.timeoutMs });
    const { chainId } = await provider.getNetwork();
    return { view: chainView(provider, o.registry, Number(chainId), o.timeoutMs), close: () => provider.destroy() };
  } catch (err) {
    // an unreachable node is a verdict (ERROR), not a crash
    return { view: unreachableChain(o.registry, err as Error), close: () => undefined };
  }
}

function usage(setExit: (c: number) => void, message: string): void {
  process.stderr.write(`lianpiao verify: ${message}\n`);
  setExit(2);
}

export function register(program: Command, setExit: (code: number) => void): void {
  program
    .command("verify")
    .description("verify a bill PDF or OFD file against the chain alone (no service needed); exit 0 only for VALID")
    .argument("[file]", "the bill PDF or OFD file (.ofd)")
    .option("--rpc <url>", "JSON-RPC URL of the chain")
    .option("--registry <address>", "address of the bill registry contract")
    .option("--json", "print the verification as JSON")
    .option("--confirmations <n>", "confirmations an anchor needs to count as VALID", "1")
    .option("--timeout <ms>", "deadline for each chain request", "10000")
    .exitOverride((err: CommanderError) => {
      // usage errors exit 2; help and version stay 0
      if (err.code !== "commander.helpDisplayed" && err.code !== "commander.version") (err as { exitCode: number }).exitCode = 2;
      throw err;
    })
    .action(async (file: string | undefined, o: Options) => {
      const confirmations = Number(o.confirmations);
      const timeoutMs = Number(o.timeout);
      if (!file) return usage(setExit, "give the bill PDF or OFD file");
      if (!o.rpc || !/^(https?|wss?):\/\//.test(o.rpc)) return usage(setExit, "--rpc <url> is required (http(s):// or ws(s)://)");
      if (!o.registry || !/^0x[0-9a-fA-F]{40}$/.test(o.registry)) return usage(setExit, "--registry <address> is required (0x + 40 hex digits)");
      if (!Number.isInteger(confirmations) || confirmations < 1) return usage(setExit, "--confirmations must be a whole number ≥ 1");
      if (!Number.isInteger(timeoutMs) || timeoutMs < 100) return usage(setExit, "--timeout must be a whole number of ms ≥ 100");
      let pdf: Buffer;
      try {
        pdf = fs.readFileSync(file);
      } catch (err) {
        return usage(setExit, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      const { extractEnvelope, readDocument, renderBillPdf, verifyEnvelope, fileCheck, withFileCheck, readOfd, looksLikeOfd, ofdFileDeps } = await load();
      // an OFD package is a zip file: told by its first bytes, whatever the file is called
      const ofd = looksLikeOfd(pdf) ? readOfd(pdf) : null;
      const extracted =
        ofd === null
          ? extractEnvelope(pdf)
          : ofd.ok
            ? ({ ok: true, envelope: ofd.attachment } as const)
            : ({ ok: false, code: `OFD_${ofd.code}`, message: ofd.message } as const);
      if (!extracted.ok) {
        const out = {
          verdict: "INVALID",
          notice: NOTICE,
          error: { code: extracted.code, message: extracted.message },
          checks: [],
          bill: null,
          anchor: null,
          reimbursement: null,
        };
        process.stdout.write(
          o.json
            ? JSON.stringify(out, null, 2) + "\n"
            : `结论 Verdict: ${verdictLabel("INVALID")}\n注意 Notice: ${NOTICE}\n${extracted.code}: ${extracted.message}\n`,
        );
        return setExit(1);
      }
      const chain = await openChain({ rpc: o.rpc, registry: o.registry, timeoutMs });
      try {
        const [verified, fileFinding] = await Promise.all([
          verifyEnvelope(extracted.envelope, { chain: chain.view, minConfirmations: confirmations }),
          fileCheck(pdf, extracted.envelope, ofd?.ok ? ofdFileDeps(ofd) : { render: (envelope, verifyUrl) => renderBillPdf(envelope, { verifyUrl }) }),
        ]);
        const v = withFileCheck(verified, fileFinding);
        const doc = readDocument(extracted.envelope);
        process.stdout.write(o.json ? JSON.stringify(v, null, 2) + "\n" : formatTable(file, v, doc.ok ? doc.document.verifyUrl : undefined));
        setExit(v.verdict === "VALID" ? 0 : 1);
      } finally {
        chain.close();
      }
    });
}
