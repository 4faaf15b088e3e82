/**
 * A PDF render worker: receives { id, envelope, options }, answers { id, pdf } or { id, error }.
 */
import { parentPort } from "node:worker_threads";
import { renderBillPdf } from "./render";
import type { RenderRequest, RenderResponse } from "./pool";

if (!parentPort) throw new Error("server/pdf/worker must run in a worker thread");
const port = parentPort;

port.on("message", (req: RenderRequest) => {
  renderBillPdf(req.envelope, req.options).then(
    (pdf) => {
      const bytes = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength).slice();
      const res: RenderResponse = { id: req.id, pdf: bytes };
      port.postMessage(res, [bytes.buffer]);
    },
    (err: unknown) => {
      const res: RenderResponse = { id: req.id, error: err instanceof Error ? err.message : String(err) };
      port.postMessage(res);
    },
  );
});
