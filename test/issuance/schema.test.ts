import { expect } from "chai";
import { FEE_CATEGORIES, formatPath, parseInvoiceRequest, type Issue } from "../../server/issuance/schema";
import { makeCreditCode } from "../../server/issuance/check-digits";
import { DONATION_EXAMPLE, MEDICAL_EXAMPLE, variant } from "./fixtures";

function issuesOf(body: unknown): Array<Pick<Issue, "path" | "code">> {
  const r = parseInvoiceRequest(body);
  if (r.ok) return [];
  for (const i of r.issues) expect(i.message, `${i.path} ${i.code}`).to.be.a("string").and.not.equal("");
  return r.issues.map(({ path, code }) => ({ path, code }));
}

function accepted(body: unknown) {
  const r = parseInvoiceRequest(body);
  if (!r.ok) expect.fail(JSON.stringify(r.issues));
  return r.value;
}

describe("parseInvoiceRequest", () => {
  it("accepts the medical example of SPEC §7 exactly as it stands", () => {
    const v = accepted(MEDICAL_EXAMPLE);
    expect(v).to.deep.equal(MEDICAL_EXAMPLE);
  });

  it("accepts the donation example of SPEC §7 exactly as it stands", () => {
    const v = accepted(DONATION_EXAMPLE);
    expect(v).to.deep.equal(DONATION_EXAMPLE);
  });

  it("normalizes amounts, quantities, identifiers and text", () => {
    const v = accepted(
      variant(MEDICAL_EXAMPLE, (b) => {
        b.items[0] = { code: "A01", name: "西药费", quantity: "2.00", unitPrice: "18.5", amount: "37" };
        b.insurance = { fundPaid: "90", accountPaid: "30.0", selfPaid: "37" };
        b.total = "157";
        b.payer = { name: "  张三 ", idNumber: "11010519491231002x" };
      }),
    );
    if (v.kind !== "medical") throw new Error("kind");
    expect(v.items[0]).to.include({ quantity: "2", unitPrice: "18.50", amount: "37.00" });
    expect(v.insurance).to.deep.equal({ fundPaid: "90.00", accountPaid: "30.00", selfPaid: "37.00" });
    expect(v.total).to.equal("157.00");
    expect(v.payer).to.deep.equal({ name: "张三", idNumber: "11010519491231002X" });
  });

  it("treats an empty payer idNumber as absent", () => {
    const v = accepted(variant(MEDICAL_EXAMPLE, (b) => (b.payer.idNumber = "")));
    if (v.kind !== "medical") throw new Error("kind");
    expect(v.payer.idNumber).to.equal(undefined);
  });

  it("accepts a medical bill without insurance, category, insurance type or remarks", () => {
    accepted(
      variant(MEDICAL_EXAMPLE, (b) => {
        delete b.insurance;
        delete b.remarks;
      }),
    );
  });

  it("accepts every standard fee category and an organisation donor with a valid credit code", () => {
    for (const category of FEE_CATEGORIES) accepted(variant(MEDICAL_EXAMPLE, (b) => (b.items[0].category = category)));
    accepted(variant(DONATION_EXAMPLE, (b) => (b.donor = { name: "某某科技有限公司", type: "organisation", idNumber: "91350100M000100Y43" })));
    accepted(variant(DONATION_EXAMPLE, (b) => (b.donor = { name: "某某基金会", type: "organisation", idNumber: makeCreditCode("53100000500021676") })));
  });

  it("accepts every identity document by its own rule", () => {
    const ok: Array<[string, string]> = [
      ["resident-id", "11010519491231002X"],
      ["passport", "E12345678"],
      ["passport", "X1234567"],
      ["hk-macao-permit", "H12345678"],
      ["hk-macao-permit", "M1234567801"],
      ["taiwan-permit", "12345678"],
      ["foreign-permanent-resident-id", "91127619850315001X"],
      ["credit-code", "91350100M000100Y43"],
    ];
    for (const [idType, idNumber] of ok) accepted(variant(MEDICAL_EXAMPLE, (b) => (b.payer = { name: "某人", idType, idNumber })));
    accepted(variant(MEDICAL_EXAMPLE, (b) => (b.payer = { name: "某人", idType: "none" })));
  });

  it("accepts the full settlement, inpatient dates (a same-day stay is 1 day) and 1,000 items", () => {
    accepted(
      variant(
        MEDICAL_EXAMPLE,
        (b) => (b.insurance = { fundPaid: "80.00", accountPaid: "30.00", otherPaid: "10.00", cashPaid: "37.00", coPayment: "40.00", selfFunded: "27.00" }),
      ),
    );
    accepted(
      variant(MEDICAL_EXAMPLE, (b) => {
        b.patientType = "inpatient";
        b.admissionDate = "2026-01-01";
        b.dischargeDate = "2026-01-01";
        b.inpatientDays = 1;
      }),
    );
    accepted(
      variant(MEDICAL_EXAMPLE, (b) => {
        b.patientType = "inpatient";
        b.admissionDate = "2024-02-28";
        b.dischargeDate = "2024-03-01";
        b.inpatientDays = 2;
      }),
    );
    accepted(
      variant(MEDICAL_EXAMPLE, (b) => {
        b.items = Array(1000).fill({ code: "A", name: "x", quantity: "1", unitPrice: "1.00", amount: "1.00" });
        b.total = "1000.00";
        delete b.insurance;
      }),
    );
  });

  it("accepts anonymous, organisation and passport-holding donors and goods with their valuation", () => {
    accepted(variant(DONATION_EXAMPLE, (b) => (b.donor = { type: "anonymous" })));
    accepted(variant(DONATION_EXAMPLE, (b) => (b.donor = { name: "John Smith", type: "individual", idType: "passport", idNumber: "E12345678" })));
    accepted(
      variant(DONATION_EXAMPLE, (b) => {
        b.items = [{ name: "医用外科口罩", form: "in-kind", quantity: "100", unit: "箱", description: "50只/箱", valuationBasis: "invoice", amount: "500.00" }];
        b.purposeType = "restricted";
      }),
    );
  });

  it("accepts in-kind donations with a quantity, and fractional quantities on medical items", () => {
    accepted(
      variant(DONATION_EXAMPLE, (b) => {
        b.items = [
          { name: "口罩", form: "in-kind", quantity: "1000", amount: "300.00" },
          { name: "现金", form: "cash", amount: "200.00" },
        ];
      }),
    );
    accepted(
      variant(MEDICAL_EXAMPLE, (b) => {
        b.items[0] = { code: "A01", name: "中药饮片费", quantity: "0.5", unitPrice: "74.00", amount: "37.00" };
      }),
    );
  });

  const rejected: Array<[string, unknown, Array<{ path: string; code: string }>]> = [
    ["a body that is not an object", "hello", [{ path: "", code: "TYPE" }]],
    ["a body without kind", { total: "1.00" }, [{ path: "kind", code: "REQUIRED" }]],
    ["an unknown kind", variant(MEDICAL_EXAMPLE, (b) => (b.kind = "tax")), [{ path: "kind", code: "KIND_INVALID" }]],
    ["an unknown top-level field", variant(MEDICAL_EXAMPLE, (b) => (b.discount = "1.00")), [{ path: "discount", code: "UNKNOWN_FIELD" }]],
    ["an unknown nested field", variant(MEDICAL_EXAMPLE, (b) => (b.items[1].tax = "0")), [{ path: "items[1].tax", code: "UNKNOWN_FIELD" }]],
    ["a missing payee", variant(MEDICAL_EXAMPLE, (b) => delete b.payee), [{ path: "payee", code: "REQUIRED" }]],
    ["a blank reviewer", variant(MEDICAL_EXAMPLE, (b) => (b.reviewer = "   ")), [{ path: "reviewer", code: "REQUIRED" }]],
    ["a payer name over 50 characters", variant(MEDICAL_EXAMPLE, (b) => (b.payer.name = "张".repeat(51))), [{ path: "payer.name", code: "TOO_LONG" }]],
    ["remarks over 200 characters", variant(MEDICAL_EXAMPLE, (b) => (b.remarks = "备".repeat(201))), [{ path: "remarks", code: "TOO_LONG" }]],
    ["a control character in a name", variant(MEDICAL_EXAMPLE, (b) => (b.payer.name = "张\u0000三")), [{ path: "payer.name", code: "CONTROL_CHARACTER" }]],
    ["a newline in the department", variant(MEDICAL_EXAMPLE, (b) => (b.department = "内科\n")), [{ path: "department", code: "CONTROL_CHARACTER" }]],
    ["a bidi override in remarks", variant(MEDICAL_EXAMPLE, (b) => (b.remarks = "abc\u202Edef")), [{ path: "remarks", code: "CONTROL_CHARACTER" }]],
    ["a number where a name belongs", variant(MEDICAL_EXAMPLE, (b) => (b.payee = 42)), [{ path: "payee", code: "TYPE" }]],
    ["an unknown patient type", variant(MEDICAL_EXAMPLE, (b) => (b.patientType = "emergency")), [{ path: "patientType", code: "INVALID_VALUE" }]],
    ["a non-standard fee category", variant(MEDICAL_EXAMPLE, (b) => (b.items[0].category = "药费")), [{ path: "items[0].category", code: "INVALID_VALUE" }]],
    ["an unknown insurance type", variant(MEDICAL_EXAMPLE, (b) => (b.insuranceType = "private")), [{ path: "insuranceType", code: "INVALID_VALUE" }]],
    ["an amount given as a JSON number", variant(MEDICAL_EXAMPLE, (b) => (b.total = 157)), [{ path: "total", code: "AMOUNT_FORMAT" }]],
    [
      "an amount with three fraction digits",
      variant(MEDICAL_EXAMPLE, (b) => (b.items[1].unitPrice = "120.000")),
      [{ path: "items[1].unitPrice", code: "AMOUNT_FORMAT" }],
    ],
    ["a negative amount", variant(MEDICAL_EXAMPLE, (b) => (b.insurance.selfPaid = "-37.00")), [{ path: "insurance.selfPaid", code: "AMOUNT_FORMAT" }]],
    ["an amount in exponent notation", variant(MEDICAL_EXAMPLE, (b) => (b.items[1].amount = "1.2e2")), [{ path: "items[1].amount", code: "AMOUNT_FORMAT" }]],
    ["an amount beyond the cap", variant(MEDICAL_EXAMPLE, (b) => (b.total = "1000000000000.00")), [{ path: "total", code: "AMOUNT_TOO_LARGE" }]],
    ["a missing amount", variant(MEDICAL_EXAMPLE, (b) => delete b.items[0].amount), [{ path: "items[0].amount", code: "REQUIRED" }]],
    ["a zero quantity", variant(MEDICAL_EXAMPLE, (b) => (b.items[0].quantity = "0")), [{ path: "items[0].quantity", code: "QUANTITY_FORMAT" }]],
    [
      "a quantity with five fraction digits",
      variant(MEDICAL_EXAMPLE, (b) => (b.items[0].quantity = "2.00001")),
      [{ path: "items[0].quantity", code: "QUANTITY_FORMAT" }],
    ],
    ["no items", variant(MEDICAL_EXAMPLE, (b) => (b.items = [])), [{ path: "items", code: "TOO_FEW" }]],
    ["more than 1,000 items", variant(DONATION_EXAMPLE, (b) => (b.items = Array(1001).fill(b.items[0]))), [{ path: "items", code: "TOO_MANY" }]],
    [
      "a payer ID with a wrong check digit",
      variant(MEDICAL_EXAMPLE, (b) => (b.payer.idNumber = "110105194912310021")),
      [{ path: "payer.idNumber", code: "ID_NUMBER_INVALID" }],
    ],
    [
      "a payer ID with an impossible birth date",
      variant(MEDICAL_EXAMPLE, (b) => (b.payer.idNumber = "110105194902300023")),
      [{ path: "payer.idNumber", code: "ID_NUMBER_INVALID" }],
    ],
    [
      "a line amount that is not quantity × unit price",
      variant(MEDICAL_EXAMPLE, (b) => {
        b.items[0].amount = "36.00";
        b.items[1].amount = "121.00";
      }),
      [
        { path: "items[0].amount", code: "AMOUNT_MISMATCH" },
        { path: "items[1].amount", code: "AMOUNT_MISMATCH" },
      ],
    ],
    [
      "items that do not add up to the total",
      variant(MEDICAL_EXAMPLE, (b) => {
        b.total = "158.00";
        b.insurance.selfPaid = "38.00";
      }),
      [{ path: "total", code: "ITEMS_TOTAL_MISMATCH" }],
    ],
    [
      "an insurance split that does not add up",
      variant(MEDICAL_EXAMPLE, (b) => (b.insurance.fundPaid = "91.00")),
      [{ path: "insurance", code: "INSURANCE_SPLIT_MISMATCH" }],
    ],
    [
      "a self-paying bill with a fund payment",
      variant(MEDICAL_EXAMPLE, (b) => (b.insuranceType = "self")),
      [{ path: "insuranceType", code: "INSURANCE_TYPE_MISMATCH" }],
    ],
    [
      "a zero total",
      variant(DONATION_EXAMPLE, (b) => {
        b.total = "0.00";
        b.items[0].amount = "0.00";
      }),
      [
        { path: "total", code: "TOTAL_NOT_POSITIVE" },
        { path: "items[0].amount", code: "AMOUNT_NOT_POSITIVE" },
      ],
    ],
    ["an unknown donation form", variant(DONATION_EXAMPLE, (b) => (b.items[0].form = "stock")), [{ path: "items[0].form", code: "INVALID_VALUE" }]],
    ["an unknown donor type", variant(DONATION_EXAMPLE, (b) => (b.donor.type = "company")), [{ path: "donor.type", code: "INVALID_VALUE" }]],
    [
      "an individual donor with an invalid resident ID",
      variant(DONATION_EXAMPLE, (b) => (b.donor.idNumber = "110105194912310021")),
      [{ path: "donor.idNumber", code: "ID_NUMBER_INVALID" }],
    ],
    [
      "an individual donor identified by a credit code",
      variant(DONATION_EXAMPLE, (b) => (b.donor.idNumber = "91350100M000100Y43")),
      [{ path: "donor.idNumber", code: "ID_NUMBER_INVALID" }],
    ],
    [
      "an organisation donor with an invalid credit code",
      variant(DONATION_EXAMPLE, (b) => (b.donor = { name: "某公司", type: "organisation", idNumber: "91350100M000100Y44" })),
      [{ path: "donor.idNumber", code: "CREDIT_CODE_INVALID" }],
    ],
    ["donation items that do not add up", variant(DONATION_EXAMPLE, (b) => (b.total = "600.00")), [{ path: "total", code: "ITEMS_TOTAL_MISMATCH" }]],
    [
      "a passport that is not a document number",
      variant(MEDICAL_EXAMPLE, (b) => (b.payer = { name: "John Smith", idType: "passport", idNumber: "E-1234" })),
      [{ path: "payer.idNumber", code: "ID_NUMBER_INVALID" }],
    ],
    [
      "a Hong Kong permit without its H or M",
      variant(MEDICAL_EXAMPLE, (b) => (b.payer = { name: "陈大文", idType: "hk-macao-permit", idNumber: "12345678" })),
      [{ path: "payer.idNumber", code: "ID_NUMBER_INVALID" }],
    ],
    [
      "a Taiwan permit of 9 digits",
      variant(MEDICAL_EXAMPLE, (b) => (b.payer = { name: "林志明", idType: "taiwan-permit", idNumber: "123456789" })),
      [{ path: "payer.idNumber", code: "ID_NUMBER_INVALID" }],
    ],
    [
      "a foreign permanent resident ID with a wrong check character",
      variant(MEDICAL_EXAMPLE, (b) => (b.payer = { name: "Anna Müller", idType: "foreign-permanent-resident-id", idNumber: "911276198503150011" })),
      [{ path: "payer.idNumber", code: "ID_NUMBER_INVALID" }],
    ],
    [
      "a resident ID presented as a foreign permanent resident ID",
      variant(MEDICAL_EXAMPLE, (b) => (b.payer.idType = "foreign-permanent-resident-id")),
      [{ path: "payer.idNumber", code: "ID_NUMBER_INVALID" }],
    ],
    [
      "an organisation payer with a wrong credit code",
      variant(MEDICAL_EXAMPLE, (b) => (b.payer = { name: "某公司", idType: "credit-code", idNumber: "91350100M000100Y44" })),
      [{ path: "payer.idNumber", code: "CREDIT_CODE_INVALID" }],
    ],
    [
      "an ID type without its number",
      variant(MEDICAL_EXAMPLE, (b) => (b.payer = { name: "John Smith", idType: "passport" })),
      [{ path: "payer.idNumber", code: "REQUIRED" }],
    ],
    ["a number with ID type none", variant(MEDICAL_EXAMPLE, (b) => (b.payer.idType = "none")), [{ path: "payer.idNumber", code: "FIELD_NOT_ALLOWED" }]],
    [
      "admission dates on an outpatient bill",
      variant(MEDICAL_EXAMPLE, (b) => (b.admissionDate = "2026-01-01")),
      [{ path: "admissionDate", code: "FIELD_NOT_ALLOWED" }],
    ],
    [
      "a visit date on an inpatient bill",
      variant(MEDICAL_EXAMPLE, (b) => {
        b.patientType = "inpatient";
        b.visitDate = "2026-01-01";
      }),
      [{ path: "visitDate", code: "FIELD_NOT_ALLOWED" }],
    ],
    [
      "a discharge before the admission",
      variant(MEDICAL_EXAMPLE, (b) => {
        b.patientType = "inpatient";
        b.admissionDate = "2026-01-08";
        b.dischargeDate = "2026-01-01";
      }),
      [{ path: "dischargeDate", code: "DATE_ORDER" }],
    ],
    [
      "days in hospital that do not match the dates",
      variant(MEDICAL_EXAMPLE, (b) => {
        b.patientType = "inpatient";
        b.admissionDate = "2026-01-01";
        b.dischargeDate = "2026-01-08";
        b.inpatientDays = 8;
      }),
      [{ path: "inpatientDays", code: "INPATIENT_DAYS_MISMATCH" }],
    ],
    [
      "days in hospital without the dates",
      variant(MEDICAL_EXAMPLE, (b) => {
        b.patientType = "inpatient";
        b.inpatientDays = 3;
      }),
      [{ path: "inpatientDays", code: "REQUIRED" }],
    ],
    [
      "a discharge date without an admission date",
      variant(MEDICAL_EXAMPLE, (b) => {
        b.patientType = "inpatient";
        b.dischargeDate = "2026-01-08";
      }),
      [{ path: "admissionDate", code: "REQUIRED" }],
    ],
    ["an impossible date", variant(MEDICAL_EXAMPLE, (b) => (b.visitDate = "2026-02-30")), [{ path: "visitDate", code: "DATE_FORMAT" }]],
    ["a visit date in the future", variant(MEDICAL_EXAMPLE, (b) => (b.visitDate = "2999-01-01")), [{ path: "visitDate", code: "DATE_IN_FUTURE" }]],
    [
      "a full settlement that does not add up",
      variant(MEDICAL_EXAMPLE, (b) => (b.insurance = { fundPaid: "90.00", accountPaid: "30.00", otherPaid: "10.00", cashPaid: "37.00" })),
      [{ path: "insurance", code: "INSURANCE_SPLIT_MISMATCH" }],
    ],
    [
      "co-payment and self-funded costs above what the person paid",
      variant(MEDICAL_EXAMPLE, (b) => (b.insurance = { fundPaid: "90.00", accountPaid: "30.00", cashPaid: "37.00", coPayment: "50.00", selfFunded: "17.01" })),
      [{ path: "insurance", code: "PERSONAL_SHARE_MISMATCH" }],
    ],
    [
      "both cashPaid and its deprecated name selfPaid",
      variant(MEDICAL_EXAMPLE, (b) => (b.insurance.cashPaid = "37.00")),
      [{ path: "insurance.selfPaid", code: "FIELD_CONFLICT" }],
    ],
    ["a settlement without the cash payment", variant(MEDICAL_EXAMPLE, (b) => delete b.insurance.selfPaid), [{ path: "insurance.cashPaid", code: "REQUIRED" }]],
    [
      "a self-paying bill with another insurance payment",
      variant(MEDICAL_EXAMPLE, (b) => {
        b.insuranceType = "self";
        b.insurance = { fundPaid: "0.00", accountPaid: "0.00", otherPaid: "10.00", cashPaid: "147.00" };
      }),
      [{ path: "insuranceType", code: "INSURANCE_TYPE_MISMATCH" }],
    ],
    ["an anonymous donor with a name", variant(DONATION_EXAMPLE, (b) => (b.donor.type = "anonymous")), [{ path: "donor.name", code: "FIELD_NOT_ALLOWED" }]],
    ["a named donor without a name", variant(DONATION_EXAMPLE, (b) => delete b.donor.name), [{ path: "donor.name", code: "REQUIRED" }]],
    [
      "an organisation donor with a passport",
      variant(DONATION_EXAMPLE, (b) => (b.donor = { name: "某公司", type: "organisation", idType: "passport", idNumber: "E12345678" })),
      [{ path: "donor.idType", code: "ID_TYPE_MISMATCH" }],
    ],
    [
      "an individual donor with a credit code type",
      variant(DONATION_EXAMPLE, (b) => (b.donor = { name: "陈小明", type: "individual", idType: "credit-code", idNumber: "91350100M000100Y43" })),
      [{ path: "donor.idType", code: "ID_TYPE_MISMATCH" }],
    ],
    [
      "a goods valuation on a cash donation",
      variant(DONATION_EXAMPLE, (b) => (b.items[0].valuationBasis = "invoice")),
      [{ path: "items[0].valuationBasis", code: "FIELD_NOT_ALLOWED" }],
    ],
    ["a medical field on a donation", variant(DONATION_EXAMPLE, (b) => (b.payer = { name: "x" })), [{ path: "payer", code: "UNKNOWN_FIELD" }]],
  ];
  for (const [what, body, expected] of rejected) {
    it(`rejects ${what}`, () => expect(issuesOf(body)).to.deep.equal(expected));
  }

  it("reports every field problem of a body at once", () => {
    const body = variant(MEDICAL_EXAMPLE, (b) => {
      delete b.payee;
      b.total = "abc";
      b.extra = 1;
    });
    expect(issuesOf(body)).to.have.deep.members([
      { path: "payee", code: "REQUIRED" },
      { path: "total", code: "AMOUNT_FORMAT" },
      { path: "extra", code: "UNKNOWN_FIELD" },
    ]);
  });

  it("never throws, whatever the body", () => {
    for (const body of [null, undefined, 0, [], [MEDICAL_EXAMPLE], { kind: null }, { kind: "medical", items: "x" }]) {
      expect(parseInvoiceRequest(body).ok).to.equal(false);
    }
  });

  it("writes paths with indexes in brackets", () => {
    expect(formatPath(["items", 1, "amount"])).to.equal("items[1].amount");
    expect(formatPath([])).to.equal("");
    expect(formatPath([0, "a"])).to.equal("[0].a");
  });
});
