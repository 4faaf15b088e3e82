// Adversarial review of claims over the API and of redacted copies, against a real service on its
// embedded chain with the demo's development keys: concurrent claims racing for what remains, a party
// releasing another's claim, the 409s' bodies (no other party's name or reference), an issuer voiding a
// claimed bill, a party pinning the registry's cap to /total with its own key before the service
// claims; copies with a withheld value put back (wrong value, right value with a guessed salt, right
// value with the right salt), a salt added for a withheld field, the withheld list shrunk or widened,
// copy links with `w` or `c` changed, and the bill's key `k` or ID number anywhere in a copy.
import { expect } from "chai";
import { Contract, JsonRpcProvider, hexlify, id as keccakUtf8, randomBytes } from "ethers";
import { devWallet, loadRegistryAbi } from "../../server/chain";
import { makeCreditCode } from "../../server/issuance/check-digits";
import { commitBill, fieldProof, valueBytes } from "../../server/issuance/commitments";
import { extractEnvelope, renderBillPdf } from "../../server/pdf";
import type { BillEnvelope } from "../../server/issuance/model";
import { call, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { waitFor } from "../helpers/processes";
import { checkOf, issueAnchored, sharedService, uploadPdf, verifyUrlJson, type DemoCreds, type ServiceProcess } from "../verification/fixtures";

const ID_NUMBER = "11010519491231002X";
const INSURER = 3;

describe("attacks on claims over the API and on redacted copies", function () {
  this.timeout(240_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let provider: JsonRpcProvider;
  let registry: Contract;
  let employer: { apiKey: string; account: string; name: string };
  let insurerName: string;

  before(async () => {
    svc = await sharedService();
    creds = svc.credentials();
    provider = new JsonRpcProvider(creds.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
    registry = new Contract(creds.registryAddress, loadRegistryAbi(), provider);
    const name = "示范市某攻击测试公司 (employer)";
    const admitted = await call(svc.url, "POST", "/api/v1/relying-parties", {
      key: creds.bureau.apiKey,
      body: { name, creditCode: makeCreditCode("91110000MA0000789") },
    });
    expect(admitted.status, JSON.stringify(admitted.body)).to.equal(201);
    employer = { apiKey: admitted.body.apiKey, account: admitted.body.account, name };
    const parties = await call(svc.url, "GET", "/api/v1/relying-parties", { key: creds.bureau.apiKey });
    insurerName = parties.body.items.find((p: { id: string }) => p.id === creds.insurer.institutionId).name;
  });
  after(() => provider?.destroy());

  async function anchoredBill() {
    const r = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    await waitAnchored(svc.url, creds.hospital.apiKey, r.body.id, 60_000);
    const detail = await call(svc.url, "GET", `/api/v1/invoices/${r.body.id}`, { key: creds.hospital.apiKey });
    return { ...r.body, leaf: detail.body.leaf as string };
  }
  const claim = (key: string, b: any, reference: string, amountFen?: number) =>
    call(svc.url, "POST", "/api/v1/reimbursements", {
      key,
      body: {
        billCode: b.billCode,
        billNumber: b.billNumber,
        checkCode: b.checkCode,
        total: "157.00",
        reference,
        ...(amountFen === undefined ? {} : { amountFen }),
      },
    });
  const release = (key: string, b: any, reference: string) =>
    call(svc.url, "POST", `/api/v1/reimbursements/${b.billCode}/${b.billNumber}/release-claim`, { key, body: { reference } });
  const onChain = async (leaf: string) => {
    const s = await registry.statusOf(creds.hospital.account, leaf);
    return { claimedFen: Number(s.claimedFen), capFen: Number(s.capFen), claimCount: Number(s.claimCount) };
  };
  const settled = (leaf: string, fen: number, count: number) =>
    waitFor(
      `${fen} fen in ${count} claims on chain`,
      async () => {
        const s = await onChain(leaf);
        return s.claimedFen === fen && s.claimCount === count;
      },
      60_000,
    );

  describe("claims", () => {
    it("lets no more than the cash paid through when two parties race ten concurrent claims, and the chain agrees", async () => {
      const bill = await anchoredBill();
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => claim(i % 2 ? employer.apiKey : creds.insurer.apiKey, bill, `RACE-${i}`, 1000)));
      const won = answers.filter((a) => a.status === 201);
      expect(won.length, JSON.stringify(answers.map((a) => a.status))).to.equal(3);
      for (const a of answers.filter((x) => x.status !== 201)) expect([a.status, a.body.code]).to.deep.equal([409, "CLAIM_EXCEEDS_REMAINING"]);
      await settled(bill.leaf, 3000, 3);
      const last = await claim(employer.apiKey, bill, "RACE-last");
      expect([last.status, last.body.amountFen, last.body.remainingFen]).to.deep.equal([201, 700, 0]);
      await settled(bill.leaf, 3700, 4);
    });

    it("never lets a party release another's claim (same reference), nor the issuer void the claimed bill; 409s name no other party", async () => {
      const bill = await anchoredBill();
      const secret = "EMPLOYER-CONFIDENTIAL-REF-42";
      expect((await claim(employer.apiKey, bill, secret, 2000)).status).to.equal(201);
      const stolen = await release(creds.insurer.apiKey, bill, secret);
      expect([stolen.status, stolen.body.code]).to.deep.equal([404, "NO_CLAIM"]);
      const over = await claim(creds.insurer.apiKey, bill, "PICC-1", 2000);
      expect([over.status, over.body.code, over.body.remainingFen]).to.deep.equal([409, "CLAIM_EXCEEDS_REMAINING", 1700]);
      const again = await claim(employer.apiKey, bill, secret, 1);
      expect([again.status, again.body.code]).to.deep.equal([409, "CLAIM_EXISTS"]);
      const voided = await call(svc.url, "POST", `/api/v1/invoices/${bill.id}/void`, { key: creds.hospital.apiKey, body: { reason: "开错票" } });
      expect(voided.status, JSON.stringify(voided.body)).to.equal(409);
      for (const r of [over, stolen, voided]) {
        const text = JSON.stringify(r.body);
        expect(text).to.not.contain(secret).and.to.not.contain(employer.name).and.to.not.contain(employer.account);
      }
      await settled(bill.leaf, 2000, 1);
      const claims = await registry.claimsOf(creds.hospital.account, bill.leaf);
      expect(claims.map((c: any) => [c.party, String(c.claimReference)])).to.deep.equal([[employer.account, keccakUtf8(secret)]]);
      expect(insurerName).to.be.a("string");
    });

    it("a party that pins the registry's cap to /total with its own key (1 fen) neither lifts the service's cap nor leaves it taking claims the chain refuses", async () => {
      const bill = await anchoredBill();
      const env = (await call(svc.url, "GET", `/api/v1/invoices/${bill.id}/envelope`, { key: creds.hospital.apiKey })).body;
      // the insurer's own key, straight to the registry, opening /total (157.00) of a bill with a settlement
      const c = commitBill(env.bill, env.salts);
      expect(c.billHash).to.equal(env.billHash);
      const opening = { pointer: "/total", salt: env.salts["/total"], value: valueBytes(env.bill.total), proof: fieldProof(c.commitments, "/total").proof };
      const asParty = registry.connect(devWallet(INSURER).connect(provider)) as Contract;
      await (
        await asParty.claim(creds.hospital.account, env.anchor.root, env.billHash, env.anchor.proof, opening, 1, `0x${"77".repeat(32)}`, { gasLimit: 500_000 })
      ).wait();
      expect(await onChain(bill.leaf)).to.deep.equal({ claimedFen: 1, capFen: 15700, claimCount: 1 });
      // the service either refuses up front, or the claim it accepts reaches the chain: never a 201 the registry then undoes
      const r = await claim(employer.apiKey, bill, "HR-pinned", 1000);
      if (r.status === 201) await settled(bill.leaf, 1001, 2);
      else expect([r.status, r.body.code]).to.deep.equal([409, "CLAIM_EXCEEDS_REMAINING"]);
      // and nothing beyond the cash paid is taken through the service
      const all = await claim(employer.apiKey, bill, "HR-rest");
      if (all.status === 201) expect(all.body.claimedFen).to.be.at.most(3700);
    });
  });

  describe("redacted copies", () => {
    let bill: Awaited<ReturnType<typeof issueAnchored>>;
    let k: string;
    const holderCopy = (format: "pdf" | "json", withhold: string) => fetch(`${svc.url}/v/${bill.id}/copy.${format}?k=${k}&withhold=${withhold}`);
    const local = (url: string) => url.replace(/^https?:\/\/[^/]+/, svc.url);
    const copyJson = async (withhold: string) => {
      const { document: doc, ...env } = (await (await holderCopy("json", withhold)).json()) as BillEnvelope & { document: { verifyUrl: string } };
      return { env: env as BillEnvelope, verifyUrl: doc.verifyUrl };
    };
    const upload = async (env: BillEnvelope, verifyUrl: string) => uploadPdf(svc.url, await renderBillPdf(env, { verifyUrl }));

    before(async () => {
      bill = await issueAnchored(svc.url, creds.hospital.apiKey);
      k = new URL(bill.verifyUrl).searchParams.get("k")!;
    });

    it("puts a withheld ID number back: a wrong value or the right one under a guessed salt fails integrity; the right salt gives the full bill, consistently", async () => {
      const { env, verifyUrl } = await copyJson("idNumber");
      const put = (value: string, salt: string) => {
        const f = structuredClone(env) as any;
        delete f.withheld["/payer/idNumber"];
        f.bill.payer = { ...f.bill.payer, idNumber: value };
        f.salts["/payer/idNumber"] = salt;
        return f as BillEnvelope;
      };
      for (const [what, forged] of [
        ["a wrong value", put("110105194912310038", hexlify(randomBytes(32)))],
        ["the right value, a guessed salt", put(ID_NUMBER, hexlify(randomBytes(32)))],
      ] as const) {
        const v = await upload(forged, verifyUrl);
        expect(v.body.verdict, what).to.equal("INVALID");
        expect(checkOf(v.body, "integrity"), what).to.include({ status: "failed", code: "HASH_MISMATCH" });
      }
      // the holder (who has the full envelope) restores it exactly: the bill hash holds, and the page is
      // the full bill's, not a copy's (nothing listed as withheld), but the copy link's set no longer matches
      const full = (await call(svc.url, "GET", `/api/v1/invoices/${bill.id}/envelope`, { key: creds.hospital.apiKey })).body;
      const restored = await upload(put(ID_NUMBER, full.salts["/payer/idNumber"]), verifyUrl);
      expect(checkOf(restored.body, "integrity").status).to.equal("passed");
      expect(restored.body.withheld ?? []).to.deep.equal([]);
      expect(restored.body.verdict, "a restored copy under the copy's link is not the copy issued").to.equal("INVALID");
      expect(checkOf(restored.body, "file").status).to.equal("failed");
    });

    it("refuses a salt added for a withheld field, a withheld list shrunk (value still absent) or widened (value still shown)", async () => {
      const { env, verifyUrl } = await copyJson("idNumber,payerName");
      const salted = structuredClone(env) as any;
      salted.salts["/payer/idNumber"] = hexlify(randomBytes(32));
      const shrunk = structuredClone(env) as any;
      delete shrunk.withheld["/payer/name"];
      const widened = structuredClone(env) as any;
      widened.withheld["/payer/patientType"] = hexlify(randomBytes(32));
      for (const [what, forged] of [
        ["a salt for a withheld field", salted],
        ["a withheld field dropped from the list", shrunk],
        ["a shown field also listed as withheld", widened],
      ] as const) {
        const v = await upload(forged, verifyUrl);
        expect(v.body.verdict, what).to.not.equal("VALID");
        expect(v.body.verdict, what).to.be.oneOf(["INVALID", "MALFORMED", "UNVERIFIABLE"]);
      }
      // withholding more than the link says (the items as well, under the link of idNumber,payerName)
      const more = structuredClone(env) as any;
      const items = (await copyJson("idNumber,items,payerName")).env;
      more.bill = items.bill;
      more.salts = items.salts;
      more.withheld = items.withheld;
      const v = await upload(more, verifyUrl);
      expect(checkOf(v.body, "integrity").status).to.equal("passed");
      expect(v.body.verdict).to.equal("INVALID");
      expect(checkOf(v.body, "file").status).to.equal("failed");
    });

    it("refuses a copy link with w changed, a mac truncated, extended, of another bill, or of the empty set; accepts only the mac of the set", async () => {
      const { verifyUrl } = await copyJson("items");
      const url = new URL(local(verifyUrl));
      const c = url.searchParams.get("c")!;
      expect(c).to.match(/^[A-Za-z0-9_-]{22}$/); // 128 bits under the bill's own secret key
      const other = await issueAnchored(svc.url, creds.hospital.apiKey);
      const at = (path: string, w: string, mac: string) => verifyUrlJson(`${svc.url}${path}?w=${w}&c=${mac}`);
      expect((await at(url.pathname, "items", c)).status).to.equal(200);
      for (const [what, path, w, mac] of [
        ["w widened", url.pathname, "idNumber,items", c],
        ["w shrunk to nothing", url.pathname, "", c],
        ["mac truncated", url.pathname, "items", c.slice(0, 21)],
        ["mac extended", url.pathname, "items", `${c}A`],
        ["mac of another bill", `/v/${other.id}/copy`, "items", c],
        ["mac empty", url.pathname, "items", ""],
      ] as const) {
        const r = await at(path, w, mac);
        expect(r.status, what).to.be.oneOf([400, 404]);
        expect(JSON.stringify(r.body), what).to.not.contain(ID_NUMBER);
      }
    });

    it("never carries the bill's key k or the withheld ID number in a copy's JSON, PDF (attachment, metadata, QR link) or copy page", async () => {
      const json = await (await holderCopy("json", "idNumber")).text();
      expect(json).to.not.contain(k).and.to.not.contain(ID_NUMBER);
      const pdf = Buffer.from(await (await holderCopy("pdf", "idNumber")).arrayBuffer());
      for (const enc of ["latin1", "utf16le"] as const) {
        expect(pdf.includes(Buffer.from(k, enc)), `k in the PDF (${enc})`).to.equal(false);
        expect(pdf.includes(Buffer.from(ID_NUMBER, enc)), `ID in the PDF (${enc})`).to.equal(false);
      }
      const got = extractEnvelope(pdf);
      expect(got.ok).to.equal(true);
      const attached = JSON.stringify((got as { envelope: unknown }).envelope);
      expect(attached).to.not.contain(k).and.to.not.contain(ID_NUMBER);
      const link = (got as { envelope: { document: { verifyUrl: string } } }).envelope.document.verifyUrl;
      const page = await (await fetch(local(link))).text();
      expect(page).to.not.contain(k).and.to.not.contain(ID_NUMBER);
      const v = await uploadPdf(svc.url, pdf);
      expect(v.body.verdict).to.equal("VALID");
      expect(JSON.stringify(v.body)).to.not.contain(k).and.to.not.contain(ID_NUMBER);
    });
  });
});
