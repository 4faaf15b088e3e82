/**
 * Worker threads that read uploaded PDFs off the request thread (issue 14), each task under a hard
 * deadline: a worker that overruns it is terminated (the only way to stop a synchronous parse) and
 * replaced, and the task rejects with PdfParseTimeoutError. The queue is bounded: beyond it, tasks
 * reject at once with PdfParseBusyError. Caps on bytes and objects are extract.ts's; the deadline
 * covers whatever the caps did not foresee.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { ExtractLimits } from "./extract";
import type { IssuedFileFinding } from "./issued-file";
import type { ExtractedUpload, UploadParser } from "./upload-parser";

export type ParseRequest =
  | { id: number; op: "extract"; pdf: SharedArrayBuffer; limits: Partial<ExtractLimits> }
  | { id: number; op: "compare"; pdf: SharedArrayBuffer; reference: Uint8Array };
export type ParseResponse = { id: number; value: unknown } | { id: number; error: string } | { ready: true };

export class PdfParseBusyError extends Error {
  readonly code = "PDF_PARSE_BUSY";
  constructor(readonly queued: number) {
    super(`too many uploads are being read (${queued} queued); retry shortly`);
  }
}

export class PdfParseTimeoutError extends Error {
  readonly code = "PDF_PARSE_TIMEOUT";
  constructor(readonly deadlineMs: number) {
    super(`reading the PDF took longer than ${deadlineMs} ms`);
  }
}

export class PdfParseError extends Error {
  readonly code = "PDF_PARSE_FAILED";
}

export interface ParsePoolOptions {
  /** worker threads; default: available cores − 1, at least 1 */
  size?: number;
  /** tasks waiting for a worker before refusing; default 16 */
  maxQueue?: number;
  /** deadline of one task once a worker runs it, ms; default 2,000 */
  deadlineMs?: number;
}

interface Task {
  req: ParseRequest;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  /** loaded and listening: tasks (and their deadlines) start only then */
  ready: boolean;
  task: Task | null;
  timer: NodeJS.Timeout | null;
}

/** The TypeScript sources through ts-node, or the compiled JavaScript (as pool.ts). */
function spawn(): Worker {
  if (__filename.endsWith(".ts")) {
    const register = join(__dirname, "..", "..", "scripts", "register.js");
    const entry = join(__dirname, "parse-worker.ts");
    return new Worker(`require(${JSON.stringify(register)}); require(${JSON.stringify(entry)});`, { eval: true });
  }
  return new Worker(join(__dirname, "parse-worker.js"));
}

/** The bytes in shared memory: each operation on the same upload then posts it without a copy. */
const shared = new WeakMap<Buffer, SharedArrayBuffer>();
function sharedOf(pdf: Buffer): SharedArrayBuffer {
  let sab = shared.get(pdf);
  if (!sab) {
    sab = new SharedArrayBuffer(pdf.length);
    pdf.copy(Buffer.from(sab));
    shared.set(pdf, sab);
  }
  return sab;
}

export class PdfParsePool implements UploadParser {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly size: number;
  private readonly maxQueue: number;
  readonly deadlineMs: number;
  private nextId = 1;
  private closed = false;

  constructor(opts: ParsePoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? availableParallelism() - 1);
    this.maxQueue = opts.maxQueue ?? 16;
    this.deadlineMs = opts.deadlineMs ?? 2000;
  }

  extract(pdf: Buffer, limits: Partial<ExtractLimits> = {}): Promise<ExtractedUpload> {
    return this.run({ id: 0, op: "extract", pdf: sharedOf(pdf), limits }) as Promise<ExtractedUpload>;
  }

  compare(pdf: Buffer, reference: Buffer): Promise<IssuedFileFinding> {
    return this.run({ id: 0, op: "compare", pdf: sharedOf(pdf), reference: new Uint8Array(reference) }) as Promise<IssuedFileFinding>;
  }

  stats(): { size: number; busy: number; queued: number } {
    return { size: this.slots.length, busy: this.slots.filter((s) => s.task).length, queued: this.queue.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new PdfParseError("the PDF parse pool is closed"));
    await Promise.all(
      this.slots.map((s) => {
        if (s.timer) clearTimeout(s.timer);
        return s.worker.terminate();
      }),
    );
  }

  private run(req: ParseRequest): Promise<unknown> {
    if (this.closed) return Promise.reject(new PdfParseError("the PDF parse pool is closed"));
    if (this.queue.length >= this.maxQueue) return Promise.reject(new PdfParseBusyError(this.queue.length));
    // started on the first upload: a service nobody uploads to does not pay for the workers' heaps
    while (this.slots.length < this.size) this.slots.push(this.start());
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { ...req, id: this.nextId++ }, resolve, reject });
      this.dispatch();
    });
  }

  private start(): Slot {
    const slot: Slot = { worker: spawn(), ready: false, task: null, timer: null };
    slot.worker.unref();
    slot.worker.on("message", (res: ParseResponse) => this.finish(slot, res));
    slot.worker.on("error", (err) => this.replace(slot, new PdfParseError(`PDF parse worker failed: ${err.message}`)));
    slot.worker.on("exit", (code) => {
      if (!this.closed) this.replace(slot, new PdfParseError(`PDF parse worker exited with code ${code}`));
    });
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.task || this.queue.length === 0) continue;
      const task = this.queue.shift() as Task;
      slot.task = task;
      slot.worker.ref();
      slot.timer = setTimeout(() => this.replace(slot, new PdfParseTimeoutError(this.deadlineMs)), this.deadlineMs);
      slot.worker.postMessage(task.req);
    }
  }

  private finish(slot: Slot, res: ParseResponse): void {
    if ("ready" in res) {
      slot.ready = true;
      return this.dispatch();
    }
    const task = slot.task;
    if (slot.timer) clearTimeout(slot.timer);
    slot.task = null;
    slot.timer = null;
    slot.worker.unref();
    if (task && task.req.id === res.id) {
      if ("error" in res) task.reject(new PdfParseError(res.error));
      else task.resolve(res.value);
    }
    this.dispatch();
  }

  /** Ends the slot's task with `err`, stops its worker (mid-parse if need be) and starts another. */
  private replace(slot: Slot, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.task?.reject(err);
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    if (this.closed) return;
    this.slots[i] = this.start();
    this.dispatch();
  }
}
