// Issue 14: crafted uploads are read off the request thread: one of 150,000 tiny objects is refused
// with FILE_TOO_COMPLEX, and an issuer request sent while a costly one is read is answered first.
import http from "node:http";
import { expect } from "chai";
import { craftedManyObjectPdf } from "../../scripts/lib/crafted-pdf";
import { issue, sharedService, uploadPdf, type DemoCreds, type Issued, type ServiceProcess } from "./fixtures";

/** POST the PDF; `onSent` runs once the whole body has been handed to the socket. */
function upload(base: string, pdf: Buffer, onSent: () => void): Promise<{ status: number; body: any }> {
  const u = new URL(`${base}/api/v1/verify`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname, method: "POST", headers: { "content-type": "application/pdf", "content-length": pdf.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) }));
      },
    );
    req.on("error", reject);
    req.on("finish", onSent);
    req.end(pdf);
  });
}

describe("uploads too complex to read", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let bill: Issued;
  const crafted = craftedManyObjectPdf();

  before(async () => {
    svc = await sharedService();
    creds = svc.credentials();
    bill = await issue(svc.url, creds.hospital.apiKey);
  });

  it("answers a 5 MB PDF of 150,000 tiny objects with 422 FILE_TOO_COMPLEX (limit: objects)", async () => {
    expect(crafted.length).to.be.within(4.5 * 1024 * 1024, 5 * 1024 * 1024);
    const r = await uploadPdf(svc.url, crafted);
    expect(r.status).to.equal(422);
    expect(r.headers.get("content-type")).to.match(/^application\/problem\+json/);
    expect(r.body).to.include({ code: "FILE_TOO_COMPLEX", status: 422, limit: "objects" });
    expect(r.body.type).to.equal("https://lianpiao.dev/problems/file-too-complex");
  });

  it("answers an issuer's request sent while a crafted upload is read before the upload's answer", async () => {
    // under the object cap, but each object's dictionary is costly to read: hundreds of milliseconds of
    // parsing, where the issuer's request takes a few; before the parse workers it waited for all of it
    const slow = craftedManyObjectPdf(4_900, 0, 400);
    const order: string[] = [];
    let ordinary: Promise<number> | undefined;
    const crafty = upload(svc.url, slow, () => {
      // the body is all sent: the service reads it now, and must go on answering others meanwhile
      ordinary = fetch(`${svc.url}/api/v1/invoices/${bill.id}`, { headers: { authorization: `Bearer ${creds.hospital.apiKey}` } }).then(async (r) => {
        await r.arrayBuffer();
        order.push("ordinary");
        return r.status;
      });
    }).then((r) => {
      order.push("crafted");
      return r;
    });
    const answer = await crafty;
    expect(answer.status).to.equal(422);
    expect(answer.body).to.include({ code: "PDF_INVALID", extractCode: "PDF_NO_ATTACHMENT" });
    expect(await ordinary).to.equal(200);
    expect(order).to.deep.equal(["ordinary", "crafted"]);
  });
});
