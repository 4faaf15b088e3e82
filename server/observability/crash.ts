/**
 * Test-only fault injection: when LIANPIAO_CRASH_AT names a pipeline point, the process kills itself
 * there with SIGKILL — no cleanup, no flush — so that the fault suite exercises real recovery.
 */
export type CrashPoint = "bill-accepted" | "batch-built" | "tx-signed" | "tx-sent" | "receipt-seen" | "confirming";

let armed: string | undefined;

export function armCrash(point: string | undefined): void {
  armed = point;
}

export function crashPoint(point: CrashPoint): void {
  if (armed === point) process.kill(process.pid, "SIGKILL");
}
