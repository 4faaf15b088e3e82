// The OFD file of a bill (GB/T 33190), issued by a real service on a real chain: the same bytes at every
// download, well-formed XML, the SM3 references and the SM2 signature checked with a second
// implementation, the upload rule (exactly the file issued) and the verdicts, also for tampered files.
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { SM3 } from "gm-crypto";
import { keccak256 } from "ethers";
import { parseXml, find, type XmlNode } from "../../server/ofd/xml";
import { derToRs } from "../../server/ofd/signature";
import { ROOT, tempDir } from "../helpers/processes";
import { checkOf, fetchEnvelope, issueAnchored, sharedService, uploadPdf, fetchPdf, type DemoCreds, type ServiceProcess } from "../verification/fixtures";
import { independentSm2Verify } from "../sm/independent-sm2";
import { entriesOf, fetchOfd, rezip, text, uploadOfd } from "./helpers";

const all = (node: XmlNode, name: string): XmlNode[] => node.children.flatMap((c) => [...(c.name === name ? [c] : []), ...all(c, name)]);

describe("the OFD file of a bill", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let bill: { id: string; verifyUrl: string };
  let ofd: Buffer;
  let envelope: any;
  const dir = tempDir("lianpiao-ofd-");

  before(async () => {
    svc = await sharedService();
    creds = svc.credentials();
    bill = await issueAnchored(svc.url, creds.hospital.apiKey);
    const got = await fetchOfd(svc.url, creds.hospital.apiKey, bill.id);
    expect(got.type).to.match(/^application\/ofd/);
    ofd = got.bytes;
    envelope = await fetchEnvelope(svc.url, creds.hospital.apiKey, bill.id);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is the same bytes at every download, for the issuer and for the holder's link (same key as the page)", async () => {
    const again = await fetchOfd(svc.url, creds.hospital.apiKey, bill.id);
    expect(again.bytes.equals(ofd)).to.equal(true);
    const holder = await fetch(bill.verifyUrl.replace("?k=", "/ofd?k="));
    expect(holder.status).to.equal(200);
    expect(Buffer.from(await holder.arrayBuffer()).equals(ofd)).to.equal(true);
    const wrongKey = await fetch(bill.verifyUrl.replace(/\?k=.*/, "/ofd?k=wrong"));
    expect(wrongKey.status).to.equal(404);
    expect(((await wrongKey.json()) as { code: string }).code).to.equal("NOT_FOUND");
    const page = await (await fetch(bill.verifyUrl)).text();
    expect(page).to.include('data-download="ofd"');
  });

  it("is a GB/T 33190 package: the standard's files, every XML file well-formed, the bill on the page and as an attachment", () => {
    const entries = new Map(entriesOf(ofd));
    expect([...entries.keys()]).to.include.members([
      "OFD.xml",
      "Doc_0/Document.xml",
      "Doc_0/PublicRes.xml",
      "Doc_0/DocumentRes.xml",
      "Doc_0/Pages/Page_0/Content.xml",
      "Doc_0/Attachs/Attachments.xml",
      "Doc_0/Signs/Signatures.xml",
      "Doc_0/Signs/Sign_0/Signature.xml",
      "Doc_0/Signs/Sign_0/SignedValue.dat",
      "Doc_0/Res/font_1.ttf",
    ]);
    for (const [name, data] of entries) if (name.endsWith(".xml")) expect(() => parseXml(text(data)), name).to.not.throw();
    const root = parseXml(text(entries.get("OFD.xml")!));
    expect(find(root, "DocRoot")?.text).to.equal("Doc_0/Document.xml");
    const content = parseXml(text(entries.get("Doc_0/Pages/Page_0/Content.xml")!));
    const texts = all(content, "TextCode").map((t) => t.text);
    expect(texts.join("")).to.include(envelope.bill.billNumber).and.include(envelope.bill.issuer.name).and.include(envelope.bill.total);
    // the QR code's dark modules are filled rectangles: one path with many "M … C" runs
    const paths = all(content, "PathObject").map((p) => find(p, "AbbreviatedData")!.text);
    expect(Math.max(...paths.map((d) => d.split("M ").length))).to.be.greaterThan(50);
    const attached = JSON.parse(text(entries.get("Doc_0/Attachs/lianpiao-bill.json")!));
    const { document, ...rest } = attached;
    expect(document).to.deep.equal({ renderer: "lianpiao-ofd/1", verifyUrl: bill.verifyUrl });
    expect(rest).to.deep.equal(envelope);
    // the embedded font is a TrueType file (0x00010000)
    expect(Buffer.from(entries.get("Doc_0/Res/font_1.ttf")!).readUInt32BE(0)).to.equal(0x00010000);
  });

  it("is signed: SM3 digests of every file (gm-crypto), and an SM2 signature of Signature.xml by the key the registry records", () => {
    const entries = new Map(entriesOf(ofd));
    const signature = entries.get("Doc_0/Signs/Sign_0/Signature.xml")!;
    const refs = all(parseXml(text(signature)), "Reference");
    expect(refs.length).to.equal(entries.size - 3); // all but Signatures.xml, Signature.xml and SignedValue.dat
    for (const r of refs) {
      const data = entries.get(r.attrs.FileRef.slice(1));
      expect(data, r.attrs.FileRef).to.not.equal(undefined);
      expect(find(r, "CheckValue")!.text).to.equal(Buffer.from(SM3.digest(Buffer.from(data!)) as ArrayBuffer).toString("base64"));
    }
    const rs = derToRs(entries.get("Doc_0/Signs/Sign_0/SignedValue.dat")!);
    expect(rs).to.match(/^0x[0-9a-f]{128}$/);
    expect(independentSm2Verify(envelope.sm2.publicKey, signature, rs!)).to.equal(true);
    expect(independentSm2Verify(envelope.sm2.publicKey, Buffer.concat([Buffer.from(signature), Buffer.from(" ")]), rs!)).to.equal(false);
  });

  it("verifies VALID on upload, with the sm2 check against the registry and the file rule passed", async () => {
    const r = await uploadOfd(svc.url, ofd);
    expect(r.status).to.equal(200);
    expect(r.body.verdict, JSON.stringify(r.body.checks)).to.equal("VALID");
    expect(checkOf(r.body, "sm2").status).to.equal("passed");
    expect(checkOf(r.body, "sm2").detail).to.include(keccak256(envelope.sm2.publicKey));
    expect(checkOf(r.body, "file")).to.include({ status: "passed" });
    // delivered by this service (its SHA-256 recorded at download), so recognised without a re-render
    expect(checkOf(r.body, "file").detail).to.include("exactly an OFD file this service delivered").and.include("lianpiao-ofd/1");
  });

  it("is INVALID when one byte of Content.xml changes, naming that file", async () => {
    const forged = rezip(ofd, envelope.bill.issuedAt, (e) => {
      const page = Buffer.from(e.get("Doc_0/Pages/Page_0/Content.xml")!);
      const at = page.indexOf(Buffer.from(envelope.bill.total));
      page[at] = page[at] === 0x31 ? 0x39 : 0x31;
      e.set("Doc_0/Pages/Page_0/Content.xml", page);
    });
    expect(forged.length).to.equal(ofd.length);
    const r = await uploadOfd(svc.url, forged);
    expect(r.body.verdict).to.equal("INVALID");
    expect(checkOf(r.body, "file")).to.include({ status: "failed", code: "FILE_MODIFIED" });
    expect(checkOf(r.body, "file").detail).to.include("Doc_0/Pages/Page_0/Content.xml");
  });

  it("is INVALID when the attachment is swapped for another genuine bill's, or the signature is altered", async () => {
    const other = await issueAnchored(svc.url, creds.hospital.apiKey);
    const otherOfd = (await fetchOfd(svc.url, creds.hospital.apiKey, other.id)).bytes;
    const otherJson = new Map(entriesOf(otherOfd)).get("Doc_0/Attachs/lianpiao-bill.json")!;
    const swapped = rezip(ofd, envelope.bill.issuedAt, (e) => e.set("Doc_0/Attachs/lianpiao-bill.json", otherJson));
    const r1 = await uploadOfd(svc.url, swapped);
    expect(r1.body.verdict).to.equal("INVALID");
    expect(checkOf(r1.body, "file")).to.include({ status: "failed", code: "FILE_MODIFIED" });
    const resigned = rezip(ofd, envelope.bill.issuedAt, (e) => {
      const v = Buffer.from(e.get("Doc_0/Signs/Sign_0/SignedValue.dat")!);
      v[v.length - 1] ^= 1;
      e.set("Doc_0/Signs/Sign_0/SignedValue.dat", v);
    });
    const r2 = await uploadOfd(svc.url, resigned);
    expect(r2.body.verdict).to.equal("INVALID");
    expect(checkOf(r2.body, "file")).to.include({ status: "failed", code: "FILE_MODIFIED" });
    expect(checkOf(r2.body, "file").detail).to.include("SignedValue.dat");
  });

  it("refuses an upload that is not an OFD package with 422 OFD_INVALID; a PDF still verifies as before", async () => {
    const r = await uploadOfd(svc.url, Buffer.from("PK\u0003\u0004 not really a zip"));
    expect(r.status).to.equal(422);
    expect(r.body.code).to.equal("OFD_INVALID");
    const pdf = await uploadPdf(svc.url, await fetchPdf(svc.url, creds.hospital.apiKey, bill.id));
    expect(pdf.body.verdict).to.equal("VALID");
    expect(checkOf(pdf.body, "sm2").status).to.equal("passed");
  });

  it("verifies with `lianpiao verify bill.ofd` against the chain alone", () => {
    const file = path.join(dir, "bill.ofd");
    fs.writeFileSync(file, ofd);
    const run = spawnSync(process.execPath, ["scripts/lianpiao.js", "verify", file, "--rpc", creds.rpcUrl, "--registry", creds.registryAddress, "--json"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(run.status, run.stderr).to.equal(0);
    const v = JSON.parse(run.stdout);
    expect(v.verdict).to.equal("VALID");
    expect(checkOf(v, "file")).to.include({ status: "passed" });
  });
});
