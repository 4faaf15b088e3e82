import { expect } from "chai";
import { composeRedBill } from "../../server/lifecycle/red-bill";
import type { DonationBill, MedicalBill } from "../../server/issuance/model";

const issuer = { name: "示范市第一人民医院", creditCode: "12110000400000758X", account: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" };
const ctx = { billCode: "11060126", billNumber: "0000000009", checkCode: "ABCDEF", issuedAt: new Date("2026-11-25T02:31:07Z"), issuer };

const medical: MedicalBill = {
  v: 2,
  kind: "medical",
  billCode: "11060126",
  billNumber: "0000000001",
  checkCode: "XYZ234",
  issuedAt: "2026-11-24T10:00:00+08:00",
  issuer,
  payee: "李四",
  reviewer: "王五",
  remarks: "",
  total: "157.00",
  totalInWords: "壹佰伍拾柒元整",
  payer: { name: "张三" },
  patientType: "outpatient",
  department: "内科",
  visitNumber: "MZ1",
  insuranceType: "employee",
  items: [
    { code: "A01", name: "西药费", category: "西药费", quantity: "2", unitPrice: "18.50", amount: "37.00" },
    { code: "B03", name: "检查费", category: "检查费", quantity: "1", unitPrice: "120.00", amount: "120.00" },
  ],
  insurance: { fundPaid: "90.00", accountPaid: "30.00", selfPaid: "37.00" },
};

describe("the red bill (红字票据) that cancels a voided bill", () => {
  it("negates every amount, writes the total with 负, and names the original and the reason", () => {
    const red = composeRedBill(medical, "收费错误", ctx) as MedicalBill;
    expect(red.total).to.equal("-157.00");
    expect(red.totalInWords).to.equal("负壹佰伍拾柒元整");
    expect(red.items.map((i) => [i.unitPrice, i.amount])).to.deep.equal([
      ["18.50", "-37.00"],
      ["120.00", "-120.00"],
    ]);
    expect(red.insurance).to.deep.equal({ fundPaid: "-90.00", accountPaid: "-30.00", selfPaid: "-37.00" });
    expect(red.redOf).to.deep.equal({ billCode: "11060126", billNumber: "0000000001", reason: "收费错误" });
    expect([red.billNumber, red.checkCode, red.issuedAt]).to.deep.equal(["0000000009", "ABCDEF", "2026-11-25T10:31:07+08:00"]);
    expect(red.payer).to.deep.equal({ name: "张三" });
  });

  it("keeps a zero split at 0.00 and works for donation receipts", () => {
    const donation: DonationBill = {
      v: 2,
      kind: "donation",
      billCode: "11060355",
      billNumber: "0000000003",
      checkCode: "XYZ234",
      issuedAt: "2026-11-24T10:00:00+08:00",
      issuer,
      payee: "赵六",
      reviewer: "钱七",
      remarks: "",
      total: "500.50",
      totalInWords: "伍佰元零伍角",
      donor: { name: "陈小明", type: "individual" },
      items: [{ name: "救助项目", form: "cash", amount: "500.50" }],
      purpose: "救助",
    };
    const red = composeRedBill(donation, "捐赠退回", { ...ctx, billCode: "11060355" }) as DonationBill;
    expect(red.total).to.equal("-500.50");
    expect(red.totalInWords).to.equal("负伍佰元零伍角");
    expect(red.items[0].amount).to.equal("-500.50");
    const zero = composeRedBill({ ...medical, insurance: { fundPaid: "0.00", accountPaid: "0.00", selfPaid: "157.00" } }, "x", ctx) as MedicalBill;
    expect(zero.insurance?.fundPaid).to.equal("0.00");
  });
});
