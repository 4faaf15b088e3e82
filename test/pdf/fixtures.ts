/** Real-looking bills for the PDF tests. */
import { fieldsOf } from "../../server/issuance/commitments";
import type { BillEnvelope, DonationBill, MedicalBill, MedicalItem } from "../../server/issuance/model";

const ISSUER = {
  name: "福州市第一人民医院",
  creditCode: "91350100M000100Y43",
  account: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
};

export const VERIFY_URL = "https://piao.example.gov.cn/v/01JD7Q3W8ZK5C4M2N6P0R9T1VX?k=Xq8vN2mB7cL4pR0sT6wY1zA3";

/** SPEC §7's outpatient example, as issuance composes it: only what was sent (no category, no insurance type). */
export const outpatient: MedicalBill = {
  v: 2,
  kind: "medical",
  billCode: "35010126",
  billNumber: "0000012345",
  checkCode: "8a3F2k",
  issuedAt: "2026-11-23T10:31:07+08:00",
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
};

const CATEGORIES = ["床位费", "诊察费", "检查费", "化验费", "治疗费", "手术费", "护理费", "卫生材料费", "西药费", "中药饮片费", "中成药费", "其他费"];
const NAMES = ["头孢呋辛酯片", "血常规检查", "肝功能全套", "静脉输液", "一次性无菌注射器", "普通病房床位", "Ⅱ级护理", "胸部CT平扫", "阿莫西林胶囊", "心电图"];

const SPECS = ["0.25g×24粒", "5ml:0.5g", "1.5g/瓶", "次", "10cm×10cm"];
const UNITS = ["盒", "支", "瓶", "次", "片"];

function inpatientItems(n: number): MedicalItem[] {
  return Array.from({ length: n }, (_, i) => ({
    code: `Z${String(1001 + i)}`,
    name: NAMES[i % NAMES.length],
    category: CATEGORIES[i % CATEGORIES.length],
    ...(i % 2 === 0 ? { specification: SPECS[i % SPECS.length], unit: UNITS[i % UNITS.length] } : {}),
    quantity: String((i % 3) + 1),
    unitPrice: "25.00",
    amount: `${((i % 3) + 1) * 25}.00`,
  }));
}

/** An inpatient stay with 40 items over several pages, with the national fields: a passport, dates, the full settlement. */
export const inpatient: MedicalBill = {
  ...outpatient,
  billNumber: "0000012346",
  checkCode: "Q7m2Zx",
  issuedAt: "2026-11-28T16:05:44+08:00",
  payer: { name: "John Smith", idType: "passport", idNumber: "E12345678" },
  patientType: "inpatient",
  department: "心血管内科",
  visitNumber: "ZY2026110800231",
  admissionDate: "2026-11-08",
  dischargeDate: "2026-11-28",
  inpatientDays: 20,
  businessSerial: "HIS2026112800231",
  institutionType: "综合医院",
  insuranceType: "resident",
  items: inpatientItems(40),
  total: "2000.00",
  totalInWords: "贰仟元整",
  insurance: { fundPaid: "1300.00", accountPaid: "200.00", otherPaid: "100.00", cashPaid: "400.00", coPayment: "350.00", selfFunded: "250.00" },
  remarks: "",
};

/** A long issuer name and item names long enough to shrink and wrap. */
export const longNames: MedicalBill = {
  ...outpatient,
  billNumber: "0000012347",
  issuer: { ...ISSUER, name: "中国人民解放军联勤保障部队第九〇〇医院福州总院附属国际医疗中心（福建省临床医学研究院）" },
  items: [
    {
      code: "C0301020010001",
      name: "注射用头孢哌酮钠舒巴坦钠（1.5g/瓶，舒普深，辉瑞制药有限公司进口分装）静脉滴注加配药服务费",
      category: "西药费",
      quantity: "12",
      unitPrice: "5.75",
      amount: "69.00",
    },
    {
      code: "B03",
      name: "Magnetic resonance imaging of the lumbar spine with and without contrast enhancement, 3.0T",
      category: "检查费",
      quantity: "1",
      unitPrice: "88.00",
      amount: "88.00",
    },
  ],
  remarks:
    "本票据项目名称较长，用于检验自动缩放与换行；备注也很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长。",
};

/** SPEC §7's donation example, as issuance completes it. */
export const donation: DonationBill = {
  v: 2,
  kind: "donation",
  billCode: "35020326",
  billNumber: "0000000088",
  checkCode: "d4K9pw",
  issuedAt: "2026-11-23T10:31:07+08:00",
  issuer: { name: "福建省慈善总会", creditCode: "51350000500004681N", account: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" },
  payee: "赵六",
  reviewer: "钱七",
  remarks: "",
  total: "500.00",
  totalInWords: "伍佰元整",
  donor: { name: "陈小明", type: "individual" },
  items: [{ name: "儿童先心病救助项目", form: "cash", amount: "500.00" }],
  purpose: "儿童先心病救助",
};

/** An anonymous, restricted donation of goods with their valuation, and cash. */
export const inKind: DonationBill = {
  ...donation,
  billNumber: "0000000089",
  checkCode: "k8Hw2Q",
  total: "12500.00",
  totalInWords: "壹万贰仟伍佰元整",
  donor: { type: "anonymous" },
  items: [
    {
      name: "医用外科口罩",
      form: "in-kind",
      quantity: "200",
      unit: "箱",
      description: "50只/箱，一次性使用，有效期至2028-06",
      valuationBasis: "invoice",
      amount: "12000.00",
    },
    { name: "现金", form: "cash", amount: "500.00" },
  ],
  purpose: "福州市社区卫生服务中心防疫物资",
  purposeType: "restricted",
  businessSerial: "DON-2026-000089",
};

/** A red bill cancelling the outpatient bill. */
export const red: MedicalBill = {
  ...outpatient,
  billNumber: "0000012399",
  checkCode: "R3d9Bx",
  issuedAt: "2026-11-24T09:00:00+08:00",
  total: "-157.00",
  totalInWords: "负壹佰伍拾柒元整",
  items: outpatient.items.map((it) => ({ ...it, quantity: `-${it.quantity}`, amount: `-${it.amount}` })),
  insurance: { fundPaid: "-90.00", accountPaid: "-30.00", cashPaid: "-37.00" },
  redOf: { billCode: "35010126", billNumber: "0000012345", reason: "患者退费" },
};

/** A rendering fixture: salts and hashes have the right shape but are not the bill's (nothing here is verified). */
export function envelopeOf(bill: MedicalBill | DonationBill, seed = "01"): BillEnvelope {
  return {
    format: "lianpiao-bill/3",
    bill,
    salts: Object.fromEntries(fieldsOf(bill as unknown as Record<string, unknown>).map((f) => [f.pointer, `0x${seed.repeat(32)}`])),
    withheld: {},
    billHash: `0x${(seed + bill.billNumber).padEnd(64, "a").slice(0, 64)}`,
    leaf: `0x${"b".repeat(64)}`,
    signature: `0x${"c".repeat(130)}`,
    sm2: { publicKey: `0x04${"d".repeat(128)}`, signature: `0x${"e".repeat(128)}` },
    anchor: null,
  };
}
