/** SPEC §7's two request bodies, exactly as they stand, and examples of the national fields: the tests', the vectors', the benchmarks' and the OpenAPI document's one copy. */
export const MEDICAL_EXAMPLE = {
  kind: "medical",
  payer: { name: "张三", idNumber: "11010519491231002X" },
  patientType: "outpatient",
  department: "内科",
  visitNumber: "MZ2026112300017",
  items: [
    { code: "A01", name: "西药费", quantity: "2", unitPrice: "18.50", amount: "37.00" },
    { code: "B03", name: "检查费", quantity: "1", unitPrice: "120.00", amount: "120.00" },
  ],
  insurance: { fundPaid: "90.00", accountPaid: "30.00", selfPaid: "37.00" },
  total: "157.00",
  payee: "李四",
  reviewer: "王五",
  remarks: "",
};

export const DONATION_EXAMPLE = {
  kind: "donation",
  donor: { name: "陈小明", type: "individual" },
  items: [{ name: "儿童先心病救助项目", form: "cash", amount: "500.00" }],
  total: "500.00",
  purpose: "儿童先心病救助",
  payee: "赵六",
  reviewer: "钱七",
};

/** Beyond SPEC §7: an inpatient bill with the national medical e-bill fields (a foreign patient's passport). */
export const INPATIENT_EXAMPLE = {
  kind: "medical",
  payer: { name: "John Smith", idType: "passport", idNumber: "E12345678" },
  patientType: "inpatient",
  department: "心血管内科",
  visitNumber: "ZY2026110800231",
  admissionDate: "2026-11-08",
  dischargeDate: "2026-11-12",
  inpatientDays: 4,
  institutionType: "综合医院",
  businessSerial: "HIS2026112800231",
  insuranceType: "employee",
  items: [
    { code: "110900001", name: "普通病房床位费", category: "床位费", unit: "日", quantity: "4", unitPrice: "60.00", amount: "240.00" },
    {
      code: "86900234000012",
      name: "阿莫西林胶囊",
      category: "西药费",
      specification: "0.25g×24粒",
      unit: "盒",
      quantity: "2",
      unitPrice: "18.50",
      amount: "37.00",
    },
    { code: "250101001", name: "血常规", category: "化验费", unit: "次", quantity: "1", unitPrice: "23.00", amount: "23.00" },
  ],
  insurance: { fundPaid: "180.00", accountPaid: "40.00", otherPaid: "20.00", cashPaid: "60.00", coPayment: "63.00", selfFunded: "37.00" },
  total: "300.00",
  payee: "李四",
  reviewer: "王五",
};

/** Beyond SPEC §7: an anonymous, restricted donation of goods (实物) with their valuation, and cash. */
export const IN_KIND_EXAMPLE = {
  kind: "donation",
  donor: { type: "anonymous" },
  items: [
    { name: "医用外科口罩", form: "in-kind", quantity: "200", unit: "箱", description: "50只/箱，一次性使用", valuationBasis: "invoice", amount: "12000.00" },
    { name: "现金", form: "cash", amount: "500.00" },
  ],
  purpose: "社区卫生服务中心防疫物资",
  purposeType: "restricted",
  businessSerial: "DON-2026-000089",
  total: "12500.00",
  payee: "赵六",
  reviewer: "钱七",
};
