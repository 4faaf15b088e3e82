/**
 * `lianpiao issuer admit | suspend | reinstate | list`: issuer administration through the service's
 * HTTP API with the bureau's key (--url / LIANPIAO_URL, --key / LIANPIAO_API_KEY).
 */
import type { Command } from "commander";
import { apiCall, apiTarget, CliError } from "./http";

type Conn = { url?: string; key?: string; json?: boolean };

function withConn(c: Command): Command {
  return c
    .option("--url <url>", "service URL (default: env LIANPIAO_URL or http://localhost:3000)")
    .option("--key <key>", "bureau API key (default: env LIANPIAO_API_KEY)")
    .option("--json", "print the JSON answer");
}

function run(setExit: (c: number) => void, fn: () => Promise<void>): Promise<void> {
  return fn().catch((err) => {
    if (!(err instanceof CliError)) throw err;
    process.stderr.write(`lianpiao: ${err.message}\n`);
    setExit(1);
  });
}

/** An issuer as GET /api/v1/issuers/{id} answers it (the fields printed). */
interface IssuerView {
  id: string;
  name: string;
  status: string;
  kind: string | null;
  creditCode: string;
  account: string;
  /** the figures as the service defines them (server/registry/figures.ts): originals and red bills apart */
  bills?: {
    issued?: number;
    amount?: string;
    voided?: number;
    voidedAmount?: string;
    reimbursed?: number;
    reimbursedAmount?: string;
    pending?: number;
    red?: number;
    redAmount?: string;
  };
  ranges?: Array<{ billCode: string; start: number; end: number; remaining: number }>;
}

function printIssuer(i: IssuerView): void {
  const ranges = (i.ranges ?? []).map((r) => `${r.billCode}:${r.start}-${r.end} (left ${r.remaining})`).join(", ");
  const f = i.bills ?? {};
  const figures = `issued ${f.issued ?? 0} (${f.amount ?? "0.00"})  voided ${f.voided ?? 0} (${f.voidedAmount ?? "0.00"})  reimbursed ${f.reimbursed ?? 0} (${f.reimbursedAmount ?? "0.00"})  pending ${f.pending ?? 0}  red ${f.red ?? 0} (${f.redAmount ?? "0.00"})`;
  process.stdout.write(`${i.id}  ${i.status.padEnd(9)} ${(i.kind ?? "null").padEnd(8)} ${i.creditCode}  ${i.account}  ${figures}  ${ranges}  ${i.name}\n`);
}

export function register(program: Command, setExit: (c: number) => void): void {
  const issuer = program.command("issuer").description("admit, suspend, reinstate and list issuers (bureau key)");

  withConn(issuer.command("list").description("list issuers with their state, ranges and bill counts"))
    .option("--kind <kind>", "medical or donation")
    .action((o: Conn & { kind?: string }) =>
      run(setExit, async () => {
        const r = await apiCall<{ items: IssuerView[] }>(apiTarget(o), "GET", `/api/v1/issuers${o.kind ? `?kind=${encodeURIComponent(o.kind)}` : ""}`);
        if (o.json) return void process.stdout.write(JSON.stringify(r, null, 2) + "\n");
        for (const i of r.items) printIssuer(i);
      }),
    );

  withConn(issuer.command("admit").description("admit an issuer on chain and in the service; prints its first API key once"))
    .requiredOption("--name <name>", "institution name")
    .requiredOption("--credit-code <code>", "unified social credit code (18 characters)")
    .requiredOption("--kind <kind>", "medical or donation")
    .requiredOption("--bill-code <code>", "bill code (8 digits)")
    .requiredOption("--start <n>", "first bill number of the range")
    .requiredOption("--end <n>", "last bill number of the range")
    .option("--account <address>", "existing chain account (its key must be loaded in the service); default: a new key in the keystore")
    .action((o: Conn & { name: string; creditCode: string; kind: string; billCode: string; start: string; end: string; account?: string }) =>
      run(setExit, async () => {
        const body = {
          name: o.name,
          creditCode: o.creditCode,
          kind: o.kind,
          billCode: o.billCode,
          range: { start: Number(o.start), end: Number(o.end) },
          ...(o.account ? { account: o.account } : {}),
        };
        const r = await apiCall<IssuerView & { apiKey: string }>(apiTarget(o), "POST", "/api/v1/issuers", body);
        if (o.json) return void process.stdout.write(JSON.stringify(r, null, 2) + "\n");
        printIssuer(r);
        process.stdout.write(`API key (shown once): ${r.apiKey}\n`);
      }),
    );

  for (const verb of ["suspend", "reinstate"] as const) {
    withConn(issuer.command(`${verb} <id>`).description(`${verb} an issuer on chain and in the service`))
      .option("--reason <text>", "reason, kept in the audit log")
      .action((id: string, o: Conn & { reason?: string }) =>
        run(setExit, async () => {
          const r = await apiCall<IssuerView>(apiTarget(o), "POST", `/api/v1/issuers/${encodeURIComponent(id)}/${verb}`, o.reason ? { reason: o.reason } : {});
          if (o.json) return void process.stdout.write(JSON.stringify(r, null, 2) + "\n");
          printIssuer(r);
        }),
      );
  }
}
