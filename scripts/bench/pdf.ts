/**
 * PDF rendering on one core: renderBillPdf in this process, one document at a time, after a warm-up
 * (font decoding and JIT), for an anchored outpatient bill with Chinese text, QR code and attachment.
 */
import { ethers } from "ethers";
import PDFDocument from "pdfkit";
import { devWallet, EMBEDDED_CHAIN_ID } from "../../server/chain";
import { buildBatchTree, composeBill, parseInvoiceRequest, sealBill, type BillEnvelope } from "../../server/issuance";
import { renderBillPdf } from "../../server/pdf";
import { FONT_NAMES, installFonts } from "../../server/pdf/font";
import { medicalBody } from "./bodies";
import { median, quantile } from "./stats";

const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const VERIFY_URL = "https://piao.example.gov.cn/v/01JD7Q3W8ZK5C4M2N6P0R9T1VX?k=Xq8vN2mB7cL4pR0sT6wY1zA3";

/** A signed, anchored medical bill as the service would embed it (proof from a 1,000-bill batch). */
export function sampleEnvelope(): BillEnvelope {
  const parsed = parseInvoiceRequest(medicalBody(1));
  if (!parsed.ok) throw new Error(`bench body rejected: ${JSON.stringify(parsed.issues)}`);
  const signer = devWallet(1);
  const bill = composeBill(parsed.value, {
    billCode: "35010126",
    billNumber: "0000012345",
    checkCode: "8A3F2K",
    issuedAt: new Date("2026-11-23T02:31:07Z"),
    issuer: { name: "福州市第一人民医院", creditCode: "12350100488099441N", account: signer.address },
  });
  const sealed = sealBill(bill, signer, { chainId: EMBEDDED_CHAIN_ID, verifyingContract: REGISTRY });
  const others = Array.from({ length: 999 }, (_, i) => ethers.id(`bench-pdf-${i}`));
  const tree = buildBatchTree([sealed.billHash, ...others]);
  return {
    ...sealed,
    anchor: { chainId: EMBEDDED_CHAIN_ID, registry: REGISTRY, root: tree.root, proof: tree.entries[0].proof, txHash: ethers.id("bench-tx"), blockNumber: 1234 },
  };
}

export interface PdfResult {
  renderMsP50: number;
  renderMsP95: number;
  bytesMedian: number;
  documents: number;
}

export async function measurePdf(warmup: number, documents: number): Promise<PdfResult> {
  const envelope = sampleEnvelope();
  for (let i = 0; i < warmup; i++) await renderBillPdf(envelope, { verifyUrl: VERIFY_URL });
  const times: number[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < documents; i++) {
    const t = performance.now();
    const pdf = await renderBillPdf(envelope, { verifyUrl: VERIFY_URL });
    times.push(performance.now() - t);
    sizes.push(pdf.length);
  }
  return { renderMsP50: median(times), renderMsP95: quantile(times, 0.95), bytesMedian: median(sizes), documents };
}

interface DrawnText {
  font: string;
  size: number;
  text: string;
  x: number;
  y: number;
  options: Record<string, unknown>;
}

/** The text runs one rendering draws (font, size, position), recorded by wrapping pdfkit's font() and text(). */
async function drawnText(envelope: BillEnvelope): Promise<DrawnText[]> {
  const proto = PDFDocument.prototype as unknown as Record<string, (...args: unknown[]) => unknown> & { _lpFont?: string };
  const { font, text } = proto;
  const runs: DrawnText[] = [];
  proto.font = function (this: { _lpFont?: string }, ...args: unknown[]) {
    if (typeof args[0] === "string") this._lpFont = args[0];
    return font.apply(this, args);
  };
  proto.text = function (this: { _lpFont?: string; _fontSize: number }, ...args: unknown[]) {
    const [t, x, y, options] = args as [unknown, number, number, Record<string, unknown> | undefined];
    runs.push({ font: this._lpFont ?? FONT_NAMES.regular, size: this._fontSize, text: String(t), x, y, options: options ?? {} });
    return text.apply(this, args);
  };
  try {
    await renderBillPdf(envelope, { verifyUrl: VERIFY_URL });
  } finally {
    proto.font = font;
    proto.text = text;
  }
  return runs;
}

/**
 * The baseline: a bare pdfkit document of one page with the same font (both weights, installed as the
 * renderer installs them: the parsed font is cached per process) and the same text runs at the same
 * places; no layout, lines, QR code nor attachment, uncompressed like the bill.
 */
function barePdfkit(runs: DrawnText[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: "A4", margin: 0, compress: false, autoFirstPage: false, font: null as unknown as string });
    installFonts(doc, () => new PDFDocument({ autoFirstPage: false }));
    doc.addPage({ size: "A4", margin: 0 });
    for (const r of runs) doc.font(r.font).fontSize(r.size).text(r.text, r.x, r.y, r.options);
    const chunks: Buffer[] = [];
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
    doc.end();
  });
}

export interface BarePdfResult {
  bareMsP50: number;
  /** the bill's render p50 in the same alternation (the ratio's numerator) */
  pairedRenderMsP50: number;
  /** render p50 ÷ bare p50, the two measured alternately in this process */
  ratioToBarePdfkit: number;
  textRuns: number;
}

/** The renderer against the bare pdfkit page, alternating documents so that both see the same machine. */
export async function measureBarePdf(warmup: number, documents: number): Promise<BarePdfResult> {
  const envelope = sampleEnvelope();
  const runs = await drawnText(envelope);
  for (let i = 0; i < warmup; i++) {
    await renderBillPdf(envelope, { verifyUrl: VERIFY_URL });
    await barePdfkit(runs);
  }
  const ours: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < documents; i++) {
    let t = performance.now();
    await renderBillPdf(envelope, { verifyUrl: VERIFY_URL });
    ours.push(performance.now() - t);
    t = performance.now();
    await barePdfkit(runs);
    bare.push(performance.now() - t);
  }
  return { pairedRenderMsP50: median(ours), bareMsP50: median(bare), ratioToBarePdfkit: median(ours) / median(bare), textRuns: runs.length };
}
