import { expect } from "chai";
import QRCode from "qrcode";
import { qrMatrix } from "../../server/pdf/qr";
import { VERIFY_URL } from "./fixtures";

describe("the QR code matrix", () => {
  it("covers exactly the dark modules of the code, merged into horizontal runs", () => {
    const { modules } = QRCode.create(VERIFY_URL, { errorCorrectionLevel: "M" });
    const { size, runs } = qrMatrix(VERIFY_URL);
    expect(size).to.equal(modules.size);
    const drawn = new Uint8Array(size * size);
    for (const r of runs) for (let x = r.x; x < r.x + r.width; x++) drawn[r.y * size + x] = 1;
    expect(Array.from(drawn)).to.deep.equal(Array.from(modules.data, (d) => (d ? 1 : 0)));
    const dark = Array.from(modules.data).filter(Boolean).length;
    expect(runs.length).to.be.below(dark * 0.6);
  });
});
