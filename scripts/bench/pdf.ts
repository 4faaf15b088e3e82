/**
 * PDF rendering on one core: renderBillPdf in this process, one document at a time, after a warm-up
 * (font decoding and JIT), for an anchored outpatient bill with Chinese text, QR code and attachment.
 */
import { ethers } from "ethers";
import { devWallet, EMBEDDED_CHAIN_ID } from "../../server/chain";
import { buildBatchTree, composeBill, parseInvoiceRequest, sealBill, type BillEnvelope } from "../../server/issuance";
import { renderBillPdf } from "../../server/pdf";
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
