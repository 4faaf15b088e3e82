/**
 * The OFD file rule (docs/PROTOCOL.md §10.2), the PDF rule's twin: the package is re-created from its
 * own attachment and must be the uploaded bytes exactly. The one part a verifier cannot re-create is
 * SignedValue.dat (it holds no private key): the uploaded value is taken into the reference, and
 * checked apart — it must be the SM2 signature of Signature.xml under the bill's own SM2 key, the key
 * the `sm2` check ties to the registry. Everything else, Signature.xml's digests included, must match.
 */
import type { BillEnvelope } from "../issuance/model";
import { firstDifference } from "../pdf/issued-file";
import type { FileFormat } from "../pdf/issued-file";
import { OFD_RENDERER } from "./version";
import { verifyPackageSignature } from "./signature";

/** The zip entry of `reference` holding byte `at` (stored entries: local header, name, data). */
function entryAt(reference: Buffer, at: number): string {
  let p = 0;
  while (p + 30 <= reference.length && reference.readUInt32LE(p) === 0x04034b50) {
    const size = reference.readUInt32LE(p + 18);
    const nameLen = reference.readUInt16LE(p + 26);
    const extraLen = reference.readUInt16LE(p + 28);
    const end = p + 30 + nameLen + extraLen + size;
    const name = reference.subarray(p + 30, p + 30 + nameLen).toString("utf8");
    if (at < end) return at < p + 30 + nameLen + extraLen ? `the zip header of ${name}` : name;
    p = end;
  }
  return "the zip directory";
}

export const OFD_FORMAT: FileFormat = {
  name: "an OFD file",
  renderer: OFD_RENDERER,
  compare(file, reference) {
    const at = firstDifference(file, reference);
    if (at === file.length && at === reference.length) return { kind: "identical", bytes: at };
    if (at === reference.length)
      return { kind: "appended", detail: `The file is the issued OFD package plus ${file.length - reference.length} bytes after its end` };
    if (at === file.length) return { kind: "truncated", detail: `The file is the first ${file.length} of the issued OFD package's ${reference.length} bytes` };
    return { kind: "modified", detail: `The file differs from the issued OFD package from byte ${at} on, inside ${entryAt(reference, at)}` };
  },
};

/** Renders the reference package with a given SignedValue.dat (the worker pool, or in this thread). */
export type OfdRenderWith = (envelope: BillEnvelope, verifyUrl: string, signedValue: Uint8Array) => Promise<Buffer>;

const inThread: OfdRenderWith = async (envelope, verifyUrl, signedValue) => (await import("./package")).renderBillOfd(envelope, verifyUrl, () => signedValue);

/**
 * The file check's dependencies for an uploaded OFD package, read by readOfd (read.ts): the reference
 * is rendered from the attachment with the upload's own SignedValue.dat, which must first verify as
 * the bill's SM2 signature of the upload's Signature.xml (else the check fails, naming that file).
 */
export function ofdFileDeps(
  upload: { signatureXml: Uint8Array | null; signedValue: Uint8Array | null },
  renderWith: OfdRenderWith = inThread,
): { format: FileFormat; render(envelope: BillEnvelope, verifyUrl: string): Promise<Buffer> } {
  return {
    format: OFD_FORMAT,
    render: async (envelope, verifyUrl) => {
      const { signatureXml, signedValue } = upload;
      // a missing signature file is left to the byte comparison, which then names it
      if (signatureXml && signedValue && !verifyPackageSignature(envelope.sm2?.publicKey ?? "", signatureXml, signedValue)) {
        throw Object.assign(new Error("the package's SignedValue.dat is not the bill's SM2 signature of Signature.xml"), { code: "OFD_BAD_SIGNATURE" });
      }
      return renderWith(envelope, verifyUrl, signedValue ?? new Uint8Array());
    },
  };
}
