import { expect } from "chai";
import { composeBill, formatShanghaiTime } from "../../server/issuance/compose";
import { maskIdNumber, maskName } from "../../server/issuance/masking";
import { parseInvoiceRequest } from "../../server/issuance/schema";
import { canonicalJson } from "../../server/issuance/canonical";
import { DonationBill, MedicalBill } from "../../server/issuance/model";
import { DONATION_EXAMPLE, ISSUER, MEDICAL_EXAMPLE, variant } from "./fixtures";

const CTX = {
  billCode: "35010126",
  billNumber: "0000000001",
  checkCode: "7K3M9P",
  issuedAt: new Date("2026-11-25T02:31:07.456Z"),
  issuer: ISSUER,
};

function compose(body: unknown) {
  const parsed = parseInvoiceRequest(body);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return composeBill(parsed.value, CTX);
}

describe("composeBill", () => {
  it("turns the medical example into the canonical medical bill", () => {
    const bill = compose(MEDICAL_EXAMPLE) as MedicalBill;
    expect(bill).to.deep.equal({
      v: 2,
      kind: "medical",
      billCode: "35010126",
      billNumber: "0000000001",
      checkCode: "7K3M9P",
      issuedAt: "2026-11-25T10:31:07+08:00",
      issuer: ISSUER,
      payee: "李四",
      reviewer: "王五",
      remarks: "",
      total: "157.00",
      totalInWords: "壹佰伍拾柒元整",
      payer: { name: "张三", idNumber: "11010519491231002X" },
      patientType: "outpatient",
      department: "内科",
      visitNumber: "MZ2026112300017",
      items: [
        { code: "A01", name: "西药费", quantity: "2", unitPrice: "18.50", amount: "37.00" },
        { code: "B03", name: "检查费", quantity: "1", unitPrice: "120.00", amount: "120.00" },
      ],
      insurance: { fundPaid: "90.00", accountPaid: "30.00", cashPaid: "37.00" },
    });
  });

  it("turns the donation example into the canonical donation receipt, remarks defaulting to empty", () => {
    const bill = compose(DONATION_EXAMPLE) as DonationBill;
    expect(bill).to.deep.include({
      kind: "donation",
      remarks: "",
      total: "500.00",
      totalInWords: "伍佰元整",
      donor: { name: "陈小明", type: "individual" },
      items: [{ name: "儿童先心病救助项目", form: "cash", amount: "500.00" }],
      purpose: "儿童先心病救助",
    });
  });

  it("derives nothing the issuer did not send: no settlement, insurance type or fee category", () => {
    const bill = compose(variant(MEDICAL_EXAMPLE, (b) => delete b.insurance)) as MedicalBill;
    expect(bill).to.not.have.any.keys("insurance", "insuranceType", "visitDate", "institutionType", "businessSerial");
    expect(bill.items.every((it) => !("category" in it) && !("specification" in it) && !("unit" in it))).to.equal(true);
  });

  it("keeps an insurance type and a category the client sends", () => {
    const bill = compose(
      variant(MEDICAL_EXAMPLE, (b) => {
        b.insuranceType = "resident";
        b.items[0].category = "中成药费";
        b.items[1].name = "CT 平扫";
      }),
    ) as MedicalBill;
    expect(bill.insuranceType).to.equal("resident");
    expect(bill.items.map((i) => i.category)).to.deep.equal(["中成药费", undefined]);
  });

  it("records the national fields as sent, and the deprecated selfPaid as cashPaid", () => {
    const bill = compose(
      variant(MEDICAL_EXAMPLE, (b) => {
        b.patientType = "inpatient";
        b.payer = { name: "John Smith", idType: "passport", idNumber: "e12345678" };
        b.admissionDate = "2026-01-01";
        b.dischargeDate = "2026-01-08";
        b.inpatientDays = 7;
        b.businessSerial = "HIS-1";
        b.institutionType = "综合医院";
        b.items[0].specification = "0.25g×24粒";
        b.items[0].unit = "盒";
        b.insurance = { fundPaid: "90", accountPaid: "30", otherPaid: "0", cashPaid: "37", coPayment: "20", selfFunded: "17" };
      }),
    ) as MedicalBill;
    expect(bill).to.deep.include({
      payer: { name: "John Smith", idType: "passport", idNumber: "E12345678" },
      admissionDate: "2026-01-01",
      dischargeDate: "2026-01-08",
      inpatientDays: 7,
      businessSerial: "HIS-1",
      institutionType: "综合医院",
      insurance: { fundPaid: "90.00", accountPaid: "30.00", otherPaid: "0.00", cashPaid: "37.00", coPayment: "20.00", selfFunded: "17.00" },
    });
    expect(bill.items[0]).to.deep.equal({
      code: "A01",
      name: "西药费",
      specification: "0.25g×24粒",
      unit: "盒",
      quantity: "2",
      unitPrice: "18.50",
      amount: "37.00",
    });
  });

  it("leaves absent optional fields out of the canonical JSON instead of writing them as null", () => {
    const bill = compose(variant(MEDICAL_EXAMPLE, (b) => (b.payer.idNumber = "")));
    expect(canonicalJson(bill)).to.not.match(/idNumber|null/);
    expect(Object.keys((bill as MedicalBill).payer)).to.deep.equal(["name"]);
  });

  it("writes the total in capital numerals", () => {
    const bill = compose(
      variant(DONATION_EXAMPLE, (b) => {
        b.items[0].amount = "1004.05";
        b.total = "1004.05";
      }),
    );
    expect(bill.totalInWords).to.equal("壹仟零肆元零伍分");
  });
});

describe("formatShanghaiTime", () => {
  const cases: Array<[string, string]> = [
    ["2026-11-25T02:31:07Z", "2026-11-25T10:31:07+08:00"],
    ["2026-12-31T16:00:00Z", "2027-01-01T00:00:00+08:00"], // the Shanghai date rolls over before UTC's
    ["2024-02-28T16:59:59.999Z", "2024-02-29T00:59:59+08:00"],
    ["2026-07-01T00:00:00Z", "2026-07-01T08:00:00+08:00"], // no daylight saving in summer
  ];
  for (const [utc, local] of cases) {
    it(`writes ${utc} as ${local}`, () => expect(formatShanghaiTime(new Date(utc))).to.equal(local));
  }

  it("does not depend on the process time zone", () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = "America/New_York";
      expect(formatShanghaiTime(new Date("2026-11-25T02:31:07Z"))).to.equal("2026-11-25T10:31:07+08:00");
    } finally {
      process.env.TZ = saved;
    }
  });

  it("refuses an invalid date", () => expect(() => formatShanghaiTime(new Date("nope"))).to.throw(RangeError));
});

describe("masking (server/issuance/masking.ts, the one rule)", () => {
  const names: Array<[string, string]> = [
    ["张三", "张*"],
    ["欧阳娜娜", "欧***"],
    ["王", "*"],
    ["", ""],
    ["𠀀三", "𠀀*"],
    ["John Smith", "J*********"],
  ];
  for (const [name, masked] of names) {
    it(`masks the name ${JSON.stringify(name)} as ${JSON.stringify(masked)}`, () => expect(maskName(name)).to.equal(masked));
  }

  const ids: Array<[string, string]> = [
    ["11010519491231002X", "110105********002X"], // a resident ID: 6 + 4 kept, the birth date hidden, as printed
    ["11010519491231002x", "110105********002x"],
    ["91350100M000100Y43", "91350100M000100Y43"], // an organisation's credit code is not personal data
    ["P1234567890", "*********90"],
    ["MZ2026", "*****6"],
    ["", ""],
  ];
  for (const [id, masked] of ids) {
    it(`masks the identifier ${JSON.stringify(id)} as ${JSON.stringify(masked)}`, () => expect(maskIdNumber(id)).to.equal(masked));
  }
});
