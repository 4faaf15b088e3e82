/** Bill PDFs: rendering (in process; the worker threads are server/render), reading the embedded bill back, and comparing a file with the one issued. */
export { renderBillPdf, billPdfStream, type RenderOptions } from "./render";
export { extractEnvelope, DEFAULT_EXTRACT_LIMITS, type ExtractResult, type ExtractErrorCode, type ExtractLimits } from "./extract";
export { ATTACHMENT_NAME } from "./attachment";
export { RENDERER, readDocument, type BillDocument, type DocumentRead } from "./document";
export { compareIssuedFile, describeIssuedFile, type IssuedFileFinding } from "./issued-file";
