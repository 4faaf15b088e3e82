/**
 * An upload parse worker (parse-pool.ts): receives { id, op, pdf, … } and answers { id, value } or
 * { id, error }. The upload arrives as a SharedArrayBuffer: 5 MB is not copied again per operation.
 */
import { parentPort } from "node:worker_threads";
import { compareIssuedFile } from "./issued-file";
import { extractUpload } from "./upload-parser";
import type { ParseRequest, ParseResponse } from "./parse-pool";

if (!parentPort) throw new Error("server/pdf/parse-worker must run in a worker thread");
const port = parentPort;

port.on("message", (req: ParseRequest) => {
  let res: ParseResponse;
  try {
    const pdf = Buffer.from(req.pdf);
    const value =
      req.op === "extract"
        ? extractUpload(pdf, req.limits)
        : compareIssuedFile(pdf, Buffer.from(req.reference.buffer, req.reference.byteOffset, req.reference.byteLength));
    res = { id: req.id, value };
  } catch (err) {
    res = { id: req.id, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(res);
});

// loaded: the pool starts a task's deadline only from here, so a worker's start-up is never a file's fault
port.postMessage({ ready: true } satisfies ParseResponse);
