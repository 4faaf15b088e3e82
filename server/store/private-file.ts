/**
 * Files that hold secrets or personal data (the SQLite store with its verification keys and ID
 * numbers, the chain journal, the keystore password, the demo credentials) are this user's alone:
 * created 0600 in a directory created 0700, and narrowed to 0600 when an older install left them
 * readable by others. SQLite creates its -wal, -shm and -journal files with the database file's mode.
 */
import fs from "node:fs";
import path from "node:path";

const PRIVATE = 0o600;

function narrow(file: string): void {
  try {
    if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, PRIVATE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

/** Makes the directory of `file` (0700 when created here) and `file` itself (0600), if missing. */
export function privateFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, "a", PRIVATE));
  narrow(file);
}

/** privateFile for an SQLite database, and its companion files narrowed too. */
export function privateSqliteFile(file: string): void {
  privateFile(file);
  for (const suffix of ["-wal", "-shm", "-journal"]) narrow(file + suffix);
}

/** Writes `file` readable by this user only, whatever mode an existing file had. */
export function writePrivateFile(file: string, data: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, data, { mode: PRIVATE });
  narrow(file);
}
