// BillRegistry v2: bill codes and number ranges (号段) allotted on chain by the registrar, and their reads.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import {
  CHARITY_RANGE,
  DONATION_CODE,
  HOSPITAL_RANGE,
  Kind,
  MAX_BILL_CODE,
  MAX_BILL_NUMBER,
  MEDICAL_CODE,
  NEWCOMER_CREDIT_CODE,
  NO_ALLOTMENT,
  REGISTRAR_ROLE,
  RIVAL_RANGE,
  allotmentView,
  blockOf,
  inOneBlock,
  ranked,
  registryFixture,
} from "./fixtures";

const FRESH_CODE = 44010126;

describe("BillRegistry v2: allotted ranges", () => {
  describe("allotRange", () => {
    it("records the range with its block, emits RangeAllotted naming the registrar, and appends it to the code's list", async () => {
      const { registry, as, registrar, hospital } = await loadFixture(registryFixture);
      const r = as(registrar);
      expect(await registry.allotmentCount(FRESH_CODE)).to.equal(0);
      const tx = await r.allotRange(hospital.address, FRESH_CODE, 100, 199);
      await expect(tx).to.emit(r, "RangeAllotted").withArgs(hospital.address, FRESH_CODE, 100, 199, registrar.address);
      const expected = { issuer: hospital.address, billCode: FRESH_CODE, first: 100n, last: 199n, allottedAt: await blockOf(tx) };
      expect(await registry.allotmentCount(FRESH_CODE)).to.equal(1);
      expect(allotmentView(await registry.allotmentAt(FRESH_CODE, 0))).to.deep.equal(expected);
      for (const n of [100, 150, 199]) expect(allotmentView(await registry.allotmentOf(FRESH_CODE, n))).to.deep.equal(expected);
    });

    it("allots a single number (first equal to last)", async () => {
      const { registry, as, registrar, hospital } = await loadFixture(registryFixture);
      await expect(as(registrar).allotRange(hospital.address, FRESH_CODE, 7, 7)).to.emit(registry, "RangeAllotted");
      expect((await registry.allotmentOf(FRESH_CODE, 7)).issuer).to.equal(hospital.address);
      expect((await registry.allotmentOf(FRESH_CODE, 6)).issuer).to.equal(ethers.ZeroAddress);
      expect((await registry.allotmentOf(FRESH_CODE, 8)).issuer).to.equal(ethers.ZeroAddress);
    });

    it("accepts the bounds: number 1, number 9,999,999,999, code 99,999,999 and code 0", async () => {
      const { registry, as, registrar, hospital, rival } = await loadFixture(registryFixture);
      const r = as(registrar);
      await r.allotRange(hospital.address, MAX_BILL_CODE, 1, 1);
      await r.allotRange(rival.address, MAX_BILL_CODE, MAX_BILL_NUMBER, MAX_BILL_NUMBER);
      await r.allotRange(hospital.address, 0, 1, MAX_BILL_NUMBER);
      expect((await registry.allotmentOf(MAX_BILL_CODE, 1)).issuer).to.equal(hospital.address);
      expect((await registry.allotmentOf(MAX_BILL_CODE, MAX_BILL_NUMBER)).issuer).to.equal(rival.address);
      expect((await registry.allotmentOf(0, 5_000_000_000n)).issuer).to.equal(hospital.address);
    });

    it("refuses number 0, a reversed range, a number above 9,999,999,999 and a 9-digit code with BillRegistryInvalidRange", async () => {
      const { as, registrar, hospital } = await loadFixture(registryFixture);
      const r = as(registrar);
      const bad: [number, bigint, bigint][] = [
        [FRESH_CODE, 0n, 0n],
        [FRESH_CODE, 0n, 10n],
        [FRESH_CODE, 11n, 10n],
        [FRESH_CODE, 1n, MAX_BILL_NUMBER + 1n],
        [FRESH_CODE, MAX_BILL_NUMBER + 1n, MAX_BILL_NUMBER + 1n],
        [FRESH_CODE, 1n, 2n ** 64n - 1n],
        [MAX_BILL_CODE + 1, 1n, 10n],
        [2 ** 32 - 1, 1n, 10n],
      ];
      for (const [code, first, last] of bad) {
        await expect(r.allotRange(hospital.address, code, first, last), `${code} ${first}..${last}`)
          .to.be.revertedWithCustomError(r, "BillRegistryInvalidRange")
          .withArgs(code, first, last);
      }
    });

    it("refuses a range overlapping an allotted one on either edge, inside or around it, naming the range and its holder", async () => {
      const { as, registrar, hospital, rival, charity } = await loadFixture(registryFixture);
      const r = as(registrar);
      // hospital A holds MEDICAL_CODE 1..1000, hospital B 1001..2000
      const overlapping: [bigint, bigint, bigint, bigint, string][] = [
        [1000n, 1000n, 1n, 1000n, hospital.address], // A's last number
        [900n, 1000n, 1n, 1000n, hospital.address], // ends on A's last
        [1n, 1n, 1n, 1000n, hospital.address], // A's first number
        [500n, 600n, 1n, 1000n, hospital.address], // inside A
        [1n, 1000n, 1n, 1000n, hospital.address], // A exactly
        [1001n, 1001n, 1001n, 2000n, rival.address], // B's first number
        [2000n, 2500n, 1001n, 2000n, rival.address], // starts on B's last
        [1500n, 3000n, 1001n, 2000n, rival.address], // over B's upper edge
        [1000n, 1001n, 1n, 1000n, hospital.address], // straddles A and B: the first in allotment order is named
        [1n, MAX_BILL_NUMBER, 1n, 1000n, hospital.address], // around everything
      ];
      for (const [first, last, heldFirst, heldLast, holder] of overlapping) {
        for (const to of [hospital, rival, charity]) {
          await expect(r.allotRange(to.address, MEDICAL_CODE, first, last), `${first}..${last}`)
            .to.be.revertedWithCustomError(r, "BillRegistryRangeOverlap")
            .withArgs(MEDICAL_CODE, heldFirst, heldLast, holder);
        }
      }
    });

    it("accepts ranges adjacent to allotted ones on both sides, and the same numbers under another code", async () => {
      const { registry, as, registrar, hospital, rival, charity } = await loadFixture(registryFixture);
      const r = as(registrar);
      await r.allotRange(hospital.address, FRESH_CODE, 100, 199);
      await expect(r.allotRange(rival.address, FRESH_CODE, 200, 299)).to.emit(r, "RangeAllotted"); // just above
      await expect(r.allotRange(charity.address, FRESH_CODE, 1, 99)).to.emit(r, "RangeAllotted"); // just below
      await expect(r.allotRange(hospital.address, FRESH_CODE, 300, 300)).to.emit(r, "RangeAllotted"); // same issuer, next
      await expect(r.allotRange(charity.address, MEDICAL_CODE + 1, 1, 1000)).to.emit(r, "RangeAllotted");
      const holders = await Promise.all([99, 100, 199, 200, 299, 300, 301].map(async (n) => (await registry.allotmentOf(FRESH_CODE, n)).issuer));
      expect(holders).to.deep.equal([charity.address, hospital.address, hospital.address, rival.address, rival.address, hospital.address, ethers.ZeroAddress]);
    });

    it("allots to a suspended issuer (ranges follow admission, not activity)", async () => {
      const { registry, as, registrar, hospital } = await loadFixture(registryFixture);
      await as(registrar).suspendIssuer(hospital.address);
      await expect(as(registrar).allotRange(hospital.address, FRESH_CODE, 1, 10)).to.emit(registry, "RangeAllotted");
    });

    it("refuses an account never admitted, and the zero account, with BillRegistryUnknownIssuer", async () => {
      const { as, registrar, stranger, insurer } = await loadFixture(registryFixture);
      const r = as(registrar);
      for (const account of [stranger.address, insurer.address, registrar.address, ethers.ZeroAddress]) {
        await expect(r.allotRange(account, FRESH_CODE, 1, 10))
          .to.be.revertedWithCustomError(r, "BillRegistryUnknownIssuer")
          .withArgs(account);
      }
    });

    it("checks the issuer before the range: an unknown issuer with a bad range is an unknown issuer", async () => {
      const { as, registrar, stranger } = await loadFixture(registryFixture);
      await expect(as(registrar).allotRange(stranger.address, FRESH_CODE, 0, 0))
        .to.be.revertedWithCustomError(as(registrar), "BillRegistryUnknownIssuer")
        .withArgs(stranger.address);
    });

    it("is refused to anyone without the registrar role: the admin, an issuer for itself, a relying party, a stranger", async () => {
      const { registry, as, admin, hospital, insurer, stranger } = await loadFixture(registryFixture);
      for (const caller of [admin, hospital, insurer, stranger]) {
        await expect(as(caller).allotRange(hospital.address, FRESH_CODE, 1, 10))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, REGISTRAR_ROLE);
      }
      expect(await registry.allotmentCount(FRESH_CODE)).to.equal(0);
    });
  });

  describe("reads", () => {
    it("enumerates a code's ranges in allotment order with allotmentCount and allotmentAt", async () => {
      const { registry, as, registrar, hospital, rival } = await loadFixture(registryFixture);
      const r = as(registrar);
      const blocks = [
        await blockOf(r.allotRange(rival.address, FRESH_CODE, 500, 599)),
        await blockOf(r.allotRange(hospital.address, FRESH_CODE, 1, 99)),
        await blockOf(r.allotRange(rival.address, FRESH_CODE, 100, 100)),
      ];
      expect(await registry.allotmentCount(FRESH_CODE)).to.equal(3);
      const listed = await Promise.all([0, 1, 2].map(async (i) => allotmentView(await registry.allotmentAt(FRESH_CODE, i))));
      expect(listed).to.deep.equal([
        { issuer: rival.address, billCode: FRESH_CODE, first: 500n, last: 599n, allottedAt: blocks[0] },
        { issuer: hospital.address, billCode: FRESH_CODE, first: 1n, last: 99n, allottedAt: blocks[1] },
        { issuer: rival.address, billCode: FRESH_CODE, first: 100n, last: 100n, allottedAt: blocks[2] },
      ]);
    });

    it("keeps each code's list apart: the fixture's codes hold exactly their ranges", async () => {
      const { registry, hospital, rival, charity } = await loadFixture(registryFixture);
      expect(await registry.allotmentCount(MEDICAL_CODE)).to.equal(2);
      expect(await registry.allotmentCount(DONATION_CODE)).to.equal(1);
      const medical = [allotmentView(await registry.allotmentAt(MEDICAL_CODE, 0)), allotmentView(await registry.allotmentAt(MEDICAL_CODE, 1))];
      expect(medical.map((a) => [a.issuer, a.first, a.last])).to.deep.equal([
        [hospital.address, HOSPITAL_RANGE.first, HOSPITAL_RANGE.last],
        [rival.address, RIVAL_RANGE.first, RIVAL_RANGE.last],
      ]);
      const donation = allotmentView(await registry.allotmentAt(DONATION_CODE, 0));
      expect([donation.issuer, donation.first, donation.last]).to.deep.equal([charity.address, CHARITY_RANGE.first, CHARITY_RANGE.last]);
    });

    it("reverts allotmentAt past the end with an array-bounds panic", async () => {
      const { registry } = await loadFixture(registryFixture);
      await expect(registry.allotmentAt(MEDICAL_CODE, 2)).to.be.revertedWithPanic(0x32);
      await expect(registry.allotmentAt(FRESH_CODE, 0)).to.be.revertedWithPanic(0x32);
    });

    it("answers allotmentOf with a zero allotment for a number no range holds", async () => {
      const { registry } = await loadFixture(registryFixture);
      for (const [code, n] of [
        [MEDICAL_CODE, 0n],
        [MEDICAL_CODE, 2001n],
        [MEDICAL_CODE, MAX_BILL_NUMBER],
        [MEDICAL_CODE, 2n ** 64n - 1n],
        [FRESH_CODE, 1n],
        [DONATION_CODE, CHARITY_RANGE.last + 1n],
      ] as const) {
        expect(allotmentView(await registry.allotmentOf(code, n)), `${code}/${n}`).to.deep.equal(NO_ALLOTMENT);
      }
    });

    it("answers isAllottedAt false before the allotment block and true at and after it", async () => {
      const { registry, as, registrar, newcomer } = await loadFixture(registryFixture);
      await as(registrar).admitIssuer(newcomer.address, Kind.Medical, NEWCOMER_CREDIT_CODE);
      await mine(3);
      const allotted = await blockOf(as(registrar).allotRange(newcomer.address, FRESH_CODE, 10, 20));
      await mine(3);
      const at = (n: number, block: bigint | number) => registry.isAllottedAt(newcomer.address, FRESH_CODE, n, block);
      expect(await at(15, 0)).to.equal(false);
      expect(await at(15, allotted - 1)).to.equal(false);
      expect(await at(15, allotted)).to.equal(true);
      expect(await at(15, allotted + 1)).to.equal(true);
      expect(await at(15, ethers.MaxUint256)).to.equal(true);
      expect(await at(10, allotted)).to.equal(true);
      expect(await at(20, allotted)).to.equal(true);
      expect(await at(9, allotted + 1)).to.equal(false);
      expect(await at(21, allotted + 1)).to.equal(false);
    });

    it("answers isAllottedAt true at the block of an allotment mined in the same block after another transaction", async () => {
      const { registry, as, registrar, newcomer } = await loadFixture(registryFixture);
      const r = as(registrar);
      const block = await inOneBlock(async () => {
        await r.admitIssuer(newcomer.address, Kind.Medical, NEWCOMER_CREDIT_CODE, ranked(1));
        await r.allotRange(newcomer.address, FRESH_CODE, 1, 5, ranked(1));
      });
      expect(Number((await registry.allotmentAt(FRESH_CODE, 0)).allottedAt)).to.equal(block);
      expect(await registry.isAllottedAt(newcomer.address, FRESH_CODE, 3, block)).to.equal(true);
      expect(await registry.isAllottedAt(newcomer.address, FRESH_CODE, 3, block - 1)).to.equal(false);
    });

    it("finds every number of up to 9 ranges allotted in number order, with gaps, and none in the gaps or beyond", async () => {
      const { registry, as, registrar, hospital, rival } = await loadFixture(registryFixture);
      const r = as(registrar);
      for (let n = 1; n <= 9; n++) {
        const code = FRESH_CODE + n;
        for (let i = 0; i < n; i++) {
          const [first, last, issuer] = [i * 100 + 10, i * 100 + 10 + i * 7, i % 2 === 0 ? hospital.address : rival.address];
          await r.allotRange(issuer, code, first, last);
        }
        const probes: [number, string][] = [
          [0, ethers.ZeroAddress],
          [9, ethers.ZeroAddress],
        ];
        for (let i = 0; i < n; i++) {
          const [first, last, issuer] = [i * 100 + 10, i * 100 + 10 + i * 7, i % 2 === 0 ? hospital.address : rival.address];
          probes.push(
            [first, issuer],
            [last, issuer],
            [Math.floor((first + last) / 2), issuer],
            [last + 1, ethers.ZeroAddress],
            [first - 1, ethers.ZeroAddress],
          );
        }
        probes.push([n * 100 + 500, ethers.ZeroAddress], [Number(MAX_BILL_NUMBER), ethers.ZeroAddress]);
        for (const [number, issuer] of probes) {
          expect((await registry.allotmentOf(code, number)).issuer, `${n} ranges, number ${number}`).to.equal(issuer);
        }
      }
      expect(await registry.allotmentCount(FRESH_CODE + 9)).to.equal(9);
    });

    for (const order of ["ascending", "random"] as const) {
      it(`agrees with a model of the ranges for 60 ${order} allotment attempts, overlaps refused, every edge looked up`, async () => {
        const { registry, as, registrar, hospital, rival, charity } = await loadFixture(registryFixture);
        const r = as(registrar);
        const issuers = [hospital.address, rival.address, charity.address];
        let seed = order === "ascending" ? 7 : 11;
        const random = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), (seed >>> 8) % n);
        const model: { first: number; last: number; issuer: string }[] = [];
        let cursor = 1;
        for (let attempt = 0; attempt < 60; attempt++) {
          const first = order === "ascending" ? cursor + random(20) : 1 + random(5000);
          const last = first + random(150);
          cursor = last + 1;
          const issuer = issuers[random(3)];
          const clash = model.find((m) => first <= m.last && m.first <= last);
          const tx = r.allotRange(issuer, FRESH_CODE, first, last);
          if (clash) {
            await expect(tx, `attempt ${attempt}`)
              .to.be.revertedWithCustomError(r, "BillRegistryRangeOverlap")
              .withArgs(FRESH_CODE, clash.first, clash.last, clash.issuer);
          } else {
            await (await tx).wait();
            model.push({ first, last, issuer });
          }
        }
        expect(await registry.allotmentCount(FRESH_CODE)).to.equal(model.length);
        if (order === "random") expect(model.length).to.be.greaterThan(20);
        else expect(model.length).to.equal(60);
        const probes = new Set<number>([0, 1, 6000]);
        for (const m of model) for (const d of [-1, 0, 1]) (probes.add(m.first + d), probes.add(m.last + d));
        for (const number of [...probes].filter((n) => n >= 0)) {
          const holder = model.find((m) => m.first <= number && number <= m.last)?.issuer ?? ethers.ZeroAddress;
          expect((await registry.allotmentOf(FRESH_CODE, number)).issuer, `number ${number}`).to.equal(holder);
        }
        for (const [i, m] of model.entries()) {
          const at = allotmentView(await registry.allotmentAt(FRESH_CODE, i));
          expect([at.issuer, at.first, at.last]).to.deep.equal([m.issuer, BigInt(m.first), BigInt(m.last)]);
        }
      });
    }

    it("still finds every range after one is allotted in a gap below the others (lookups fall back to a scan)", async () => {
      const { registry, as, registrar, hospital, rival, charity } = await loadFixture(registryFixture);
      const r = as(registrar);
      await r.allotRange(hospital.address, FRESH_CODE, 1, 10);
      await r.allotRange(rival.address, FRESH_CODE, 100, 110);
      await r.allotRange(hospital.address, FRESH_CODE, 200, 210);
      await r.allotRange(charity.address, FRESH_CODE, 50, 60); // in a gap, below the highest number
      await r.allotRange(rival.address, FRESH_CODE, 300, 310); // above all again
      await expect(r.allotRange(charity.address, FRESH_CODE, 55, 55))
        .to.be.revertedWithCustomError(r, "BillRegistryRangeOverlap")
        .withArgs(FRESH_CODE, 50, 60, charity.address);
      const expected: [number, string][] = [
        [1, hospital.address],
        [10, hospital.address],
        [11, ethers.ZeroAddress],
        [49, ethers.ZeroAddress],
        [50, charity.address],
        [60, charity.address],
        [61, ethers.ZeroAddress],
        [105, rival.address],
        [205, hospital.address],
        [310, rival.address],
        [311, ethers.ZeroAddress],
      ];
      for (const [number, issuer] of expected) expect((await registry.allotmentOf(FRESH_CODE, number)).issuer, `number ${number}`).to.equal(issuer);
      expect((await registry.allotmentAt(FRESH_CODE, 3)).first).to.equal(50);
    });

    it("answers isAllottedAt false for another issuer's number, another code, and the zero account", async () => {
      const { registry, hospital, rival, charity } = await loadFixture(registryFixture);
      const now = await ethers.provider.getBlockNumber();
      expect(await registry.isAllottedAt(hospital.address, MEDICAL_CODE, 1000, now)).to.equal(true);
      expect(await registry.isAllottedAt(hospital.address, MEDICAL_CODE, 1001, now)).to.equal(false);
      expect(await registry.isAllottedAt(rival.address, MEDICAL_CODE, 1000, now)).to.equal(false);
      expect(await registry.isAllottedAt(rival.address, MEDICAL_CODE, 1001, now)).to.equal(true);
      expect(await registry.isAllottedAt(hospital.address, DONATION_CODE, 1, now)).to.equal(false);
      expect(await registry.isAllottedAt(charity.address, DONATION_CODE, 1, now)).to.equal(true);
      expect(await registry.isAllottedAt(ethers.ZeroAddress, FRESH_CODE, 1, now)).to.equal(false);
      expect(await registry.isAllottedAt(ethers.ZeroAddress, MEDICAL_CODE, 5000, now)).to.equal(false);
    });
  });
});
