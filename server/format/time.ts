/**
 * The one time rule: every time the service shows (API answers, webhooks, CSV and XLSX exports, pages,
 * PDFs, the audit log) is in Asia/Shanghai. In data it is ISO 8601 to the second with its offset,
 * "2026-11-25T10:31:07+08:00"; on a page or a PDF it reads "2026-11-25 10:31:07". China has kept UTC+8
 * without daylight saving since 1991, so a fixed offset is exact and independent of the process's TZ.
 */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** ISO 8601 in Asia/Shanghai to the second, e.g. "2026-11-25T10:31:07+08:00". */
export function formatShanghaiTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError("invalid date");
  const local = new Date(date.getTime() + SHANGHAI_OFFSET_MS);
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}+08:00`
  );
}

/** A stored time (milliseconds since the epoch, as the store keeps them; numeric strings from PostgreSQL too) in ISO 8601 +08:00. */
export function isoTime(ms: number | string | bigint): string;
export function isoTime(ms: number | string | bigint | null): string | null;
export function isoTime(ms: number | string | bigint | null): string | null {
  return ms === null ? null : formatShanghaiTime(new Date(Number(ms)));
}

/** A chain time (unix seconds) in ISO 8601 +08:00. */
export function isoChainTime(unixSeconds: number): string;
export function isoChainTime(unixSeconds: number | null): string | null;
export function isoChainTime(unixSeconds: number | null): string | null {
  return unixSeconds === null ? null : formatShanghaiTime(new Date(unixSeconds * 1000));
}

/** Today's date (or `now`'s) in Asia/Shanghai, YYYY-MM-DD. */
export function shanghaiDate(now: Date = new Date()): string {
  return formatShanghaiTime(now).slice(0, 10);
}

/** An ISO 8601 time as a page or PDF shows it, in Asia/Shanghai whatever its offset: "2026-11-25 10:31:07"; unparsable text as is. */
export function displayTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?\+08:00$/.exec(iso);
  if (m) return `${m[1]} ${m[2]}`;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return formatShanghaiTime(new Date(t)).slice(0, 19).replace("T", " ");
}
