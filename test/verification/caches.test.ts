// The verifier's caches (server/verification/cache.ts, memo.ts, chain-facts.ts): what may be remembered,
// for how long, and that no cache turns an unanswered question into an answer.
import { expect } from "chai";
import { sealKeyHash, sealKeyOf } from "../../server/sm/sm2";
import { Wallet, id as keccakUtf8 } from "ethers";
import { ChainUnavailableError, type Evidence } from "../../server/chain";
import { buildBatchTree } from "../../server/issuance/canonical";
import { commitBill } from "../../server/issuance/commitments";
import { sealBill } from "../../server/issuance/seal";
import type { AnchorProof, BillEnvelope } from "../../server/issuance/model";
import { recoverBillSigner, signBill } from "../../server/issuance/signing";
import { Lru } from "../../server/verification/cache";
import { billChanged } from "../../server/store/bill-changes";
import { ChainFacts } from "../../server/verification/chain-facts";
import { MarksWatch, type MarkEvent } from "../../server/verification/marks-watch";
import type { AllotmentRecord, BillMarks, ChainView, Eip712DomainRecord, IssuerRecord } from "../../server/verification/chain-view";
import { clearMemos, recoverSignerMemo } from "../../server/verification/memo";
import { verifyEnvelope, verifyStored, type VerifyContext } from "../../server/verification/verifier";

// Hardhat's well-known test keys: not secrets.
const issuer = new Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const other = new Wallet("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const CHAIN_ID = 31337;
const CREDIT_CODE = "12350000488000001A";

function makeEnvelope(n: number, signer = issuer): { env: BillEnvelope; root: string } {
  const bill = {
    v: 2,
    kind: "medical",
    billCode: "35010126",
    billNumber: String(n).padStart(10, "0"),
    checkCode: "A1B2C3",
    issuedAt: "2026-11-25T10:31:07+08:00",
    issuer: { name: "福州市第一医院", creditCode: CREDIT_CODE, account: issuer.address },
    total: "157.00",
    totalInWords: "壹佰伍拾柒元整",
    payer: { name: "张三" },
  };
  const sealed = sealBill(bill as never, signer, { chainId: CHAIN_ID, verifyingContract: REGISTRY });
  const sibling = commitBill({ ...bill, billNumber: "9999999999" }).billHash;
  const tree = buildBatchTree([sealed.billHash, sibling]);
  const anchor: AnchorProof = {
    chainId: CHAIN_ID,
    registry: REGISTRY,
    root: tree.root,
    proof: tree.entries[0].proof,
    txHash: `0x${"cd".repeat(32)}`,
    blockNumber: 10,
  };
  return { env: { ...sealed, anchor }, root: tree.root };
}

const NO_MARKS: BillMarks = { voided: false, voidReason: 0, voidedAt: null, reimbursedBy: null, reimbursedAt: null, claimedFen: 0n, capFen: 0n, claimCount: 0 };
const DOMAIN = { name: "lianpiao", version: "2", chainId: BigInt(CHAIN_ID), verifyingContract: REGISTRY };

/** A registry in memory that can be taken down, counting what it is asked. Batches and marks are keyed by issuer. */
class FakeChain implements ChainView {
  chainId = CHAIN_ID;
  registry = REGISTRY;
  headNumber = 20;
  down = false;
  /** blocks by "issuer:root" */
  batches = new Map<string, number>();
  /** marks by "issuer:leaf" */
  marks = new Map<string, BillMarks>();
  active = true;
  calls = { evidence: 0, head: 0, statusOf: 0, issuerOf: 0, allotmentOf: 0, domain: 0 };
  /** when set, statusOf waits for this before answering */
  gate: Promise<void> | null = null;

  private async ask<T>(what: keyof FakeChain["calls"], answer: () => T): Promise<T> {
    this.calls[what]++;
    if (this.down) throw new ChainUnavailableError("CHAIN_UNREACHABLE", "the node cannot be reached");
    return answer();
  }
  private record(): IssuerRecord {
    return { kind: "medical", active: this.active, admittedAt: 1, creditCodeHash: keccakUtf8(CREDIT_CODE) };
  }
  evidence(account: string, root: string, leaf: string): Promise<Evidence> {
    return this.ask("evidence", () => {
      const block = this.batches.get(`${account}:${root}`);
      return {
        batch: block === undefined ? null : { blockNumber: block, timestamp: 1_764_000_000, billCount: 2 },
        status: this.marks.get(`${account}:${leaf}`) ?? NO_MARKS,
        issuer: this.record(),
        included: block !== undefined,
        activeAtAnchor: block !== undefined,
        allottedAtAnchor: block !== undefined,
      };
    });
  }
  issuerOf(): Promise<IssuerRecord> {
    return this.ask("issuerOf", () => this.record());
  }
  allotmentOf(billCode: string): Promise<AllotmentRecord | null> {
    return this.ask("allotmentOf", () => ({ issuer: issuer.address, billCode, first: 1, last: 9_999_999_999, allottedAt: 1 }));
  }
  domain(): Promise<Eip712DomainRecord> {
    return this.ask("domain", () => DOMAIN);
  }
  async statusOf(account: string, leaf: string): Promise<BillMarks> {
    const gate = this.gate;
    this.calls.statusOf++;
    if (this.down) throw new ChainUnavailableError("CHAIN_UNREACHABLE", "the node cannot be reached");
    // the state as of the read, answered when the gate opens
    const answer = { ...(this.marks.get(`${account}:${leaf}`) ?? NO_MARKS) };
    if (gate) await gate;
    return answer;
  }
  head(): Promise<number> {
    return this.ask("head", () => this.headNumber);
  }
  /** the issuer's seal key as the bureau records it (not counted: the caches under test are the others) */
  async sealKeyAt(account: string): Promise<string | null> {
    if (this.down) throw new ChainUnavailableError("CHAIN_UNREACHABLE", "the node cannot be reached");
    return account.toLowerCase() === issuer.address.toLowerCase() ? sealKeyHash(sealKeyOf(issuer.privateKey).publicKey) : null;
  }
}

describe("the verifier's caches", () => {
  let chain: FakeChain;
  let clock: number;
  let ctx: VerifyContext;
  const tick = (ms: number) => (clock += ms);

  beforeEach(() => {
    clearMemos();
    chain = new FakeChain();
    clock = 1_000_000;
    const facts = new ChainFacts(chain, { minConfirmations: 2, now: () => clock });
    ctx = { chain, minConfirmations: 2, facts };
  });

  function anchored(blockNumber: number, n = 1) {
    const { env, root } = makeEnvelope(n);
    chain.batches.set(`${issuer.address}:${root}`, blockNumber);
    return { env: { ...env, anchor: { ...env.anchor!, blockNumber } }, root };
  }

  describe("pure results", () => {
    it("remembers a signature's signer exactly as recovery computes it, for right and wrong signers", () => {
      const domain = { chainId: CHAIN_ID, verifyingContract: REGISTRY };
      const values = { billHash: keccakUtf8("x"), billCode: "35010126", billNumber: "0000000001" };
      for (const w of [issuer, other]) {
        const sig = signBill(w, domain, values);
        expect(recoverSignerMemo(domain, values, sig)).to.equal(w.address);
        expect(recoverSignerMemo(domain, values, sig)).to.equal(recoverBillSigner(domain, values, sig));
      }
      // the same signature over other values is another key: it recovers another address
      const sig = signBill(issuer, domain, values);
      expect(recoverSignerMemo(domain, { ...values, billNumber: "0000000002" }, sig)).to.not.equal(issuer.address);
      expect(recoverSignerMemo(domain, values, "0x1234")).to.equal(null);
    });

    it("a bill signed by another key fails its signature at every scan, cached or not", async () => {
      const { env, root } = makeEnvelope(7, other);
      chain.batches.set(`${issuer.address}:${root}`, 10);
      for (let i = 0; i < 2; i++) {
        const v = await verifyEnvelope(env, ctx);
        expect(v.verdict).to.equal("INVALID");
        expect(v.checks.find((c) => c.name === "signature")).to.include({ status: "failed", code: "WRONG_SIGNER" });
      }
    });

    it("verifies stored text exactly as the envelope it holds, and a tampered text fails at every scan", async () => {
      const { env } = anchored(10);
      const text = JSON.stringify({ ...env, anchor: null });
      const a = env.anchor as AnchorProof;
      expect(await verifyStored(text, a, ctx)).to.deep.equal(await verifyEnvelope(env, ctx));
      expect((await verifyStored(text, Object.freeze({ ...a }), ctx)).verdict).to.equal("VALID");
      const tampered = text.replace("157.00", "957.00");
      for (let i = 0; i < 2; i++) {
        const v = await verifyStored(tampered, a, ctx);
        expect(v.verdict).to.equal("INVALID");
        expect(v.checks[0]).to.include({ name: "integrity", status: "failed", code: "HASH_MISMATCH" });
      }
      // a malformed anchor is refused whether or not the envelope text was seen before
      expect((await verifyStored(text, { ...a, root: "0x12" }, ctx)).verdict).to.equal("INVALID");
    });
  });

  describe("chain facts", () => {
    it("asks evidence() once for a final batch, then only its marks (at most every second)", async () => {
      const { env } = anchored(10);
      expect((await verifyEnvelope(env, ctx)).verdict).to.equal("VALID");
      expect(chain.calls.evidence).to.equal(1);
      tick(100);
      expect((await verifyEnvelope(env, ctx)).verdict).to.equal("VALID");
      expect(chain.calls.evidence).to.equal(1);
      expect(chain.calls.statusOf).to.equal(0); // the marks came with evidence() 100 ms ago
      tick(1_001);
      expect((await verifyEnvelope(env, ctx)).verdict).to.equal("VALID");
      expect(chain.calls.evidence).to.equal(1);
      expect(chain.calls.statusOf).to.equal(1);
    });

    it("asks the chain again at every scan while the batch is not final", async () => {
      const { env } = anchored(20); // head 20, minConfirmations 2: one confirmation
      expect((await verifyEnvelope(env, ctx)).verdict).to.equal("PENDING");
      tick(10);
      expect((await verifyEnvelope(env, ctx)).verdict).to.equal("PENDING");
      expect(chain.calls.evidence).to.equal(2);
    });

    it("reads the head at most every 250 ms, so confirmations are at most that stale", async () => {
      const { env } = anchored(20);
      const v1 = await verifyEnvelope(env, ctx);
      expect(v1.anchor?.confirmations).to.equal(1);
      chain.headNumber = 21;
      tick(200);
      expect((await verifyEnvelope(env, ctx)).anchor?.confirmations).to.equal(1);
      expect(chain.calls.head).to.equal(1);
      tick(51);
      const v3 = await verifyEnvelope(env, ctx);
      expect(chain.calls.head).to.equal(2);
      expect(v3.anchor?.confirmations).to.equal(2);
      expect(v3.verdict).to.equal("VALID");
    });

    it("an outage with evidence that is not final gives ERROR at once, never PENDING, VALID or INVALID", async () => {
      const { env } = anchored(20);
      expect((await verifyEnvelope(env, ctx)).verdict).to.equal("PENDING");
      chain.down = true;
      tick(1); // the head is still remembered: only evidence() can fail
      const v = await verifyEnvelope(env, ctx);
      expect(v.verdict).to.equal("ERROR");
      expect(v.checks.find((c) => c.name === "inclusion")?.status).to.equal("error");
    });

    it("an outage with final evidence may say VALID only while the marks are fresh, then ERROR", async () => {
      const { env } = anchored(10);
      expect((await verifyEnvelope(env, ctx)).verdict).to.equal("VALID");
      chain.down = true;
      tick(100);
      expect((await verifyEnvelope(env, ctx)).verdict).to.equal("VALID");
      for (const step of [200, 800, 5_000]) {
        tick(step);
        const v = await verifyEnvelope(env, ctx);
        expect(v.verdict, `after ${step} ms more`).to.equal("ERROR");
      }
      chain.down = false;
      tick(300);
      expect((await verifyEnvelope(env, ctx)).verdict).to.equal("VALID");
      expect(chain.calls.evidence).to.equal(1);
    });

    it("a bill not yet anchored during an outage is ERROR, not PENDING", async () => {
      const { env } = makeEnvelope(3);
      const unanchored = { ...env, anchor: null };
      expect((await verifyEnvelope(unanchored, ctx)).verdict).to.equal("PENDING");
      chain.down = true;
      tick(1_001);
      expect((await verifyEnvelope(unanchored, ctx)).verdict).to.equal("ERROR");
    });

    it("does not serve a bill's marks from before a write of this process (void), even within the second", async () => {
      const { env } = anchored(10);
      expect((await verifyEnvelope(env, ctx)).verdict).to.equal("VALID");
      chain.marks.set(`${issuer.address}:${env.leaf}`, { ...NO_MARKS, voided: true, voidReason: 1, voidedAt: 1_764_000_100 });
      tick(10);
      // without a write of ours the marks are remembered for up to a second
      expect((await verifyEnvelope(env, ctx)).verdict).to.equal("VALID");
      billChanged(env.leaf.toUpperCase().replace("0X", "0x"));
      const v = await verifyEnvelope(env, ctx);
      expect(v.verdict).to.equal("VOIDED");
    });

    it("does not keep a marks read that was in flight when this process wrote to the bill", async () => {
      const { env } = anchored(10);
      await verifyEnvelope(env, ctx); // evidence() once; the batch is final
      tick(1_001); // the marks have expired
      let open!: () => void;
      chain.gate = new Promise<void>((r) => (open = r));
      const inFlight = verifyEnvelope(env, ctx);
      await new Promise((r) => setImmediate(r));
      expect(chain.calls.statusOf).to.equal(1);
      billChanged(env.leaf); // e.g. a reimbursement recorded while the read was under way
      chain.marks.set(`${issuer.address}:${env.leaf}`, { ...NO_MARKS, reimbursedBy: other.address, reimbursedAt: 1_764_000_200 });
      open();
      expect((await inFlight).reimbursement).to.equal(null); // the answer of the read as it was begun
      chain.gate = null;
      const after = await verifyEnvelope(env, ctx);
      expect(chain.calls.statusOf).to.equal(2);
      expect(after.reimbursement?.by).to.equal(other.address);
    });

    describe("with the registry's mark events followed (marks-watch.ts)", () => {
      /** events by block, as the registry would log them */
      let events: MarkEvent[];
      let watch: MarksWatch;
      let logsDown: boolean;
      beforeEach(async () => {
        events = [];
        logsDown = false;
        const source = {
          head: () => chain.head(),
          markEvents: async (from: number, to: number) => {
            if (logsDown) throw new ChainUnavailableError("CHAIN_UNREACHABLE", "the node cannot be reached");
            return events.filter((e) => e.block >= from && e.block <= to);
          },
        };
        watch = new MarksWatch(source, { now: () => clock });
        await watch.sync();
        ctx = { chain, minConfirmations: 2, facts: new ChainFacts(chain, { minConfirmations: 2, now: () => clock, watch }) };
      });

      /** a mark of `leaf` mined in the next block, and the watch's next step */
      async function mine(leaf: string, marks: BillMarks) {
        chain.headNumber++;
        chain.marks.set(`${issuer.address}:${leaf}`, marks);
        events.push({ leaf, block: chain.headNumber });
      }

      it("keeps a bill's marks past the second while no event names it, the watch being fresh", async () => {
        const { env } = anchored(10);
        expect((await verifyEnvelope(env, ctx)).verdict).to.equal("VALID");
        for (let i = 0; i < 5; i++) {
          tick(900);
          await watch.sync();
          expect((await verifyEnvelope(env, ctx)).verdict).to.equal("VALID");
        }
        expect(chain.calls.statusOf).to.equal(0);
      });

      it("says VOIDED at the first scan after the watch read the void's block", async () => {
        const { env } = anchored(10);
        const { env: otherBill } = anchored(10, 2);
        expect((await verifyEnvelope(env, ctx)).verdict).to.equal("VALID");
        expect((await verifyEnvelope(otherBill, ctx)).verdict).to.equal("VALID");
        await mine(env.leaf, { ...NO_MARKS, voided: true, voidReason: 1, voidedAt: 1_764_000_100 });
        tick(300);
        await watch.sync();
        expect((await verifyEnvelope(env, ctx)).verdict).to.equal("VOIDED");
        // another bill of the block keeps its remembered marks
        const before = chain.calls.statusOf;
        expect((await verifyEnvelope(otherBill, ctx)).verdict).to.equal("VALID");
        expect(chain.calls.statusOf).to.equal(before);
      });

      it("treats a mark mined while a read was under way as changed after it", async () => {
        const { env } = anchored(10);
        await verifyEnvelope(env, ctx);
        tick(1_001);
        await watch.sync();
        let open!: () => void;
        chain.gate = new Promise<void>((r) => (open = r));
        const inFlight = verifyEnvelope(env, ctx); // reads the marks as they were: not reimbursed
        await new Promise((r) => setImmediate(r));
        await mine(env.leaf, { ...NO_MARKS, reimbursedBy: other.address, reimbursedAt: 1_764_000_200 });
        open();
        expect((await inFlight).reimbursement).to.equal(null);
        chain.gate = null;
        tick(250);
        await watch.sync();
        expect((await verifyEnvelope(env, ctx)).reimbursement?.by).to.equal(other.address);
      });

      it("falls back to reading the marks each second when the watch cannot follow the chain", async () => {
        const { env } = anchored(10);
        await verifyEnvelope(env, ctx);
        logsDown = true;
        chain.headNumber++;
        tick(1_001);
        await watch.sync(); // fails: the watch's last sync is now over a second old
        expect(watch.syncedBlock()).to.equal(null);
        chain.marks.set(`${issuer.address}:${env.leaf}`, { ...NO_MARKS, voided: true, voidReason: 1, voidedAt: 1_764_000_100 });
        expect((await verifyEnvelope(env, ctx)).verdict).to.equal("VOIDED");
        expect(chain.calls.statusOf).to.equal(1);
      });

      it("still forgets a bill's marks at once when this process writes to it", async () => {
        const { env } = anchored(10);
        expect((await verifyEnvelope(env, ctx)).verdict).to.equal("VALID");
        chain.marks.set(`${issuer.address}:${env.leaf}`, { ...NO_MARKS, voided: true, voidReason: 1, voidedAt: 1_764_000_100 });
        billChanged(env.leaf);
        expect((await verifyEnvelope(env, ctx)).verdict).to.equal("VOIDED");
      });
    });

    it("reads issuerOf (suspension) at most a second old", async () => {
      const { env } = makeEnvelope(4);
      const unanchored = { ...env, anchor: null };
      expect((await verifyEnvelope(unanchored, ctx)).verdict).to.equal("PENDING");
      chain.active = false;
      tick(500);
      expect((await verifyEnvelope(unanchored, ctx)).verdict).to.equal("PENDING");
      tick(501);
      const v = await verifyEnvelope(unanchored, ctx);
      expect(v.verdict).to.equal("INVALID");
      expect(v.checks.find((c) => c.name === "issuer")).to.include({ code: "ISSUER_SUSPENDED" });
    });

    it("never remembers a root that is not anchored", async () => {
      const { env } = makeEnvelope(5);
      expect((await verifyEnvelope(env, ctx)).verdict).to.equal("INVALID");
      chain.batches.set(`${issuer.address}:${env.anchor!.root}`, 10);
      expect((await verifyEnvelope(env, ctx)).verdict).to.equal("VALID");
    });
  });

  describe("the LRU", () => {
    it("evicts the least recently used entry and ages entries out", () => {
      let now = 0;
      const lru = new Lru<string, number>(2, 100, () => now);
      lru.set("a", 1);
      lru.set("b", 2);
      expect(lru.get("a")).to.equal(1); // a is now the most recent
      lru.set("c", 3);
      expect(lru.get("b")).to.equal(undefined);
      expect(lru.get("a")).to.equal(1);
      now = 101;
      expect(lru.get("a")).to.equal(undefined);
      lru.set("d", 4, 50); // a read begun at 50 ages from then
      expect(lru.get("d")).to.equal(4);
      now = 151;
      expect(lru.get("d")).to.equal(undefined);
    });
  });
});
