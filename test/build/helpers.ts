/**
 * The package as an operator installs it: `npm pack` of the build, extracted into a temporary
 * directory, with a node_modules that holds only the runtime dependencies (symlinks into the shared
 * install, so nothing is downloaded), made read-only, and processes started in it as a user would.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../helpers/processes";

/** `npm run build` if the build is missing or older than the sources (what `npm test` did first). */
export function ensureBuilt(): void {
  const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build.js"), "--if-stale"], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
}

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** Environment for npm run in a temporary HOME: no update check, no log or cache in the real HOME. */
export function npmEnv(home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HOME: home,
    npm_config_cache: path.join(home, ".npm"),
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
    // a parent `npm test` exports its own settings (npm_package_*, npm_lifecycle_*): not ours
    ...Object.fromEntries(
      Object.keys(process.env)
        .filter((k) => /^npm_(package|lifecycle)_/.test(k))
        .map((k) => [k, undefined]),
    ),
  };
}

export interface Installed {
  /** the extracted package: package.json, dist/, artifacts/…, templates/, scripts/lianpiao.js */
  dir: string;
  files: string[];
  remove(): void;
}

/**
 * `npm pack` (the files list of package.json, no build scripts) extracted into a temporary directory,
 * with node_modules holding the package's `dependencies` and nothing else: a module the service or
 * the CLI requires without declaring it, or a development dependency, is not found. `without` leaves
 * runtime dependencies out as well (hardhat: only the embedded chain may need it).
 */
export function installPackage(opts: { without?: string[] } = {}): Installed {
  const base = tempDir("lianpiao-pkg-");
  const home = path.join(base, "home");
  fs.mkdirSync(home);
  const packed = spawnSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", base], { cwd: ROOT, encoding: "utf8", env: npmEnv(home) });
  if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  const untar = spawnSync("tar", ["xzf", path.join(base, info.filename), "-C", base], { encoding: "utf8" });
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  const dir = path.join(base, "package");
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  const modules = path.join(dir, "node_modules");
  fs.mkdirSync(modules);
  for (const name of Object.keys(pkg.dependencies)) {
    if (opts.without?.includes(name)) continue;
    const target = fs.realpathSync(path.join(ROOT, "node_modules", name));
    fs.mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
    fs.symlinkSync(target, path.join(modules, name), "dir");
  }
  return { dir, files: info.files.map((f) => f.path), remove: () => fs.rmSync(base, { recursive: true, force: true }) };
}

/** Every file and directory under `dir` (symlinks not followed) with its size and mtime, for a before/after comparison. */
export function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      out.push(`${path.relative(dir, p)} ${st.isDirectory() ? "dir" : st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** chmod a-w on every file and directory under `dir` (symlinks and what they point to are left alone). */
export function removeWritePermissions(dir: string): void {
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) walk(path.join(p, name));
    fs.chmodSync(p, st.mode & 0o7555);
  };
  walk(dir);
}

export function restoreWritePermissions(dir: string): void {
  spawnSync("chmod", ["-R", "u+w", dir]);
}

/**
 * A command prefix under which `dir` cannot be written. Without write permission bits that is
 * enough for an ordinary user; root ignores them, so as root `dir` is bind-mounted read-only in a
 * private mount namespace (writes fail with EROFS), or where that is not allowed (a container
 * without CAP_SYS_ADMIN) the command runs as `nobody`, and `writable` is handed to that user.
 * Checked before use: a prefix that lets a write through fails the test instead of proving nothing.
 */
export function readOnlyPrefix(dir: string, writable: string[]): string[] {
  const candidates: { prefix: string[]; prepare?(): void }[] =
    process.getuid?.() !== 0
      ? [{ prefix: [] }]
      : [
          {
            prefix: ["unshare", "--mount", "--propagation", "private", "sh", "-c", 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"', dir],
          },
          {
            prefix: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"],
            prepare: () => writable.forEach((w) => spawnSync("chown", ["-R", "65534:65534", w])),
          },
        ];
  const probe = path.join(dir, ".write-probe");
  const failures: string[] = [];
  for (const c of candidates) {
    c.prepare?.();
    const cmd = [...c.prefix, process.execPath, "-e", `require("fs").writeFileSync(${JSON.stringify(probe)}, "x")`];
    const r = spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8" });
    const written = fs.existsSync(probe);
    if (written) fs.rmSync(probe);
    if (r.status !== 0 && !written && /EROFS|EACCES|EPERM/.test(r.stderr)) return c.prefix;
    failures.push(`${c.prefix.slice(0, 1).join(" ") || "(as this user)"}: exit ${r.status} ${(r.error?.message ?? r.stderr).slice(0, 300)}`);
  }
  throw new Error(`cannot make ${dir} read-only on this machine:\n${failures.join("\n")}`);
}

/**
 * A preload (NODE_OPTIONS=--require) that writes, when a process exits, the modules it loaded to
 * `dir/modules-<pid>.json`: how a test sees that a process never loaded Hardhat or ts-node.
 */
export function moduleProbe(dir: string): { env: Record<string, string>; loadedBy(entry: RegExp): string[] } {
  const file = path.join(dir, "module-probe.js");
  fs.writeFileSync(
    file,
    `if (require("worker_threads").isMainThread) process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(dir)} + "/modules-" + process.pid + ".json", JSON.stringify({ argv: process.argv, modules: Object.keys(require.cache) })));\n`,
  );
  return {
    env: { NODE_OPTIONS: `--require ${file}` },
    loadedBy(entry: RegExp) {
      const found = fs
        .readdirSync(dir)
        .filter((f) => /^modules-\d+\.json$/.test(f))
        .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { argv: string[]; modules: string[] })
        .filter((r) => r.argv.some((a) => entry.test(a)));
      if (found.length !== 1) throw new Error(`expected one process running ${entry}, found ${found.length}`);
      return found[0].modules;
    },
  };
}

/** Packages among `modules` (node_modules/<name>/…), by name. */
export function packagesOf(modules: string[]): Set<string> {
  const names = new Set<string>();
  for (const m of modules) {
    const hit = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m);
    if (hit) names.add(hit[1]);
  }
  return names;
}

export interface Started {
  proc: ChildProcess;
  output(): string;
  /** resolves with the first line matching `re`, rejects if the process exits first */
  line(re: RegExp, timeoutMs: number): Promise<string>;
  /** SIGTERM to the whole process group (npm, its shell, the service); resolves when all have exited, with the first one's exit code */
  stop(): Promise<number | null>;
}

/** Starts `cmd` in its own process group, collecting stdout and stderr. */
export function start(cmd: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Started {
  const proc = spawn(cmd[0], cmd.slice(1), { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  const listeners = new Set<() => void>();
  const onData = (b: Buffer) => {
    out += b.toString();
    for (const l of listeners) l();
  };
  proc.stdout?.on("data", onData);
  proc.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return {
    proc,
    output: () => out,
    line: (re, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const hit = out.split("\n").find((l) => re.test(l));
          if (hit) {
            done();
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no line matching ${re} within ${timeoutMs} ms:\n${out.slice(-3000)}`));
        }, timeoutMs);
        const onExit = () => {
          done();
          reject(new Error(`exited (${proc.exitCode ?? proc.signalCode}) before a line matching ${re}:\n${out.slice(-3000)}`));
        };
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
          proc.off("exit", onExit);
        };
        listeners.add(check);
        proc.once("exit", onExit);
        check();
      }),
    stop: async () => {
      const group = -(proc.pid as number);
      const alive = () => {
        try {
          process.kill(group, 0);
          return true;
        } catch {
          return false;
        }
      };
      if (alive()) process.kill(group, "SIGTERM");
      // npm may exit before the service it started: wait for the whole group
      const deadline = Date.now() + 20_000;
      while (alive()) {
        if (Date.now() > deadline) process.kill(group, "SIGKILL");
        await new Promise((r) => setTimeout(r, 100));
      }
      return exited;
    },
  };
}
