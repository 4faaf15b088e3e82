/**
 * Real request bodies for the issuing load: SPEC §7's medical and donation examples with the fields a
 * billing system varies (payer, visit, quantities, amounts), every variant valid and balanced.
 */
const PAYERS = ["张三", "李小红", "欧阳建国", "王芳", "陈志强", "刘洋"];
const DONORS = ["陈小明", "林晓燕", "福建海峡慈善基金会", "黄伟"];

function fen(n: number): string {
  return (n / 100).toFixed(2);
}

export function medicalBody(i: number): Record<string, unknown> {
  const q = (i % 4) + 1;
  const drugs = 1850 * q;
  const total = drugs + 12000;
  return {
    kind: "medical",
    payer: i % 3 === 0 ? { name: PAYERS[i % PAYERS.length], idNumber: "11010519491231002X" } : { name: PAYERS[i % PAYERS.length] },
    patientType: "outpatient",
    department: i % 2 ? "内科" : "外科",
    visitNumber: `MZ20261123${String(i % 100000).padStart(5, "0")}`,
    items: [
      { code: "A01", name: "西药费", quantity: String(q), unitPrice: "18.50", amount: fen(drugs) },
      { code: "B03", name: "检查费", quantity: "1", unitPrice: "120.00", amount: "120.00" },
    ],
    insurance: { fundPaid: "90.00", accountPaid: "30.00", selfPaid: fen(total - 12000) },
    total: fen(total),
    payee: "李四",
    reviewer: "王五",
    remarks: "",
  };
}

export function donationBody(i: number): Record<string, unknown> {
  const amount = 10000 * ((i % 9) + 1);
  const organisation = i % 4 === 2;
  return {
    kind: "donation",
    donor: { name: DONORS[i % DONORS.length], type: organisation ? "organisation" : "individual" },
    items: [{ name: "儿童先心病救助项目", form: "cash", amount: fen(amount) }],
    total: fen(amount),
    purpose: "儿童先心病救助",
    payee: "赵六",
    reviewer: "钱七",
  };
}
