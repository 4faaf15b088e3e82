// The adversary's suite (issue "Protocol v2"): every attempt to move a verdict or a bill's state from an
// account other than the bill's issuer, run against a real Anvil node (a block a second) and the service
// as its own process, with the other accounts' real keys. Each attack ends with what the service (QR
// link, upload) and the chain-only CLI answer, and with the chain's state.
import { rmSync } from "node:fs";
import { expect } from "chai";
import { id as keccakUtf8, ZeroAddress } from "ethers";
import { getProof, makeMerkleTree } from "@openzeppelin/merkle-tree/dist/core";
import { call, DONATION_EXAMPLE, MEDICAL_EXAMPLE, waitAnchored } from "../helpers/api";
import { startAnvil, startService, waitFor, type ChainNode, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import type { BillEnvelope, DonationBill, MedicalBill } from "../../server/issuance/model";
import { withhold } from "../../server/issuance/commitments";
import { registryInterface } from "../../server/chain";
import { renderBillPdf } from "../../server/pdf";
import { deployRegistry } from "../../scripts/deploy";
import { sealKeyHash, sealKeyOf } from "../../server/sm/sm2";
import { savePdf } from "../pdf/helpers";
import { getPage, postForm } from "./bureau-session";
import {
  attachmentOf,
  chainAccess,
  check,
  cliVerify,
  confirmed,
  mine,
  nonceOf,
  outcome,
  pauseMining,
  random32,
  refusalOf,
  renderTo,
  resumeMining,
  rpc,
  sealAndAnchor,
  send,
  upload,
  verifyJson,
  waitIdle,
  waitInPool,
  withAttachment,
  type Actor,
  type ChainAccess,
} from "./attack-fixtures";

const iface = registryInterface();
const SELECTOR = { anchor: iface.getFunction("anchor")!.selector };

/** A tree over leaves taken as given (OpenZeppelin's sorted-pair hashing, as MerkleProof checks). */
function rawTree(leaves: string[]): { root: string; proof(i: number): string[] } {
  const tree = makeMerkleTree(leaves);
  return { root: tree[0], proof: (i) => getProof(tree, tree.length - 1 - i) };
}

describe("protocol attacks: other accounts against a hospital's bills (Anvil, a block a second)", function () {
  this.timeout(240_000);
  let node: ChainNode;
  let svc: ServiceProcess;
  let creds: DemoCreds;
  let chain: ChainAccess;
  let hospital: Actor;
  let charity: Actor;
  let insurer: Actor;
  let chainId: number;

  before(async () => {
    node = await startAnvil({ blockTime: 1 });
    svc = await startService({ RPC_URL: node.url, BOOTSTRAP: "dev", VERIFY_RATE_PER_MIN: "100000", LOG_LEVEL: "info" });
    creds = svc.credentials();
    chainId = creds.chainId;
    chain = chainAccess(node.url, creds.registryAddress);
    hospital = chain.as(1);
    charity = chain.as(2);
    insurer = chain.as(3);
    expect([hospital.address, charity.address, insurer.address]).to.deep.equal([creds.hospital.account, creds.charity.account, creds.insurer.account]);
  });
  after(async () => {
    chain?.close();
    await svc?.stop();
    await node?.stop();
    if (svc) rmSync(svc.dataDir, { recursive: true, force: true });
  });

  const cli = (file: string, extra: string[] = []) => cliVerify(file, node.url, creds.registryAddress, extra);

  interface Held {
    id: string;
    billCode: string;
    billNumber: string;
    checkCode: string;
    total: string;
    verifyUrl: string;
    /** the PDF as its holder has it, and the same saved for the CLI */
    pdf: Buffer;
    file: string;
    env: BillEnvelope & { document: { renderer: string; verifyUrl: string } };
  }

  /** A bill issued through the API and anchored; its PDF is what a holder (and so an attacker) has. */
  async function issued(who: "hospital" | "charity" = "hospital", body: object = who === "hospital" ? MEDICAL_EXAMPLE : DONATION_EXAMPLE): Promise<Held> {
    const key = creds[who].apiKey;
    const r = await call(svc.url, "POST", "/api/v1/invoices", { key, body });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    await waitAnchored(svc.url, key, r.body.id, 60_000);
    const res = await fetch(`${svc.url}/api/v1/invoices/${r.body.id}/pdf`, { headers: { authorization: `Bearer ${key}` } });
    const pdf = Buffer.from(await res.arrayBuffer());
    const env = attachmentOf(pdf);
    expect(env.anchor, "the PDF carries the anchor").to.not.equal(null);
    return { ...r.body, pdf, file: savePdf(`attack-${r.body.id}`, pdf), env };
  }

  const marks = (issuer: string, leaf: string) => chain.registry.statusOf(issuer, leaf);
  const batch = (issuer: string, root: string) => chain.registry.batchOf(issuer, root);

  async function reconciliation(): Promise<{ discrepancies: any[]; notices: any[] }> {
    const r = await call(svc.url, "GET", "/api/v1/registry/reconciliation?rescan=true", { key: creds.bureau.apiKey });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body;
  }
  const entriesOf = (list: any[], type: string, account: string) => list.filter((e) => e.type === type && e.account?.toLowerCase() === account.toLowerCase());

  it("attack 1: another issuer cannot void the hospital's bill — the charity anchors a root holding the hospital's leaf and voids it under itself; the service, the upload and the CLI still say VALID, and the insurer reimburses it on chain under the hospital", async () => {
    const bill = await issued();
    const leaf = bill.env.leaf;
    await waitIdle(svc);
    // the charity's own 2-leaf batch holding the hospital's (public) leaf, then the void under it
    const tree = rawTree([leaf, random32()]);
    await send(charity, "anchor", [tree.root, 2]);
    // the charity cannot name the hospital's own root (a batch of one: the leaf itself): it never anchored it
    expect(bill.env.anchor!.root).to.equal(leaf);
    expect(await refusalOf(charity, "voidBill", [bill.env.anchor!.root, leaf, bill.env.anchor!.proof, 9])).to.equal("BillRegistryUnknownRoot");
    await send(charity, "voidBill", [tree.root, leaf, tree.proof(0), 9]);
    // nor by anchoring that root itself: the void it made is the charity's, keyed (charity, leaf)
    await send(charity, "anchor", [leaf, 1]);
    expect(await refusalOf(charity, "voidBill", [leaf, leaf, [], 9])).to.equal("BillRegistryBillVoided");
    // the chain: voided under the charity, untouched under the hospital
    expect((await marks(charity.address, leaf)).voided).to.equal(true);
    expect((await marks(hospital.address, leaf)).voided).to.equal(false);

    const scanned = await verifyJson(bill.verifyUrl);
    expect(outcome(scanned)).to.deep.equal(["VALID", {}]);
    expect(scanned).to.not.have.property("void");
    const uploaded = await upload(svc.url, bill.pdf);
    expect(outcome(uploaded)).to.deep.equal(["VALID", {}]);
    const c = await cli(bill.file);
    expect(c.code, c.stderr).to.equal(0);
    expect(outcome(c.v)).to.deep.equal(["VALID", {}]);

    // the insurer reimburses it through the API; the mark lands on chain under the hospital
    const mark = await call(svc.url, "POST", "/api/v1/reimbursements", {
      key: creds.insurer.apiKey,
      body: { billCode: bill.billCode, billNumber: bill.billNumber, checkCode: bill.checkCode, total: bill.total, reference: "CLAIM-ATTACK-1" },
    });
    expect(mark.status, JSON.stringify(mark.body)).to.equal(201);
    await waitFor("the reimbursement on chain under the hospital", async () => (await marks(hospital.address, leaf)).reimbursedBy === insurer.address, 30_000);
    expect((await marks(charity.address, leaf)).reimbursedBy).to.equal(ZeroAddress);
    const after = await verifyJson(bill.verifyUrl);
    expect(after.verdict).to.equal("VALID");
    expect(after.reimbursement.by).to.match(/医疗保障局/);

    // the bureau sees the charity's roots the store does not know, and its void on the hospital's leaf
    const rec = await reconciliation();
    expect(entriesOf(rec.discrepancies, "UNKNOWN_ROOT_ON_CHAIN", charity.address).map((e) => e.root)).to.include(tree.root);
    expect(entriesOf(rec.notices, "ROOT_ALSO_ANCHORED_BY_OTHER", charity.address).map((e) => e.root)).to.include(leaf);
    expect(entriesOf(rec.notices, "MARK_UNDER_OTHER_ISSUER", charity.address).map((e) => e.leaf)).to.include(leaf);
  });

  it("attack 2: a copy of the hospital's pending anchor(root), sent by the charity with a higher tip and mined first in the same block, leaves the hospital's anchor standing: its bill is VALID (service and CLI) and the worker sent exactly one transaction", async () => {
    await waitIdle(svc);
    const nonceBefore = await nonceOf(node.url, hospital.address);
    await pauseMining(node.url);
    let id: string;
    let copyHash: string;
    let theirs: string;
    try {
      const r = await call(svc.url, "POST", "/api/v1/invoices", { key: creds.hospital.apiKey, body: MEDICAL_EXAMPLE });
      expect(r.status).to.equal(201);
      id = r.body.id;
      const pending = await waitInPool(node.url, hospital.address, SELECTOR.anchor);
      theirs = pending.hash;
      const tip = BigInt(pending.maxPriorityFeePerGas ?? pending.gasPrice ?? "1000000000");
      const cap = BigInt(pending.maxFeePerGas ?? pending.gasPrice ?? "2000000000");
      const copy = await charity.wallet.sendTransaction({
        to: creds.registryAddress,
        data: pending.input,
        gasLimit: 200_000,
        maxPriorityFeePerGas: tip * 10n,
        maxFeePerGas: cap + tip * 10n,
      });
      copyHash = copy.hash;
      await mine(node.url);
    } finally {
      await resumeMining(node.url);
    }
    const [copied, own] = await Promise.all([chain.provider.getTransactionReceipt(copyHash!), chain.provider.getTransactionReceipt(theirs!)]);
    // both in one block, the copy first; both succeed: the registry keys the batch by its sender
    expect(copied!.blockNumber).to.equal(own!.blockNumber);
    expect(copied!.index).to.be.lessThan(own!.index);
    expect([copied!.status, own!.status]).to.deep.equal([1, 1]);
    const root = iface.decodeFunctionData("anchor", (await chain.provider.getTransaction(theirs!))!.data)[0] as string;
    expect(Number((await batch(charity.address, root)).blockNumber)).to.equal(copied!.blockNumber);
    expect(Number((await batch(hospital.address, root)).blockNumber)).to.equal(own!.blockNumber);

    const detail = await waitAnchored(svc.url, creds.hospital.apiKey, id!, 30_000);
    expect(detail.anchor.txHash).to.equal(theirs!);
    const pdf = Buffer.from(
      await (await fetch(`${svc.url}/api/v1/invoices/${id!}/pdf`, { headers: { authorization: `Bearer ${creds.hospital.apiKey}` } })).arrayBuffer(),
    );
    expect(outcome(await verifyJson(detail.verifyUrl))).to.deep.equal(["VALID", {}]);
    const c = await cli(savePdf(`attack2-${id!}`, pdf));
    expect(outcome(c.v)).to.deep.equal(["VALID", {}]);
    expect(c.v.anchor.txHash).to.equal(theirs!);
    // ~15 s: the worker does not send the root again
    await new Promise((r) => setTimeout(r, 15_000));
    expect((await nonceOf(node.url, hospital.address)) - nonceBefore, "hospital transactions").to.equal(1);
    // the bureau is told of the copy, as a notice: nothing of the hospital's changed
    const rec = await reconciliation();
    expect(entriesOf(rec.notices, "ROOT_ALSO_ANCHORED_BY_OTHER", charity.address).map((e) => e.root)).to.include(root);
    expect(rec.discrepancies.filter((e) => e.root === root)).to.deep.equal([]);
  });

  it("attack 4: the insurer marking the hospital's leaf through the charity's root marks nothing of the hospital's; the hospital then voids the bill through the API (200), the void lands on chain, and the service and the CLI both say VOIDED", async () => {
    const bill = await issued();
    const leaf = bill.env.leaf;
    await waitIdle(svc);
    const tree = rawTree([random32(), leaf]);
    await send(charity, "anchor", [tree.root, 2]);
    const claim = keccakUtf8("CLAIM-ATTACK-4");
    // naming the hospital with the charity's root: the hospital never anchored it
    expect(await refusalOf(insurer, "markReimbursed", [hospital.address, tree.root, leaf, tree.proof(1), claim])).to.equal("BillRegistryUnknownRoot");
    // naming the charity: the mark lands, under the charity
    await send(insurer, "markReimbursed", [charity.address, tree.root, leaf, tree.proof(1), claim]);
    expect((await marks(charity.address, leaf)).reimbursedBy).to.equal(insurer.address);
    expect((await marks(hospital.address, leaf)).reimbursedBy).to.equal(ZeroAddress);
    const before = await verifyJson(bill.verifyUrl);
    expect(before.verdict).to.equal("VALID");
    expect(before.reimbursement).to.equal(null);

    const v = await call(svc.url, "POST", `/api/v1/invoices/${bill.id}/void`, { key: creds.hospital.apiKey, body: { reason: "收费错误", reasonCode: 2 } });
    expect(v.status, JSON.stringify(v.body)).to.equal(200);
    // the service says VOIDED at once; the chain once the void is mined
    expect((await verifyJson(bill.verifyUrl)).verdict).to.equal("VOIDED");
    await waitFor("the void on chain under the hospital", async () => (await marks(hospital.address, leaf)).voided, 30_000);
    expect(Number((await marks(hospital.address, leaf)).voidReason)).to.equal(2);
    const scanned = await verifyJson(bill.verifyUrl);
    expect(outcome(scanned)).to.deep.equal(["VOIDED", { status: "VOIDED" }]);
    expect(scanned.reimbursement).to.equal(null);
    const c = await cli(bill.file);
    expect(c.code).to.equal(1);
    expect(outcome(c.v)).to.deep.equal(["VOIDED", { status: "VOIDED" }]);
    expect(c.v.reimbursement).to.equal(null);
    expect((await upload(svc.url, bill.pdf)).verdict).to.equal("VOIDED");
  });

  it("attack 5: a bill the charity signs and anchors under the hospital's code and an already used number is INVALID with NUMBER_NOT_ALLOTTED (upload and CLI); signed in the hospital's name it is WRONG_SIGNER", async () => {
    const victim = await issued();
    const template = await issued("charity");
    await waitIdle(svc);
    // a genuine-looking donation receipt of the charity (its kind, name, credit code, account), numbered as the hospital's bill
    const forged: DonationBill = {
      ...(template.env.bill as DonationBill),
      billCode: victim.billCode,
      billNumber: victim.billNumber,
      checkCode: victim.checkCode,
    };
    const env = await sealAndAnchor(forged, charity, charity, chainId);
    const { pdf, file } = await renderTo(`attack5-forged-${victim.id}`, env, victim.verifyUrl);
    const up = await upload(svc.url, pdf);
    expect(up.verdict).to.equal("INVALID");
    expect(check(up, "issuer")).to.include({ status: "failed", code: "NUMBER_NOT_ALLOTTED" });
    for (const name of ["integrity", "inclusion", "signature"]) expect(check(up, name).status, name).to.equal("passed");
    // nor is the file one the service issued
    expect(check(up, "file")).to.include({ status: "failed", code: "FILE_NOT_ISSUED" });
    const c = await cli(file);
    expect(c.code).to.equal(1);
    expect(outcome(c.v)).to.deep.equal(["INVALID", { issuer: "NUMBER_NOT_ALLOTTED" }]);
    // presented as not yet anchored (a PENDING claim): the registry allots the number to the hospital, not to its signer
    const unanchored = await renderTo(`attack5-forged-pending-${victim.id}`, { ...env, anchor: null }, victim.verifyUrl);
    expect(outcome((await cli(unanchored.file)).v)).to.deep.equal(["INVALID", { inclusion: "NOT_ANCHORED", issuer: "NUMBER_NOT_ALLOTTED" }]);
    const upPending = await upload(svc.url, unanchored.pdf);
    expect(upPending.verdict).to.equal("INVALID");
    expect(check(upPending, "issuer")).to.include({ status: "failed", code: "NUMBER_NOT_ALLOTTED" });

    // the same, claiming to be the hospital's bill (its name, credit code, account) but signed and anchored by the charity
    const inHospitalsName: MedicalBill = { ...(victim.env.bill as MedicalBill), total: "9157.00" };
    const env2 = await sealAndAnchor(inHospitalsName, charity, charity, chainId);
    const { pdf: pdf2, file: file2 } = await renderTo(`attack5-name-${victim.id}`, env2, victim.verifyUrl);
    const up2 = await upload(svc.url, pdf2);
    expect(up2.verdict).to.equal("INVALID");
    expect(check(up2, "signature")).to.include({ status: "failed", code: "WRONG_SIGNER" });
    expect(check(up2, "inclusion")).to.include({ status: "failed", code: "ROOT_NOT_ANCHORED" });
    const c2 = await cli(file2);
    expect(outcome(c2.v)).to.deep.equal(["INVALID", { inclusion: "ROOT_NOT_ANCHORED", issuer: "skipped", signature: "WRONG_SIGNER", sm2: "SM2_KEY_MISMATCH" }]);
  });

  it("attack 5: a second bill the hospital's own key signs and anchors under a number it already used is INVALID (NUMBER_REUSED) on the service, while the chain-only CLI cannot see it (VALID, PROTOCOL.md §11); reconciliation reports the root", async () => {
    const first = await issued();
    await waitIdle(svc);
    const duplicate: MedicalBill = { ...(first.env.bill as MedicalBill), payer: { name: "王二" }, total: "1157.00", totalInWords: "壹仟壹佰伍拾柒元整" };
    const env = await sealAndAnchor(duplicate, hospital, hospital, chainId);
    const { pdf, file } = await renderTo(`attack5-dup-${first.id}`, env, first.verifyUrl);
    const up = await upload(svc.url, pdf);
    expect(up.verdict).to.equal("INVALID");
    expect(check(up, "issuer")).to.include({ status: "failed", code: "NUMBER_REUSED" });
    for (const name of ["integrity", "inclusion", "signature", "status"]) expect(check(up, name).status, name).to.equal("passed");
    expect(check(up, "file")).to.include({ status: "failed", code: "FILE_NOT_ISSUED" });
    // the chain alone cannot tell two bills one issuer signed with one number apart (§11)
    const c = await cli(file);
    expect(c.code, c.stdout + c.stderr).to.equal(0);
    expect(outcome(c.v)).to.deep.equal(["VALID", {}]);
    // the genuine bill is unaffected
    expect(outcome(await verifyJson(first.verifyUrl))).to.deep.equal(["VALID", {}]);
    expect(outcome(await upload(svc.url, first.pdf))).to.deep.equal(["VALID", {}]);
    const rec = await reconciliation();
    expect(entriesOf(rec.discrepancies, "UNKNOWN_ROOT_ON_CHAIN", hospital.address).map((e) => e.root)).to.include(env.anchor!.root);
  });

  describe("attack 6: PDF forgeries the file-check suites do not already cover", () => {
    let a: Held;
    let b: Held;
    before(async () => {
      a = await issued();
      b = await issued("hospital", { ...MEDICAL_EXAMPLE, payer: { name: "李雷" } });
    });

    it("refuses bill A's genuine rendering printed with bill B's QR link on the upload (QR_OTHER_BILL); the CLI, which cannot tell whose link it is, says so and prints B's link", async () => {
      const { pdf, file } = await renderTo(`attack6-swapped-${a.id}`, a.env, b.verifyUrl);
      const up = await upload(svc.url, pdf);
      expect(outcome(up)).to.deep.equal(["INVALID", { file: "QR_OTHER_BILL" }]);
      const c = await cli(file);
      expect(outcome(c.v)).to.deep.equal(["VALID", {}]);
      expect(check(c.v, "file").detail).to.include(`its QR code links to ${b.verifyUrl}`).and.include("not checked without the service");
      expect(c.v.bill.billNumber).to.equal(a.billNumber);
    });

    it("shows a holder's redacted copy rendered by the lianpiao renderer (the payer's ID number withheld) as the copy it is: VALID, the withheld field listed, the rest as issued", async () => {
      const copy = withhold({ bill: a.env.bill as unknown as Record<string, unknown>, salts: a.env.salts, withheld: a.env.withheld }, ["/payer/idNumber"]);
      const { document, ...env } = a.env;
      const { pdf, file } = await renderTo(`attack6-redacted-${a.id}`, { ...env, ...copy } as unknown as BillEnvelope, document.verifyUrl);
      expect(pdf.equals(a.pdf)).to.equal(false);
      const up = await upload(svc.url, pdf);
      const c = await cli(file);
      for (const v of [up, c.v]) {
        expect(outcome(v)).to.deep.equal(["VALID", {}]);
        expect(v.withheld).to.deep.equal(["/payer/idNumber"]);
        expect(v.bill).to.deep.include({ billNumber: a.billNumber, total: a.total });
        expect(v.bill.holder.name).to.equal("张*");
      }
      expect(check(up, "integrity").detail).to.include("withheld by the holder: /payer/idNumber");
    });

    // The renderer prints a copy that withholds the payer (已隐去 withheld, server/pdf/fields.ts), so the
    // copy's own file is re-created and compared: the genuine page is not it.
    it("refuses the genuine page carrying a copy's attachment that withholds the payer (FILE_MODIFIED: the page is not the copy's), on the upload and in the CLI", async () => {
      const copy = withhold({ bill: a.env.bill as unknown as Record<string, unknown>, salts: a.env.salts, withheld: a.env.withheld }, ["/payer"]);
      const pdf = withAttachment(a.pdf, { ...a.env, ...copy });
      expect(attachmentOf(pdf).withheld).to.have.keys("/payer/name", "/payer/idNumber");
      const up = await upload(svc.url, pdf);
      expect(outcome(up)).to.deep.equal(["INVALID", { file: "FILE_MODIFIED" }]);
      expect(up.bill.holder.name).to.equal(null);
      const c = await cli(savePdf(`attack6-payer-withheld-${a.id}`, pdf));
      expect(outcome(c.v)).to.deep.equal(["INVALID", { file: "FILE_MODIFIED" }]);
    });

    it("refuses the genuine page carrying its own attachment with the ID number withheld (FILE_MODIFIED: the page is not the copy's)", async () => {
      const copy = withhold({ bill: a.env.bill as unknown as Record<string, unknown>, salts: a.env.salts, withheld: a.env.withheld }, ["/payer/idNumber"]);
      const pdf = withAttachment(a.pdf, { ...a.env, ...copy });
      expect(outcome(await upload(svc.url, pdf))).to.deep.equal(["INVALID", { file: "FILE_MODIFIED" }]);
      expect(outcome((await cli(savePdf(`attack6-id-withheld-${a.id}`, pdf))).v)).to.deep.equal(["INVALID", { file: "FILE_MODIFIED" }]);
    });

    /** The answer to bill data that is not a lianpiao envelope (docs/schemas/bill-envelope.schema.json: no other members). */
    const MALFORMED = [
      "INVALID",
      { integrity: "MALFORMED", inclusion: "skipped", issuer: "skipped", status: "skipped", signature: "skipped", sm2: "skipped", file: "skipped" },
    ];

    it("refuses a file rendered from a genuine attachment with an extra member no renderer writes (upload and CLI: integrity MALFORMED), which would otherwise re-render identically", async () => {
      const { document, ...env } = a.env;
      const forged = { ...env, reimbursed: false, note: "未报销 not reimbursed" } as unknown as BillEnvelope;
      const { pdf, file } = await renderTo(`attack6-extra-${a.id}`, forged, document.verifyUrl);
      expect(Object.keys(attachmentOf(pdf))).to.include("note");
      const up = await upload(svc.url, pdf);
      expect(outcome(up)).to.deep.equal(MALFORMED);
      expect(check(up, "integrity").detail).to.include("note");
      const c = await cli(file);
      expect(outcome(c.v)).to.deep.equal(MALFORMED);
    });

    it("refuses a file rendered from a genuine attachment whose anchor carries an extra member (integrity MALFORMED)", async () => {
      const { document, ...env } = a.env;
      const forged = { ...env, anchor: { ...env.anchor!, reimbursable: true } } as unknown as BillEnvelope;
      const { pdf, file } = await renderTo(`attack6-anchor-extra-${a.id}`, forged, document.verifyUrl);
      expect(outcome(await upload(svc.url, pdf))).to.deep.equal(MALFORMED);
      expect(outcome((await cli(file)).v)).to.deep.equal(MALFORMED);
    });
  });
  describe("further attacks", () => {
    let a: Held;
    before(async () => {
      a = await issued();
    });

    it("does not let a tampered envelope presented first (the genuine leaf under another bill number, or the genuine bill under the charity's root holding its leaf) poison the verifier's caches: each is INVALID, the genuine file then VALID", async () => {
      const { document, ...env } = a.env;
      const other = String(Number(a.billNumber) + 1000).padStart(10, "0");
      const renumbered = { ...env, bill: { ...env.bill, billNumber: other } } as BillEnvelope;
      const first = await upload(svc.url, withAttachment(a.pdf, { ...renumbered, document }));
      expect(outcome(first)).to.deep.equal(["INVALID", { integrity: "HASH_MISMATCH", signature: "WRONG_SIGNER", sm2: "SM2_BAD_SIGNATURE", file: "skipped" }]);
      // the charity anchors a root holding the genuine leaf: a proof that holds offline, under a root the hospital never anchored
      await waitIdle(svc);
      const tree = rawTree([a.env.leaf, random32(), random32()]);
      await send(charity, "anchor", [tree.root, 3]);
      await confirmed(chain.provider, await chain.provider.getBlockNumber());
      const rerooted = { ...env, anchor: { ...env.anchor!, root: tree.root, proof: tree.proof(0) } } as BillEnvelope;
      for (let i = 0; i < 2; i++) {
        const [verdict, codes] = outcome(await upload(svc.url, withAttachment(a.pdf, { ...rerooted, document })));
        expect(verdict).to.equal("INVALID");
        expect(codes).to.deep.include({ inclusion: "ROOT_NOT_ANCHORED", issuer: "skipped" });
      }
      const c = await cli(savePdf(`further-rerooted-${a.id}`, await renderBillPdf(rerooted, { verifyUrl: document.verifyUrl })));
      expect(outcome(c.v)).to.deep.equal(["INVALID", { inclusion: "ROOT_NOT_ANCHORED", issuer: "skipped" }]);
      expect(outcome(await upload(svc.url, a.pdf))).to.deep.equal(["VALID", {}]);
      expect(outcome(await verifyJson(a.verifyUrl))).to.deep.equal(["VALID", {}]);
    });

    it("refuses copies that withhold a field a verdict is about (MALFORMED), give a salt for a withheld field (SALT_UNUSED), show a withheld field (FIELD_CONFLICT) or move a salt to another field (HASH_MISMATCH), on the upload and in the CLI", async () => {
      const { document, ...env } = a.env;
      const base = { bill: env.bill as unknown as Record<string, unknown>, salts: env.salts, withheld: env.withheld };
      const cases: Array<[string, unknown, [string, Record<string, string>]]> = [];
      for (const pointer of ["/total", "/billNumber", "/checkCode", "/issuer/account", "/issuedAt"]) {
        cases.push([
          `withholds ${pointer}`,
          { ...env, ...withhold(base, [pointer]) },
          ["INVALID", { integrity: "MALFORMED", inclusion: "skipped", issuer: "skipped", status: "skipped", signature: "skipped", file: "skipped" }],
        ]);
      }
      const idHidden = withhold(base, ["/payer/idNumber"]);
      cases.push([
        "gives the withheld field's salt",
        { ...env, ...idHidden, salts: { ...idHidden.salts, "/payer/idNumber": env.salts["/payer/idNumber"] } },
        ["INVALID", { integrity: "SALT_UNUSED", file: "skipped" }],
      ]);
      cases.push([
        "shows the withheld field too",
        { ...env, ...idHidden, bill: { ...idHidden.bill, payer: { ...(idHidden.bill.payer as object), idNumber: "110105194912310000" } }, salts: env.salts },
        ["INVALID", { integrity: "FIELD_CONFLICT", file: "skipped" }],
      ]);
      cases.push([
        "moves the payee's salt to the reviewer",
        { ...env, salts: { ...env.salts, "/reviewer": env.salts["/payee"] } },
        ["INVALID", { integrity: "HASH_MISMATCH", file: "skipped" }],
      ]);
      for (const [what, attachment, want] of cases) {
        const pdf = withAttachment(a.pdf, { ...(attachment as object), document });
        const up = await upload(svc.url, pdf);
        const [verdict, codes] = outcome(up);
        expect(verdict, what).to.equal(want[0]);
        expect(codes, what).to.deep.include(want[1]);
        const c = await cli(savePdf(`further-copy-${what.replace(/\W+/g, "-")}`, pdf));
        expect(c.v.verdict, what).to.equal(want[0]);
        expect(check(c.v, "integrity").code, what).to.equal(want[1].integrity);
      }
    });

    it("never reuses a salt: two bills issued from the same request have no salt in common, nor any two fields of one bill", async () => {
      const b = await issued();
      const all = [...Object.values(a.env.salts), ...Object.values(b.env.salts)].map((x) => x.toLowerCase());
      expect(all.length).to.be.greaterThan(40);
      expect(new Set(all).size).to.equal(all.length);
      expect(a.env.leaf).to.not.equal(b.env.leaf);
    });

    it("refuses a bill anchored on a registry its forger deployed (admitting itself under the hospital's name, credit code and bill code): OTHER_REGISTRY on the service and in the CLI given the real registry; only a CLI told the forger's registry says VALID", async () => {
      const forger = chain.as(5);
      const deployed = await deployRegistry(forger.wallet, { registrars: [forger.address] });
      const fake = chainAccess(node.url, deployed.address);
      try {
        const self = fake.as(5);
        const hospitalBill = a.env.bill as MedicalBill;
        await send(self, "admitIssuer", [self.address, 1, keccakUtf8(hospitalBill.issuer.creditCode)]);
        await send(self, "allotRange", [self.address, Number(hospitalBill.billCode), 1, 9_999_999_999]);
        // on its own registry the forger also records its own SM2 seal key
        await send(self, "setSealKey", [self.address, sealKeyHash(sealKeyOf(self.wallet.privateKey).publicKey)]);
        const forged: MedicalBill = {
          ...hospitalBill,
          issuer: { ...hospitalBill.issuer, account: self.address },
          total: "9157.00",
          totalInWords: "玖仟壹佰伍拾柒元整",
        };
        const env = await sealAndAnchor(forged, self, self, chainId);
        const { pdf, file } = await renderTo(`further-fake-registry-${a.id}`, env, a.verifyUrl);
        const up = await upload(svc.url, pdf);
        expect(up.verdict).to.equal("INVALID");
        expect(check(up, "inclusion")).to.include({ status: "failed", code: "OTHER_REGISTRY" });
        const real = await cli(file);
        expect(outcome(real.v)).to.deep.equal([
          "INVALID",
          { inclusion: "OTHER_REGISTRY", issuer: "skipped", status: "skipped", signature: "WRONG_SIGNER", sm2: "SM2_BAD_SIGNATURE" },
        ]);
        // a chain-only verifier is exactly as good as the registry address it is given
        const told = await cliVerify(file, node.url, deployed.address);
        expect(outcome(told.v)).to.deep.equal(["VALID", {}]);
        expect(told.v.anchor.registry.toLowerCase()).to.equal(deployed.address.toLowerCase());
        // and the hospital's genuine bill presented as anchored on the forger's registry: its signature is not that registry's
        const { document, ...genuine } = a.env;
        const moved = { ...genuine, anchor: { ...genuine.anchor!, registry: deployed.address } } as BillEnvelope;
        const m = await cliVerify((await renderTo(`further-moved-${a.id}`, moved, document.verifyUrl)).file, node.url, deployed.address);
        expect(outcome(m.v)).to.deep.equal([
          "INVALID",
          { inclusion: "ROOT_NOT_ANCHORED", issuer: "skipped", signature: "WRONG_SIGNER", sm2: "SM2_BAD_SIGNATURE" },
        ]);
      } finally {
        fake.close();
      }
    });

    it("a receipt the charity signs and anchors outside the service in the hospital's name (its own credit code, account and range) is refused by the service (FILE_NOT_ISSUED); the chain-only CLI, which cannot see names (PROTOCOL.md §11), says VALID and shows the charity's credit code and account", async () => {
      const template = await issued("charity");
      await waitIdle(svc);
      const own = template.env.bill as DonationBill;
      const hospitalName = (a.env.bill as MedicalBill).issuer.name;
      const forged: DonationBill = { ...own, billNumber: "9000000001", issuer: { ...own.issuer, name: hospitalName } };
      const env = await sealAndAnchor(forged, charity, charity, chainId);
      const { pdf, file } = await renderTo(`further-name-${a.id}`, env, template.verifyUrl);
      const up = await upload(svc.url, pdf);
      expect(outcome(up)).to.deep.equal(["INVALID", { file: "FILE_NOT_ISSUED" }]);
      const c = await cli(file);
      expect(outcome(c.v)).to.deep.equal(["VALID", {}]);
      expect(c.v.bill.issuer).to.deep.equal({ name: hospitalName, creditCode: own.issuer.creditCode, account: charity.address });
      expect(c.v.bill.issuer.creditCode).to.not.equal((a.env.bill as MedicalBill).issuer.creditCode);
      expect(c.v.bill.kind).to.equal("donation");
    });

    it("refuses the hospital's signed anchor transaction replayed on a chain with another id and again on its own chain; the registry keeps the one record", async () => {
      const txHash = a.env.anchor!.txHash;
      const raw = await rpc<string>(node.url, "eth_getRawTransactionByHash", [txHash]);
      expect(raw).to.match(/^0x/);
      const other = await startAnvil();
      try {
        await rpc(other.url, "anvil_setChainId", [4242]);
        const err = await rpc(other.url, "eth_sendRawTransaction", [raw]).then(
          () => null,
          (e: Error) => e.message,
        );
        expect(err, "another chain id").to.match(/chain/i);
      } finally {
        await other.stop();
      }
      const again = await rpc(node.url, "eth_sendRawTransaction", [raw]).then(
        () => null,
        (e: Error) => e.message,
      );
      expect(again, "the same chain").to.match(/nonce|known/i);
      expect(Number((await batch(hospital.address, a.env.anchor!.root)).blockNumber)).to.equal(a.env.anchor!.blockNumber);
    });

    it("refuses the bureau's powers to other institutions' keys: on chain (AccessControlUnauthorizedAccount for suspending, allotting, admitting, granting roles, marking) and through the API (403), the bureau page refusing their keys; nothing changes", async () => {
      const code = 11060355; // the charity's bill code
      const RP = await chain.registry.RELYING_PARTY_ROLE();
      const REGISTRAR = await chain.registry.REGISTRAR_ROLE();
      for (const [who, actor] of [
        ["hospital", hospital],
        ["charity", charity],
        ["insurer", insurer],
      ] as const) {
        const attempts: Array<[string, unknown[]]> = [
          ["suspendIssuer", [who === "hospital" ? charity.address : hospital.address]],
          ["allotRange", [actor.address, code, 9_000_000_000, 9_000_000_100]],
          ["admitIssuer", [chain.as(6).address, 1, keccakUtf8("x")]],
          ["grantRole", [REGISTRAR, actor.address]],
          ["grantRole", [RP, actor.address]],
        ];
        if (who !== "insurer") attempts.push(["markReimbursed", [hospital.address, a.env.anchor!.root, a.env.leaf, a.env.anchor!.proof, keccakUtf8("x")]]);
        for (const [fn, args] of attempts) expect(await refusalOf(actor, fn, args), `${who} ${fn}`).to.equal("AccessControlUnauthorizedAccount");
      }
      for (const key of [creds.hospital.apiKey, creds.charity.apiKey, creds.insurer.apiKey]) {
        const suspend = await call(svc.url, "POST", `/api/v1/issuers/${creds.charity.institutionId}/suspend`, { key, body: {} });
        expect([suspend.status, suspend.body.code]).to.deep.equal([403, "FORBIDDEN"]);
        const range = await call(svc.url, "POST", `/api/v1/issuers/${creds.hospital.institutionId}/ranges`, {
          key,
          body: { billCode: "11060355", start: 9_000_000_000, end: 9_000_000_100 },
        });
        expect(range.status).to.equal(403);
        // the sign-in form as a browser posts it (its CSRF token included): the key itself is refused
        const form = await getPage(svc.url);
        const login = await postForm(svc.url, "/bureau/login", { ...form.hidden("/bureau/login"), key }, { cookies: form.cookies });
        expect(login.status).to.equal(401);
        expect(login.headers.get("set-cookie")).to.equal(null);
      }
      expect((await chain.registry.issuerOf(charity.address)).active).to.equal(true);
      expect((await chain.registry.allotmentOf(11060355, 9_000_000_000)).issuer).to.equal(charity.address);
      expect(await chain.registry.hasRole(RP, hospital.address)).to.equal(false);
      expect(outcome(await verifyJson(a.verifyUrl))).to.deep.equal(["VALID", {}]);
    });
  });
});
