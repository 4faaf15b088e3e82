/**
 * The package signature (GB/T 33190 §18, in the structure GB/T 38540 gives electronic seals and
 * signatures): Signature.xml lists every file of the package but the signature's own files with its
 * SM3 digest (CheckMethod 1.2.156.10197.1.401), and SignedValue.dat is the issuer's SM2 signature
 * (SignatureMethod 1.2.156.10197.1.501, SM2 with SM3, Z_A over user ID 1234567812345678) of the
 * Signature.xml file's bytes, DER-encoded as GM/T 0009's SM2Signature SEQUENCE { r, s }. The signing
 * key is the issuer's SM2 seal key whose hash the registry records (docs/PROTOCOL.md §6.2).
 *
 * Not covered (said in docs/PROTOCOL.md §10.2): a GB/T 38540 SES_Signature / seal structure (seal
 * image, certificate, timestamp) and GB/T 35275 SignedData — both need an X.509 certificate from a
 * CA, which the chain's key record replaces here.
 */
import { sm3 } from "sm-crypto-v2";
import type { SealKeyPair } from "../sm/sm2";
import { sm2Der, sm2Sign, sm2Verify } from "../sm/sm2";
import { el, root, text } from "./xml";

export const SIGNATURE_PATHS = { signature: "Doc_0/Signs/Sign_0/Signature.xml", signedValue: "Doc_0/Signs/Sign_0/SignedValue.dat" } as const;

/** Makes SignedValue.dat from the bytes of Signature.xml. */
export type PackageSigner = (signatureXml: Uint8Array) => Uint8Array;

const SM3_OID = "1.2.156.10197.1.401";
const SM2_SM3_OID = "1.2.156.10197.1.501";

/** Signature.xml over `files` (path, bytes). Signatures.xml is left out: adding a signature rewrites it (§18.1). */
export function signatureXml(files: Array<[string, Uint8Array]>, issuedAt: string): Uint8Array {
  const refs = files
    .filter(([path]) => path !== "Doc_0/Signs/Signatures.xml")
    .map(([path, data]) => el("Reference", { FileRef: `/${path}` }, text("CheckValue", Buffer.from(sm3(data), "hex").toString("base64"))));
  // the signing time is the bill's issue time (UTC, GeneralizedTime form): the file is the same at every render
  const when = new Date(issuedAt).toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
  const xml = root(
    "Signature",
    {},
    el(
      "SignedInfo",
      {},
      el("Provider", { ProviderName: "lianpiao", Version: "1", Company: "lianpiao" }),
      text("SignatureMethod", SM2_SM3_OID),
      text("SignatureDateTime", when),
      el("References", { CheckMethod: SM3_OID }, ...refs),
    ),
    text("SignedValue", `/${SIGNATURE_PATHS.signedValue}`),
  );
  return new Uint8Array(Buffer.from(xml, "utf8"));
}

/** Signs with the issuer's SM2 seal key. */
export function sm2PackageSigner(key: SealKeyPair): PackageSigner {
  return (xml) => sm2Der(sm2Sign(key, xml));
}

/** r ‖ s of a DER SM2Signature, or null when it is not one (strict: minimal lengths, nothing after). */
export function derToRs(der: Uint8Array): string | null {
  const b = Buffer.from(der);
  if (b.length < 8 || b[0] !== 0x30 || b[1] !== b.length - 2) return null;
  const ints: string[] = [];
  let at = 2;
  for (let i = 0; i < 2; i++) {
    if (b[at] !== 0x02) return null;
    const len = b[at + 1];
    if (len < 1 || len > 33 || at + 2 + len > b.length) return null;
    let v = b.subarray(at + 2, at + 2 + len);
    if (v.length === 33) {
      if (v[0] !== 0) return null;
      v = v.subarray(1);
    }
    ints.push(v.toString("hex").padStart(64, "0"));
    at += 2 + len;
  }
  return at === b.length ? `0x${ints.join("")}` : null;
}

/** Whether SignedValue.dat is `publicKey`'s SM2 signature of Signature.xml. */
export function verifyPackageSignature(publicKey: string, signatureXmlBytes: Uint8Array, signedValue: Uint8Array): boolean {
  const rs = derToRs(signedValue);
  return rs !== null && sm2Verify(publicKey, signatureXmlBytes, rs);
}
