/** The two request bodies of SPEC §7, verbatim, and helpers to vary them. */
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

/** A deep copy of `base` with `edit` applied, so each test starts from a pristine example. */
export function variant<T>(base: T, edit: (copy: any) => void): T {
  const copy = structuredClone(base);
  edit(copy);
  return copy;
}

export const ISSUER = {
  name: "示范市第一人民医院",
  creditCode: "91350100M000100Y43",
  account: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
};
