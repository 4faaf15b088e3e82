// Property-based fuzzing of POST /api/v1/invoices against the service as its own process.
import { expect } from "chai";
import fc from "fast-check";
import { startService, type DemoCreds, type ServiceProcess } from "../helpers/processes";
import { fuzzCase } from "./arbitraries";
import { countStoredBills, Ledger, send, wrongAnswer } from "./harness";

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

describe("fuzzing the issuing API with generated bills, valid and subtly invalid", function () {
  this.timeout(180_000);
  let svc: ServiceProcess;
  let creds: DemoCreds;
  const ledger = new Ledger();

  before(async () => {
    svc = await startService({ LOG_LEVEL: "warn" });
    creds = svc.credentials();
  });
  after(async () => svc?.stop());

  it(`answers ${RUNS} generated requests with 201 for valid bills and a coded 4xx problem otherwise, never a 5xx`, async () => {
    await fc.assert(
      fc.asyncProperty(fuzzCase, async (c) => {
        const a = await send(svc.url, creds, c);
        ledger.record(c, a);
        const wrong = wrongAnswer(c, a);
        if (wrong) throw new Error(wrong);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(ledger.valid).to.be.at.least(RUNS / 4);
    expect(ledger.invalid).to.be.at.least(RUNS / 4);
    expect(ledger.fiveXx).to.deep.equal([]);
  });

  it("leaves no partial write: bill numbers stay gapless and the store holds exactly the accepted bills", async () => {
    expect(ledger.created).to.be.greaterThan(0);
    expect(ledger.gaps()).to.deep.equal([]);
    expect(await countStoredBills(svc.url, creds.bureau.apiKey)).to.equal(ledger.created);
  });
});
