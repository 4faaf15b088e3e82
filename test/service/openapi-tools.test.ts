// The served OpenAPI document as standard tools see it: Redocly's linter (recommended rules) finds no
// error, swagger-parser validates it, openapi-typescript generates exactly the committed client types,
// and every operation, field and error is described. The /docs page shows request bodies and can try
// requests under its strict CSP.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import SwaggerParser from "@apidevtools/swagger-parser";
import { generateTypes, TYPES_FILE } from "../../scripts/openapi-types";
import { ERRORS } from "../../server/http/errors";
import { OPERATIONS } from "../../server/openapi/operations";
import { ROOT, tempDir } from "../helpers/processes";
import { startInProcess, type InProcess } from "../helpers/in-process";
import { MEDICAL_EXAMPLE } from "../helpers/api";

type Json = Record<string, any>;

/** Every schema object in the document with where it is. */
function* schemasIn(v: unknown, where: string): Generator<[string, Json]> {
  if (Array.isArray(v)) for (const [i, x] of v.entries()) yield* schemasIn(x, `${where}/${i}`);
  else if (v && typeof v === "object") {
    const o = v as Json;
    if (o.properties && typeof o.properties === "object") yield [where, o];
    for (const [k, x] of Object.entries(o)) if (k !== "examples" && k !== "example") yield* schemasIn(x, `${where}/${k}`);
  }
}

describe("the OpenAPI document with standard tools", function () {
  this.timeout(180_000);
  let sys: InProcess;
  let doc: Json;
  let file: string;

  before(async () => {
    sys = await startInProcess();
    const r = await fetch(`${sys.url}/openapi.json`);
    doc = (await r.json()) as Json;
    file = path.join(tempDir(), "openapi.json");
    fs.writeFileSync(file, JSON.stringify(doc, null, 2));
  });
  after(async () => sys?.stop());

  it("passes `redocly lint` (recommended rules) with no error", () => {
    let out: string;
    try {
      out = execFileSync(path.join(ROOT, "node_modules", ".bin", "redocly"), ["lint", file, "--format=json"], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (err) {
      out = String((err as { stdout?: string }).stdout ?? "");
    }
    const report = JSON.parse(out.slice(out.indexOf("{")));
    const errors = report.problems.filter((p: Json) => p.severity === "error").map((p: Json) => `${p.ruleId} ${p.location?.[0]?.pointer}: ${p.message}`);
    expect(errors, errors.join("\n")).to.deep.equal([]);
    expect(report.totals.errors).to.equal(0);
    // the warnings left are the public probes without a 4xx and the sign-in redirects without a 2xx
    const warned = new Set(report.problems.map((p: Json) => p.ruleId));
    for (const rule of warned) expect(["operation-4xx-response", "operation-2xx-response", "no-server-example.com"]).to.include(rule);
  });

  it("passes swagger-parser validate, every $ref resolving", async () => {
    const api = (await SwaggerParser.validate(file)) as Json;
    expect(Object.keys(api.paths).length).to.equal(new Set(OPERATIONS.map((o) => o.path)).size);
  });

  it("generates exactly the committed client types (test/helpers/lianpiao-api.d.ts) with openapi-typescript", async () => {
    const expected = await generateTypes(doc);
    const committed = fs.readFileSync(TYPES_FILE, "utf8");
    expect(committed === expected, "the client types are stale: run `node -r ./scripts/register.js scripts/openapi-types.ts` and commit").to.equal(true);
  });

  it("gives every operation a unique operationId, a summary, a 4xx answer for API calls, and problem codes of the catalogue", () => {
    const ids: string[] = [];
    for (const [p, methods] of Object.entries(doc.paths as Json)) {
      for (const [m, op] of Object.entries(methods as Json)) {
        expect(op.operationId, `${m} ${p}`).to.match(/^[a-z][A-Za-z]+$/);
        expect(op.summary, `${m} ${p}`).to.be.a("string").and.not.equal("");
        ids.push(op.operationId);
        if (p.startsWith("/api/")) {
          expect(
            Object.keys(op.responses).some((s) => s.startsWith("4")),
            `${m} ${p} has no 4xx`,
          ).to.equal(true);
          for (const [status, r] of Object.entries(op.responses as Json)) {
            if (!status.startsWith("2")) expect(Object.keys((r as Json).content ?? {}), `${m} ${p} ${status}`).to.include("application/problem+json");
          }
        }
      }
    }
    expect(new Set(ids).size).to.equal(ids.length);
    expect(doc.components.schemas.Problem.properties.code.enum).to.have.members(Object.keys(ERRORS));
  });

  it("describes every field of every schema, and writes money as a pattern, never an empty schema", () => {
    const missing: string[] = [];
    for (const [where, s] of schemasIn(doc, "#")) {
      for (const [name, p] of Object.entries(s.properties as Json)) {
        if (!(p as Json).description && !(p as Json).$ref) missing.push(`${where}/properties/${name}`);
        if (JSON.stringify(p) === "{}") missing.push(`${where}/properties/${name} is {}`);
      }
    }
    expect(missing, missing.slice(0, 20).join("\n")).to.deep.equal([]);
    const schemas = doc.components.schemas;
    for (const [shape, field] of [
      ["MedicalInvoiceRequest", "total"],
      ["MedicalItem", "unitPrice"],
      ["MedicalSettlement", "fundPaid"],
      ["DonationItem", "amount"],
    ]) {
      expect(schemas[shape].properties[field]).to.include({ type: "string" }).and.to.have.property("pattern");
      expect(new RegExp(schemas[shape].properties[field].pattern).test("157.00")).to.equal(true);
      expect(new RegExp(schemas[shape].properties[field].pattern).test("1e3")).to.equal(false);
    }
    expect(schemas.BillSummary.properties.total).to.deep.equal({ $ref: "#/components/schemas/Amount" });
    for (const q of doc.paths["/api/v1/invoices"].get.parameters) expect(q.description, q.name).to.be.a("string").and.not.equal(q.name);
  });

  it("shows SPEC §7's two bodies as examples, and the CSV and XLSX answers of the bureau's search", () => {
    const examples = doc.paths["/api/v1/invoices"].post.requestBody.content["application/json"].examples;
    expect(examples.medical.value).to.deep.equal(MEDICAL_EXAMPLE);
    expect(examples.donation.value.kind).to.equal("donation");
    const search = doc.paths["/api/v1/registry/bills"].get.responses["200"].content;
    expect(Object.keys(search)).to.have.members(["application/json", "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]);
  });

  it("serves /docs with every operation's request body fields and a try-it form, under a strict CSP with a same-origin script", async () => {
    const page = await fetch(`${sys.url}/docs`);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp)
      .to.match(/default-src 'none'/)
      .and.match(/script-src 'self'/)
      .and.match(/connect-src 'self'/);
    expect(csp).to.not.match(/unsafe-inline|unsafe-eval|https?:/);
    const html = await page.text();
    expect(html).to.not.match(/<script(?![^>]*src="\/docs\/try\.js")/);
    expect(html).to.not.match(/https?:\/\/(?!localhost|127\.0\.0\.1)[^"'\s<]*\.(js|css)/);
    for (const field of [
      "<code>payer</code>",
      "<code>idType</code>",
      "<code>admissionDate</code>",
      "<code>coPayment</code>",
      "<code>valuationBasis</code>",
      "<code>reasonCode</code>",
      "<code>events</code>",
    ])
      expect(html, field).to.include(field);
    expect(html).to.include('<form class="try" data-method="POST" data-path="/api/v1/invoices"');
    expect(html).to.include("&quot;visitNumber&quot;: &quot;MZ2026112300017&quot;");
    const js = await fetch(`${sys.url}/docs/try.js`);
    expect(js.status).to.equal(200);
    expect(js.headers.get("content-type")).to.match(/javascript/);
  });

  it("lets a browser try a request from /docs: issue SPEC §7's bill with the key and see 201", async () => {
    const { chromium } = await import("playwright-core");
    const executablePath = "/usr/bin/chromium";
    if (!fs.existsSync(executablePath)) throw new Error(`${executablePath} is missing: apt-get install -y chromium`);
    const browser = await chromium.launch({
      executablePath,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    try {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on("console", (m) => m.type() === "error" && violations.push(m.text()));
      await page.goto(`${sys.url}/docs`);
      await page.fill("#key", sys.sys.demo!.hospital.apiKey);
      await page.dispatchEvent("#key", "change");
      const form = page.locator('form.try[data-method="POST"][data-path="/api/v1/invoices"]');
      await form.locator("button").click();
      await page.waitForFunction(`/^\\d{3} /.test(document.querySelector('form.try[data-method="POST"][data-path="/api/v1/invoices"] .out').textContent)`);
      const out = await form.locator(".out").textContent();
      expect(out).to.match(/^201 /).and.include('"billNumber"');
      expect(violations, violations.join("\n")).to.deep.equal([]);
    } finally {
      await browser.close();
    }
  });
});
