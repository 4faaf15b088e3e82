/** Bill PDFs: rendering (in process or in worker threads) and reading the embedded bill and the printed QR code back. */
export { renderBillPdf, billPdfStream, type RenderOptions } from "./render";
export { PdfRenderPool, PdfPoolBusyError, PdfRenderError, type PdfPoolOptions } from "./pool";
export { extractEnvelope, DEFAULT_EXTRACT_LIMITS, type ExtractResult, type ExtractErrorCode, type ExtractLimits } from "./extract";
export { ATTACHMENT_NAME } from "./attachment";
export { readPrintedQr, DEFAULT_PRINTED_QR_LIMITS, type PrintedQrResult, type PrintedQrCode, type PrintedQrLimits } from "./printed-qr";
