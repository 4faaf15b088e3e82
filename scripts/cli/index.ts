/**
 * The lianpiao command line. Each area registers its own subcommands; an action returns the exit code.
 */
import { Command } from "commander";
import fs from "node:fs";
import path from "node:path";

export type ExitCode = number;

/** Subcommand modules: each exports register(program, setExit). */
const MODULES = ["./deploy", "./bureau", "./verify", "./issuer", "./reconcile"];

export async function main(argv: string[]): Promise<ExitCode> {
  let exit: ExitCode = 0;
  const program = new Command("lianpiao")
    .description("lianpiao (链票): fiscal electronic bills anchored on an EVM registry")
    .version(JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")).version)
    .exitOverride();
  for (const m of MODULES) {
    const file = path.join(__dirname, `${m}.ts`);
    if (!fs.existsSync(file)) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require(file) as { register(p: Command, setExit: (c: ExitCode) => void): void }).register(program, (c) => (exit = c));
  }
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
