/**
 * A bill as an OFD package (GB/T 33190-2016): the same pages as its PDF (trace.ts), the embedded font
 * subsets, the machine-readable bill as an attachment, and the issuer's SM2 signature over the package
 * (Signatures.xml / Signature.xml, §18). Deterministic like the PDF: one envelope and link give one
 * sequence of bytes — fixed entry order, times from the bill, entries stored (not deflated, so no
 * compressor version can change them), and a nonce derived from key and message (server/sm/sm2.ts).
 *
 *   OFD.xml                                 entry: DocInfo (DocID, title, dates), DocRoot, Signatures
 *   Doc_0/Document.xml                      CommonData (page area, resources), Pages, Attachments
 *   Doc_0/PublicRes.xml, DocumentRes.xml    the two fonts; (no document-level resources)
 *   Doc_0/Res/font_1.ttf, font_2.ttf        subsets of Noto Sans SC regular and bold (font-subset.ts)
 *   Doc_0/Pages/Page_N/Content.xml          the page (content.ts)
 *   Doc_0/Attachs/Attachments.xml, lianpiao-bill.json   the envelope plus {document: {renderer, verifyUrl}}
 *   Doc_0/Signs/Signatures.xml, Sign_0/Signature.xml, Sign_0/SignedValue.dat
 */
import { zipSync, type Zippable } from "fflate";
import type { BillEnvelope } from "../issuance/model";
import { templateFor } from "../pdf/template";
import { pageContent, FONT_IDS } from "./content";
import { fontSubset } from "./font-subset";
import { signatureXml, SIGNATURE_PATHS, type PackageSigner } from "./signature";
import { traceBill } from "./trace";
import { el, root, text } from "./xml";

import { OFD_RENDERER } from "./version";

export { OFD_RENDERER };
export const OFD_ATTACHMENT = "Doc_0/Attachs/lianpiao-bill.json";

const utf8 = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));

/** The attachment: the envelope's members, then `document` naming this renderer (as the PDF's, server/pdf/document.ts). */
export function ofdAttachment(envelope: BillEnvelope, verifyUrl: string): string {
  return JSON.stringify({ ...envelope, document: { renderer: OFD_RENDERER, verifyUrl } });
}

/** Every file of the package but SignedValue.dat, in package order, and the Signature.xml to sign. */
function packageFiles(envelope: BillEnvelope, verifyUrl: string): Array<[string, Uint8Array]> {
  const { bill } = envelope;
  const tpl = templateFor(bill.kind);
  const pages = traceBill(envelope, verifyUrl);
  const files: Array<[string, Uint8Array]> = [];
  const day = bill.issuedAt.slice(0, 10);
  const title = `${bill.redOf ? tpl.redTitle.zh : tpl.title.zh} ${bill.billCode}-${bill.billNumber}`;
  files.push([
    "OFD.xml",
    utf8(
      root(
        "OFD",
        { Version: "1.2", DocType: "OFD" },
        el(
          "DocBody",
          {},
          el(
            "DocInfo",
            {},
            text("DocID", envelope.billHash.slice(2, 34)),
            text("Title", title),
            text("Author", bill.issuer.name),
            text("Subject", `${tpl.title.en} ${bill.billCode}-${bill.billNumber}`),
            text("CreationDate", day),
            text("ModDate", day),
            text("Creator", "lianpiao"),
            text("CreatorVersion", OFD_RENDERER),
            el(
              "CustomDatas",
              {},
              text("CustomData", bill.billCode, { Name: "billCode" }),
              text("CustomData", bill.billNumber, { Name: "billNumber" }),
              text("CustomData", envelope.billHash, { Name: "billHash" }),
            ),
          ),
          text("DocRoot", "Doc_0/Document.xml"),
          text("Signatures", "Doc_0/Signs/Signatures.xml"),
        ),
      ),
    ),
  ]);
  let id = 10;
  const contents = pages.map((p) => {
    const c = pageContent(p, id);
    id = c.nextId;
    return c.xml;
  });
  const pageIds = pages.map(() => id++);
  const attachmentId = id++;
  const w = pages[0].width.toFixed(3).replace(/\.?0+$/, "");
  const h = pages[0].height.toFixed(3).replace(/\.?0+$/, "");
  files.push([
    "Doc_0/Document.xml",
    utf8(
      root(
        "Document",
        {},
        el(
          "CommonData",
          {},
          text("MaxUnitID", String(id - 1)),
          el("PageArea", {}, text("PhysicalBox", `0 0 ${w} ${h}`)),
          text("PublicRes", "PublicRes.xml"),
          text("DocumentRes", "DocumentRes.xml"),
        ),
        el("Pages", {}, ...pageIds.map((pid, i) => el("Page", { ID: pid, BaseLoc: `Pages/Page_${i}/Content.xml` }))),
        text("Attachments", "Attachs/Attachments.xml"),
      ),
    ),
  ]);
  const texts = { regular: "", bold: "" };
  for (const p of pages) for (const it of p.items) if (it.kind === "text") texts[it.weight] += it.text;
  files.push([
    "Doc_0/PublicRes.xml",
    utf8(
      root(
        "Res",
        { BaseLoc: "Res" },
        el(
          "Fonts",
          {},
          el("Font", { ID: FONT_IDS.regular, FontName: "Noto Sans SC", FamilyName: "Noto Sans SC" }, text("FontFile", "font_1.ttf")),
          el("Font", { ID: FONT_IDS.bold, FontName: "Noto Sans SC Bold", FamilyName: "Noto Sans SC", Bold: "true" }, text("FontFile", "font_2.ttf")),
        ),
      ),
    ),
  ]);
  files.push(["Doc_0/DocumentRes.xml", utf8(root("Res", { BaseLoc: "Res" }))]);
  files.push(["Doc_0/Res/font_1.ttf", new Uint8Array(fontSubset("regular", texts.regular))]);
  files.push(["Doc_0/Res/font_2.ttf", new Uint8Array(fontSubset("bold", texts.bold))]);
  contents.forEach((xml, i) => files.push([`Doc_0/Pages/Page_${i}/Content.xml`, utf8(xml)]));
  const json = utf8(ofdAttachment(envelope, verifyUrl));
  files.push([
    "Doc_0/Attachs/Attachments.xml",
    utf8(
      root(
        "Attachments",
        {},
        el(
          "Attachment",
          {
            ID: attachmentId,
            Name: "lianpiao-bill.json",
            Format: "json",
            CreationDate: bill.issuedAt,
            Size: (json.length / 1024).toFixed(3),
            Visible: "false",
            Usage: "lianpiao-bill/3",
          },
          text("FileLoc", "lianpiao-bill.json"),
        ),
      ),
    ),
  ]);
  files.push([OFD_ATTACHMENT, json]);
  files.push([
    "Doc_0/Signs/Signatures.xml",
    utf8(root("Signatures", {}, text("MaxSignId", "1"), el("Signature", { ID: "1", Type: "Sign", BaseLoc: "Sign_0/Signature.xml" }))),
  ]);
  return files;
}

/**
 * The OFD package of a bill. `sign` makes SignedValue.dat from Signature.xml's bytes: the issuer's SM2
 * key when issuing; when re-creating an uploaded file, the value that file carries (verified apart:
 * signature.ts), since a verifier has no private key.
 */
export function renderBillOfd(envelope: BillEnvelope, verifyUrl: string, sign: PackageSigner): Buffer {
  const files = packageFiles(envelope, verifyUrl);
  const signature = signatureXml(files, envelope.bill.issuedAt);
  files.push([SIGNATURE_PATHS.signature, signature]);
  files.push([SIGNATURE_PATHS.signedValue, sign(signature)]);
  const issued = envelope.bill.issuedAt;
  // DOS times are local times in zip: a Date built from local fields at noon is the same in every zone (and DST-safe)
  const mtime = new Date(Number(issued.slice(0, 4)), Number(issued.slice(5, 7)) - 1, Number(issued.slice(8, 10)), 12, 0, 0);
  const zippable: Zippable = {};
  for (const [name, data] of files) zippable[name] = [data, { level: 0, mtime }];
  return Buffer.from(zipSync(zippable));
}
