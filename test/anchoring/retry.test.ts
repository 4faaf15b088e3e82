// The anchoring worker backs off while the chain keeps failing, and returns to its poll interval after.
import { expect } from "chai";
import { retryDelay } from "../../server/anchoring/worker";
import { bumpFees } from "../../server/anchoring/sender";

describe("anchoring retry and fee policy", () => {
  const cases: Array<[number, number, number]> = [
    [100, 0, 100],
    [100, 1, 200],
    [100, 3, 800],
    [100, 6, 5000],
    [100, 1000, 5000],
    [20, 2, 80],
  ];
  for (const [poll, failures, want] of cases) {
    it(`waits ${want} ms after ${failures} consecutive failures at a ${poll} ms poll`, () => {
      expect(retryDelay(poll, failures)).to.equal(want);
    });
  }

  it("raises both fees by at least 12.5 % on a bump, or to the current market if higher", () => {
    const old = { maxFeePerGas: 1_000_000_000n, maxPriorityFeePerGas: 100_000_000n };
    const quiet = bumpFees(old, { maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
    expect(quiet.maxFeePerGas >= 1_125_000_000n).to.equal(true);
    expect(quiet.maxPriorityFeePerGas >= 112_500_000n).to.equal(true);
    const busy = bumpFees(old, { maxFeePerGas: 9_000_000_000n, maxPriorityFeePerGas: 2_000_000_000n });
    expect(busy).to.deep.equal({ maxFeePerGas: 9_000_000_000n, maxPriorityFeePerGas: 2_000_000_000n });
  });
});
