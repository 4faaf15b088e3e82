/**
 * A small pool of worker threads that render PDFs off the request thread. The queue is bounded:
 * when it is full, render() rejects at once with PdfPoolBusyError (map it to 503 + Retry-After).
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { BillEnvelope } from "../issuance/model";
import type { RenderOptions } from "../pdf/render";

export interface RenderRequest {
  id: number;
  envelope: BillEnvelope;
  options: RenderOptions;
  /**
   * Render the OFD package instead (server/ofd/package.ts), signed with this SM2 seal key (issuing) or
   * carrying this SignedValue.dat (re-creating an uploaded file). The key crosses only to this
   * process's own worker threads, as it sits in this process's memory anyway.
   */
  ofd?: { sealKey?: { privateKey: string; publicKey: string }; signedValue?: Uint8Array };
}
export type RenderResponse = { id: number; pdf: Uint8Array } | { id: number; error: string };

export class PdfPoolBusyError extends Error {
  readonly code = "PDF_RENDER_BUSY";
  readonly status = 503;
  constructor(readonly queued: number) {
    super(`the PDF renderer is busy (${queued} documents queued); retry shortly`);
  }
}

export class PdfRenderError extends Error {
  readonly code = "PDF_RENDER_FAILED";
  readonly status = 500;
}

export interface PdfPoolOptions {
  /** worker threads; default: available cores − 1, at least 1 */
  size?: number;
  /** documents waiting for a worker before render() refuses; default 64 */
  maxQueue?: number;
}

interface Task {
  req: RenderRequest;
  resolve(pdf: Buffer): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
}

/** Starts the worker: the TypeScript sources through ts-node, or the compiled JavaScript. */
function spawn(): Worker {
  if (__filename.endsWith(".ts")) {
    const register = join(__dirname, "..", "..", "scripts", "register.js");
    const entry = join(__dirname, "worker.ts");
    return new Worker(`require(${JSON.stringify(register)}); require(${JSON.stringify(entry)});`, { eval: true });
  }
  return new Worker(join(__dirname, "worker.js"));
}

export class PdfRenderPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly maxQueue: number;
  private readonly size: number;
  private nextId = 1;
  private closed = false;

  constructor(opts: PdfPoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? availableParallelism() - 1);
    this.maxQueue = opts.maxQueue ?? 64;
  }

  /** Renders the OFD package in a worker (see RenderRequest.ofd); the same queue and refusals as render(). */
  renderOfd(envelope: BillEnvelope, options: RenderOptions, ofd: NonNullable<RenderRequest["ofd"]>): Promise<Buffer> {
    return this.render(envelope, options, ofd);
  }

  /** Renders in a worker; rejects with PdfPoolBusyError when the queue is full. */
  render(envelope: BillEnvelope, options: RenderOptions, ofd?: RenderRequest["ofd"]): Promise<Buffer> {
    if (this.closed) return Promise.reject(new PdfRenderError("the PDF render pool is closed"));
    if (this.queue.length >= this.maxQueue) return Promise.reject(new PdfPoolBusyError(this.queue.length));
    // Workers start on the first render: each holds its own font and renderer (~90 MB), which a
    // service that is not asked for PDFs should not pay for.
    while (this.slots.length < this.size) this.slots.push(this.start());
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { id: this.nextId++, envelope, options, ...(ofd ? { ofd } : {}) }, resolve, reject });
      this.dispatch();
    });
  }

  stats(): { size: number; busy: number; queued: number } {
    return { size: this.slots.length, busy: this.slots.filter((s) => s.task).length, queued: this.queue.length };
  }

  /** Refuses queued work and stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new PdfRenderError("the PDF render pool is closed"));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private start(): Slot {
    const slot: Slot = { worker: spawn(), task: null };
    slot.worker.unref();
    slot.worker.on("message", (res: RenderResponse) => this.finish(slot, res));
    slot.worker.on("error", (err) => this.crash(slot, err));
    slot.worker.on("exit", (code) => {
      if (!this.closed) this.crash(slot, new Error(`PDF worker exited with code ${code}`));
    });
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.task || this.queue.length === 0) continue;
      slot.task = this.queue.shift() as Task;
      slot.worker.ref();
      slot.worker.postMessage(slot.task.req);
    }
  }

  private finish(slot: Slot, res: RenderResponse): void {
    const task = slot.task;
    slot.task = null;
    slot.worker.unref();
    if (task && task.req.id === res.id) {
      if ("pdf" in res) task.resolve(Buffer.from(res.pdf.buffer, res.pdf.byteOffset, res.pdf.byteLength));
      else task.reject(new PdfRenderError(res.error));
    }
    this.dispatch();
  }

  private crash(slot: Slot, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    slot.task?.reject(new PdfRenderError(`PDF worker failed: ${err.message}`));
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    if (this.closed) return;
    this.slots[i] = this.start();
    this.dispatch();
  }
}
