/**
 * A PDF render worker: receives { id, envelope, options }, answers { id, pdf } or { id, error }; with
 * `ofd` in the request it renders the bill's OFD package instead (the answer's `pdf` holds its bytes).
 */
import { parentPort } from "node:worker_threads";
import { renderBillPdf } from "../pdf/render";
import type { RenderRequest, RenderResponse } from "./pool";

if (!parentPort) throw new Error("server/pdf/worker must run in a worker thread");
const port = parentPort;

/** The OFD renderer, loaded in the worker on the first OFD request. */
async function renderOfd(req: RenderRequest): Promise<Buffer> {
  const [{ renderBillOfd }, { sm2PackageSigner }] = await Promise.all([import("../ofd/package"), import("../ofd/signature")]);
  const o = req.ofd!;
  const sign = o.sealKey ? sm2PackageSigner(o.sealKey) : () => o.signedValue ?? new Uint8Array();
  return renderBillOfd(req.envelope, req.options.verifyUrl, sign);
}

port.on("message", (req: RenderRequest) => {
  (req.ofd ? renderOfd(req) : renderBillPdf(req.envelope, req.options)).then(
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
