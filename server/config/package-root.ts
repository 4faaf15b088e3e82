/**
 * The package's root directory, where `package.json`, `templates/` and `artifacts/` are. The sources
 * run from `server/` and the build from `dist/server/`, so it is looked up, not counted in `..`s.
 */
import fs from "node:fs";
import path from "node:path";

function find(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

export const PACKAGE_ROOT = find();

/** A file of the package, e.g. packagePath("templates", "verify", "page.html"). */
export function packagePath(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, ...parts);
}
