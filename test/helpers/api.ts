/**
 * A small HTTP client for tests: JSON in and out, the API key as a bearer token.
 */
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = any>(base: string, method: string, path: string, opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (opts.body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
  const r = await fetch(base + path, { method, headers, body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body) });
  const text = await r.text();
  let body: any = text;
  if ((r.headers.get("content-type") ?? "").includes("json")) body = text ? JSON.parse(text) : null;
  return { status: r.status, headers: r.headers, body };
}

/** SPEC §7's two request bodies, exactly as they stand. */
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

export async function waitAnchored(base: string, key: string, id: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await call(base, "GET", `/api/v1/invoices/${id}`, { key });
    if (r.status === 200 && r.body.status === "anchored" && r.body.anchor) return r.body;
    if (Date.now() > deadline) throw new Error(`bill ${id} not anchored within ${timeoutMs} ms: ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
