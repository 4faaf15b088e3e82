import { expect } from "chai";
import { HDNodeWallet } from "ethers";
import { TEST_MNEMONIC, devWallet, devWallets } from "../../server/chain/accounts";

describe("chain/accounts", () => {
  it("derives the well-known development accounts of the test mnemonic", () => {
    const [first, second] = devWallets(2);
    expect(first.address).to.equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    expect(second.address).to.equal("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  });

  it("gives the same keys as deriving each full path from the phrase", () => {
    for (const i of [0, 4, 9]) {
      const direct = HDNodeWallet.fromPhrase(TEST_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
      expect(devWallet(i).privateKey).to.equal(direct.privateKey);
    }
  });

  it("derives each wallet once and serves later calls from the cache", () => {
    const before = devWallets(10);
    const started = performance.now();
    const again = devWallets(10);
    expect(performance.now() - started).to.be.below(5);
    expect(again[7]).to.equal(before[7]);
    expect(devWallets(3)).to.have.length(3);
  });
});
