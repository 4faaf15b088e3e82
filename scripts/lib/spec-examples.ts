/** SPEC §7's two request bodies, exactly as they stand: the tests', the vectors' and the benchmarks' one copy. */
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
