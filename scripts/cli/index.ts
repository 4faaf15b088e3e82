/**
 * The lianpiao command line. Each area registers its own subcommands; an action returns the exit code.
 * Registering loads only commander: every module a subcommand needs is loaded by its action, so that
 * `lianpiao <command> --help` starts at once (test/build/cli-startup.test.ts).
 */
import { Command } from "commander";
import fs from "node:fs";
import { packagePath } from "../../server/config/package-root";
import * as bureau from "./bureau";
import * as deploy from "./deploy";
import * as issuer from "./issuer";
import * as reconcile from "./reconcile";
import * as verify from "./verify";

export type ExitCode = number;

/** Subcommand modules, in the order `--help` lists them: each exports register(program, setExit). */
const MODULES: { register(p: Command, setExit: (c: ExitCode) => void): void }[] = [deploy, bureau, verify, issuer, reconcile];

export async function main(argv: string[]): Promise<ExitCode> {
  let exit: ExitCode = 0;
  const program = new Command("lianpiao")
    .description("lianpiao (链票): fiscal electronic bills anchored on an EVM registry")
    .version((JSON.parse(fs.readFileSync(packagePath("package.json"), "utf8")) as { version: string }).version)
    .exitOverride();
  for (const m of MODULES) m.register(program, (c) => (exit = c));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return 0;
    if (typeof e.exitCode === "number" && e.code?.startsWith("commander.")) return e.exitCode || 2;
    throw err;
  }
  return exit;
}
