// Adversarial review of SM2 seals and OFD uploads, against a real service on its embedded chain with
// the demo's development keys: a bill re-sealed with the charity's SM2 key (its EIP-712 signature
// intact), a seal over another bill hash, a seal key recorded by an account that is not the registrar;
// OFD packages with Signature.xml's references changed and SignedValue.dat reused, another genuine
// bill's attachment, extra / traversal / duplicate entry names, a zip bomb (many small entries that
// inflate to gigabytes, and a size declared huge or lying small), and XML with an external entity or
// billion laughs. The service must answer 4xx (or INVALID) quickly and stay up.
import fs from "node:fs";
import { expect } from "chai";
import { zip, zipSync, type AsyncZippable } from "fflate";
import { sm3 } from "sm-crypto-v2";
import { devWallet } from "../../server/chain/accounts";
import { sealBillSm2, sealKeyOf } from "../../server/sm/sm2";
import { extractEnvelope, renderBillPdf } from "../../server/pdf";
import type { BillEnvelope } from "../../server/issuance/model";
import { checkOf, fetchPdf, issueAnchored, sharedService, uploadPdf, type DemoCreds, type Issued, type ServiceProcess } from "../verification/fixtures";
import { fetchOfd, rezip, text, uploadOfd } from "../ofd/helpers";
import { chainAccess, refusalOf, rpc } from "./attack-fixtures";

const HOSPITAL = 1;
const CHARITY = 2;
const INSURER = 3;
const SIG = "Doc_0/Signs/Sign_0/Signature.xml";

describe("attacks on SM2 seals and OFD uploads", function () {
  this.timeout(240_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let bill: Issued;
  let other: Issued;
  let ofd: Buffer;
  let otherOfd: Buffer;
  let attachment: BillEnvelope & { document: { verifyUrl: string } };
  let chainId: number;
  let bomb: Buffer;

  before(async () => {
    // deflating 2 GB takes seconds: done in fflate's worker threads, so that this process's event loop
    // stays free and its HTTP client closes idle connections before the service does (blocked, it reused
    // a connection the service had closed meanwhile: "other side closed")
    const zero = new Uint8Array(8 << 20);
    const z: AsyncZippable = {};
    for (let i = 0; i < 256; i++) z[`Doc_0/Res/r${i}.bin`] = [zero, { level: 9 }];
    bomb = Buffer.from(await new Promise<Uint8Array>((resolve, reject) => zip(z, (err, out) => (err ? reject(err) : resolve(out)))));
    svc = await sharedService();
    creds = svc.credentials();
    bill = await issueAnchored(svc.url, creds.hospital.apiKey);
    other = await issueAnchored(svc.url, creds.hospital.apiKey);
    ofd = (await fetchOfd(svc.url, creds.hospital.apiKey, bill.id)).bytes;
    otherOfd = (await fetchOfd(svc.url, creds.hospital.apiKey, other.id)).bytes;
    const got = extractEnvelope(await fetchPdf(svc.url, creds.hospital.apiKey, bill.id));
    if (!got.ok) throw new Error(got.message);
    attachment = got.envelope as typeof attachment;
    chainId = Number(await rpc(creds.rpcUrl, "eth_chainId"));
    expect(devWallet(HOSPITAL).address).to.equal(creds.hospital.account);
    expect(devWallet(CHARITY).address).to.equal(creds.charity.account);
  });

  const sealed = (billHash = attachment.billHash) => ({
    billHash,
    billCode: attachment.bill.billCode,
    billNumber: attachment.bill.billNumber,
    chainId,
    registry: creds.registryAddress,
  });
  const reSealed = async (sm2: { publicKey: string; signature: string }) => {
    const { document: doc, ...env } = attachment;
    return uploadPdf(svc.url, await renderBillPdf({ ...(env as BillEnvelope), sm2 }, { verifyUrl: doc.verifyUrl }));
  };

  it("the genuine PDF verifies VALID (the baseline the forgeries below differ from)", async () => {
    const { document: doc, ...env } = attachment;
    const v = await uploadPdf(svc.url, await renderBillPdf(env as BillEnvelope, { verifyUrl: doc.verifyUrl }));
    expect(v.body.verdict, JSON.stringify(v.body.checks)).to.equal("VALID");
  });

  it("refuses a bill sealed with the charity's genuine SM2 key (the EIP-712 signature intact): SM2_KEY_MISMATCH", async () => {
    const v = await reSealed(sealBillSm2(sealKeyOf(devWallet(CHARITY).privateKey), sealed()));
    expect(v.body.verdict).to.equal("INVALID");
    expect(checkOf(v.body, "signature").status, "the EIP-712 signature is the genuine one").to.equal("passed");
    expect(checkOf(v.body, "sm2")).to.include({ status: "failed", code: "SM2_KEY_MISMATCH" });
  });

  it("refuses the hospital's own SM2 seal over another bill hash, or over this bill on another registry: SM2_BAD_SIGNATURE", async () => {
    const key = sealKeyOf(devWallet(HOSPITAL).privateKey);
    expect(key.publicKey, "the test derives the hospital's real seal key").to.equal(attachment.sm2.publicKey);
    for (const values of [sealed(`0x${"11".repeat(32)}`), { ...sealed(), registry: `0x${"22".repeat(20)}` }, { ...sealed(), chainId: chainId + 1 }]) {
      const v = await reSealed(sealBillSm2(key, values));
      expect(v.body.verdict).to.equal("INVALID");
      expect(checkOf(v.body, "sm2")).to.include({ status: "failed", code: "SM2_BAD_SIGNATURE" });
    }
  });

  it("lets no account but the registrar record a seal key hash (the issuer itself, another issuer, a relying party)", async () => {
    const chain = chainAccess(creds.rpcUrl, creds.registryAddress);
    try {
      const charityKeyHash = `0x${"33".repeat(32)}`;
      for (const i of [HOSPITAL, CHARITY, INSURER]) {
        expect(await refusalOf(chain.as(i), "setSealKey", [creds.hospital.account, charityKeyHash]), `account ${i}`).to.equal(
          "AccessControlUnauthorizedAccount",
        );
      }
    } finally {
      chain.close();
    }
  });

  it("refuses an OFD whose Signature.xml references a changed page (digest updated) with the old SignedValue.dat", async () => {
    const page = "Doc_0/Pages/Page_0/Content.xml";
    const forged = rezip(ofd, attachment.bill.issuedAt, (e) => {
      const before = e.get(page)!;
      const after = Buffer.from(text(before).replace("157.00", "957.00"), "utf8");
      expect(after.equals(Buffer.from(before)), "the page shows the total").to.equal(false);
      e.set(page, after);
      const b64 = (d: Uint8Array) => Buffer.from(sm3(d), "hex").toString("base64");
      const sig = text(e.get(SIG)!);
      expect(sig).to.contain(b64(before));
      e.set(SIG, Buffer.from(sig.replace(b64(before), b64(after)), "utf8"));
    });
    const v = await uploadOfd(svc.url, forged);
    expect(v.status).to.equal(200);
    expect(v.body.verdict).to.equal("INVALID");
    expect(checkOf(v.body, "file").status).to.equal("failed");
  });

  it("refuses an OFD carrying another genuine bill's attachment (same issuer, same SM2 key)", async () => {
    const attach = (b: Buffer) => {
      let found: Uint8Array | undefined;
      rezip(b, attachment.bill.issuedAt, (e) => {
        for (const [name, data] of e) if (name.endsWith("lianpiao-bill.json")) found = data;
      });
      return found!;
    };
    const swapped = rezip(ofd, attachment.bill.issuedAt, (e) => {
      for (const name of e.keys()) if (name.endsWith("lianpiao-bill.json")) e.set(name, attach(otherOfd));
    });
    const v = await uploadOfd(svc.url, swapped);
    expect(v.body.verdict).to.equal("INVALID");
    expect(checkOf(v.body, "file").status).to.equal("failed");
  });

  it("refuses a genuine package with an extra entry, a path-traversal name, or a duplicate OFD.xml, and writes nothing outside", async () => {
    const marker = `lianpiao-attack-${process.pid}`;
    const extra = rezip(ofd, attachment.bill.issuedAt, (e) => e.set(`../../../../tmp/${marker}`, Buffer.from("x")));
    const v1 = await uploadOfd(svc.url, extra);
    expect(v1.body.verdict).to.equal("INVALID");
    expect(fs.existsSync(`/tmp/${marker}`)).to.equal(false);
    // a second entry also named OFD.xml after the genuine one (its name patched in both headers): the
    // reader takes the last, a viewer may take the first; either way it is not the file issued
    const twice = rezip(ofd, attachment.bill.issuedAt, (e) => e.set("OFD.xmX", Buffer.concat([Buffer.from(e.get("OFD.xml")!), Buffer.from("<!-- decoy -->")])));
    let patched = Buffer.from(twice);
    for (let at = patched.indexOf("OFD.xmX"); at >= 0; at = patched.indexOf("OFD.xmX", at + 1)) patched.write("OFD.xml", at, "latin1");
    const v2 = await fetch(`${svc.url}/api/v1/verify`, { method: "POST", headers: { "content-type": "application/ofd" }, body: patched });
    const body = (await v2.json()) as any;
    expect(v2.status === 422 || body.verdict === "INVALID", JSON.stringify(body).slice(0, 300)).to.equal(true);
    expect(body.verdict).to.not.equal("VALID");
  });

  const timed = async (body: Buffer) => {
    const t = Date.now();
    const r = await uploadOfd(svc.url, body);
    return { ...r, ms: Date.now() - t };
  };
  const alive = async () => expect((await fetch(`${svc.url}/healthz`)).status).to.equal(200);

  it("refuses a zip bomb quickly: 256 entries of 8 MB of zeros (a 2 MB upload, 2 GB inflated), and stays up", async () => {
    expect(bomb.length).to.be.below(5 << 20);
    const r = await timed(bomb);
    expect([r.status, r.body.code, r.body.extractCode]).to.deep.equal([422, "OFD_INVALID", "OFD_TOO_LARGE"]);
    expect(r.ms, "answered without inflating gigabytes").to.be.below(3000);
    await alive();
  });

  it("refuses an entry declared huge, and inflates a lying small declared size no further than declared", async () => {
    const one = (size: number) => {
      const b = Buffer.from(zipSync({ "OFD.xml": [new Uint8Array(4 << 20), { level: 9 }] }));
      const central = b.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      b.writeUInt32LE(size, 22);
      b.writeUInt32LE(size, central + 24);
      return b;
    };
    const huge = await timed(one(0xffff_fff0));
    expect([huge.status, huge.body.extractCode]).to.deep.equal([422, "OFD_TOO_LARGE"]);
    const lying = await timed(one(100));
    expect(lying.status).to.equal(422);
    expect(lying.ms).to.be.below(3000);
    await alive();
  });

  it("refuses OFD.xml with an external entity or billion laughs: 422 quickly, no file content in the answer", async () => {
    const doc = (dtd: string, ref: string) =>
      rezip(ofd, attachment.bill.issuedAt, (e) =>
        e.set(
          "OFD.xml",
          Buffer.from(
            `<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE ofd:OFD [${dtd}]><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.1" DocType="OFD"><ofd:DocBody><ofd:DocRoot>${ref}</ofd:DocRoot></ofd:DocBody></ofd:OFD>`,
          ),
        ),
      );
    const lol = ['<!ENTITY l0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`)].join("");
    const hostname = fs.readFileSync("/etc/hostname", "utf8").trim();
    // a DTD is never read (saxes is non-validating and resolves no external or declared entity): a
    // reference to an entity fails the parse (422); a package whose references need none reads on, and
    // is then not the file issued (INVALID)
    for (const [what, body, status] of [
      ["external file entity", doc('<!ENTITY x SYSTEM "file:///etc/passwd">', "&x;"), 422],
      ["external http entity", doc(`<!ENTITY x SYSTEM "${svc.url}/healthz">`, "&x;"), 422],
      ["billion laughs", doc(lol, "&l9;"), 422],
      ["parameter entity", doc('<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;', "Doc_0/Document.xml"), 200],
    ] as const) {
      const r = await timed(body);
      expect(r.status, what).to.equal(status);
      if (status === 200) expect(r.body.verdict, what).to.equal("INVALID");
      expect(JSON.stringify(r.body), what).to.not.match(/root:|lolololol/);
      if (hostname.length > 3) expect(JSON.stringify(r.body), what).to.not.contain(hostname);
      expect(r.ms, what).to.be.below(3000);
    }
    await alive();
  });

  it("refuses XML nested 30,000 levels deep at once, not after exhausting the stack", async () => {
    const depth = 30_000; // 210 kB: under the size limit of a parsed file
    const deep = Buffer.from(zipSync({ "OFD.xml": [Buffer.from("<a>".repeat(depth) + "</a>".repeat(depth)), { level: 9 }] }));
    expect(deep.length).to.be.below(16_000);
    const r = await timed(deep);
    expect([r.status, r.body.code]).to.deep.equal([422, "OFD_INVALID"]);
    expect(r.body.detail).to.not.match(/call stack/i);
    expect(r.body.detail).to.match(/nested deeper/);
    expect(r.ms).to.be.below(1000);
    await alive();
  });

  it("refuses an index file of two million empty elements (an 8 kB upload) without reading it", async () => {
    const wide = Buffer.from(zipSync({ "OFD.xml": [Buffer.from(`<r>${"<a/>".repeat(2_000_000)}</r>`), { level: 9 }] }));
    expect(wide.length).to.be.below(16_000);
    const r = await timed(wide);
    expect([r.status, r.body.code]).to.deep.equal([422, "OFD_INVALID"]);
    expect(r.body.detail).to.match(/larger than/);
    expect(r.ms).to.be.below(1000);
    // the genuine package still reads (its index files are far below the limit)
    expect((await uploadOfd(svc.url, ofd)).body.verdict).to.equal("VALID");
  });
});
