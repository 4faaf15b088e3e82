/**
 * The OpenAPI 3.1 document, generated from the operation list and its zod schemas.
 *
 * Each zod schema is converted to JSON Schema (2020-12, OpenAPI 3.1's dialect); every shape with an
 * `id` becomes a named component under #/components/schemas and is referenced from there, so the
 * document has one definition per shape and every $ref resolves from its root (standard tools:
 * redocly lint, swagger-parser, openapi-typescript; test/service/openapi-tools.test.ts).
 */
import { z, type ZodType } from "zod";
import { ERRORS } from "../http/errors";
import { OPERATIONS, type Operation } from "./operations";
import type { ResponseSpec } from "./responses";
import { Problem } from "./shapes";
import { WebhookEvent } from "../webhooks/routes";

type Json = Record<string, unknown>;

const REF = "#/components/schemas/";

/** Rewrites "#/$defs/X" to the components, recursively. */
function rewriteRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(rewriteRefs);
  if (v && typeof v === "object") {
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) out[k] = k === "$ref" && typeof x === "string" ? x.replace(/^#\/\$defs\//, REF) : rewriteRefs(x);
    return out;
  }
  return v;
}

class Components {
  readonly schemas: Record<string, Json> = {};
  private readonly seen = new Map<string, string>();

  /** The JSON Schema of `t` for `io`, its named parts hoisted into the components. */
  schema(t: ZodType, io: "input" | "output"): Json {
    const raw = z.toJSONSchema(t, { io, unrepresentable: "any", target: "draft-2020-12", reused: "inline", cycles: "ref" }) as Json;
    delete raw.$schema;
    const defs = (raw.$defs ?? {}) as Record<string, Json>;
    delete raw.$defs;
    for (const [name, def] of Object.entries(defs)) {
      const body = rewriteRefs(def) as Json;
      const text = JSON.stringify(body);
      const prior = this.seen.get(name);
      if (prior !== undefined && prior !== text) throw new Error(`OpenAPI: two different schemas are named ${name}`);
      this.seen.set(name, text);
      this.schemas[name] = body;
    }
    return rewriteRefs(raw) as Json;
  }
}

const TAGS = [
  { name: "issuance", description: "Issue bills, find them, get their PDF and machine-readable envelope (issuers; the bureau reads all)." },
  { name: "lifecycle", description: "Void bills (issuers) and mark them reimbursed (relying parties)." },
  { name: "webhooks", description: "Subscriptions to events about an institution's own bills, signed deliveries, the delivery log." },
  { name: "verification", description: "Public verification by QR link, PDF upload or the printed fields." },
  { name: "bureau", description: "The finance bureau: issuers, ranges, keys, figures, search and exports, reconciliation, audit." },
  { name: "operations", description: "Health, readiness, metrics and this documentation." },
];

function problemSchema(c: Components, spec: ResponseSpec): Json {
  const base = c.schema(spec.schema!, "output");
  if (!spec.codes?.length) return base;
  return { allOf: [base, { type: "object", properties: { code: { type: "string", enum: spec.codes, description: "The codes this status carries here." } } }] };
}

function responseOf(c: Components, spec: ResponseSpec): Json {
  const codes = spec.codes?.length ? ` Codes: ${spec.codes.map((x) => `\`${x}\` (${ERRORS[x].title})`).join("; ")}.` : "";
  const out: Json = { description: spec.description + codes };
  const content: Json = {};
  if (spec.schema)
    content[spec.contentType ?? "application/json"] = {
      schema: spec.contentType === "application/problem+json" ? problemSchema(c, spec) : c.schema(spec.schema, "output"),
    };
  else if (spec.contentType)
    content[spec.contentType] = {
      schema: spec.contentType === "application/pdf" || spec.contentType === "application/ofd" ? { type: "string", format: "binary" } : { type: "string" },
    };
  for (const [type, alt] of Object.entries(spec.alternatives ?? {}))
    content[type] = {
      schema: alt.binary ? { type: "string", format: "binary", description: alt.description } : { type: "string", description: alt.description },
    };
  if (Object.keys(content).length) out.content = content;
  if (spec.headers) out.headers = Object.fromEntries(Object.entries(spec.headers).map(([h, description]) => [h, { description, schema: { type: "string" } }]));
  if (spec.codes?.includes("RATE_LIMITED") || spec.codes?.includes("SERVICE_BUSY") || spec.codes?.includes("DELIVERY_IN_PROGRESS")) {
    out.headers = { ...(out.headers ?? {}), "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } } };
  }
  return out;
}

const PATH_PARAMS: Record<string, string> = {
  id: "The resource's id.",
  keyId: "The API key's id.",
  billCode: "票据代码, 8 digits.",
  billNumber: "票据号码, 10 digits.",
  deliveryId: "The delivery's id.",
};

function parametersOf(c: Components, op: Operation): Json[] {
  const params: Json[] = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    description: PATH_PARAMS[m[1]] ?? m[1],
    schema: { type: "string" },
  }));
  if (op.query) {
    const shape = c.schema(op.query, "input");
    const props = (shape.properties ?? {}) as Record<string, Json>;
    const required = new Set((shape.required as string[] | undefined) ?? []);
    for (const [name, s] of Object.entries(props)) {
      const { description, ...schema } = s;
      params.push({ name, in: "query", required: required.has(name) && !("default" in schema), description: description ?? name, schema });
    }
  }
  for (const p of op.parameters ?? [])
    params.push({ name: p.name, in: p.in, required: !!p.required, description: p.description, schema: p.schema ?? { type: "string" } });
  return params;
}

function operationOf(c: Components, op: Operation): Json {
  const responses: Json = {};
  for (const [status, spec] of Object.entries(op.responses)) responses[status] = responseOf(c, spec);
  if (op.access !== "public" || op.path.startsWith("/api/"))
    responses["500"] = responseOf(c, {
      description: "An unexpected error; nothing about it is disclosed.",
      schema: responsesProblem(),
      contentType: "application/problem+json",
      codes: ["INTERNAL"],
    });
  const who = op.access === "public" ? "Public." : `API key of: ${op.access.join(", ")}.`;
  const out: Json = {
    operationId: op.operationId,
    summary: op.summary,
    description: [op.description, who].filter(Boolean).join("\n\n"),
    tags: [op.tag],
    security: op.access === "public" ? [] : [{ apiKey: [] }],
    "x-roles": op.access,
  };
  const params = parametersOf(c, op);
  if (params.length) out.parameters = params;
  if (op.request) {
    const media: Json = {};
    if (op.request.schema) media.schema = c.schema(op.request.schema, "input");
    else if (op.request.binary) media.schema = { type: "string", format: "binary" };
    else media.schema = { type: "object", description: op.request.description ?? "A form." };
    if (op.request.examples) media.examples = op.request.examples;
    const content: Json = { [op.request.contentType]: media };
    for (const type of op.request.alsoBinary ?? []) content[type] = { schema: { type: "string", format: "binary" } };
    out.requestBody = { required: true, description: op.request.description ?? op.summary, content };
  }
  out.responses = responses;
  return out;
}

function responsesProblem(): ZodType {
  return Problem;
}

export function openApiDocument(baseUrl: string): Json {
  const c = new Components();
  const paths: Record<string, Json> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operationOf(c, op);
  const signedHeader = (description: string) => ({ description, required: true, schema: { type: "string" } });
  const webhooks = {
    billEvent: {
      post: {
        operationId: "receiveBillEvent",
        summary: "A bill event, POSTed to your subscription's URL",
        description:
          'Verify Lianpiao-Signature (t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the subscription\'s secret>) on the raw body, refuse a t more than 300 s from your clock, deduplicate on Lianpiao-Event-Id, answer 2xx within 10 s.',
        tags: ["webhooks"],
        security: [],
        parameters: [
          { name: "Lianpiao-Event-Id", in: "header", ...signedHeader("The event's id.") },
          { name: "Lianpiao-Event-Type", in: "header", ...signedHeader("bill.anchored, bill.voided, bill.reimbursed or bill.released.") },
          { name: "Lianpiao-Delivery-Id", in: "header", ...signedHeader("This delivery (the log's id).") },
          { name: "Lianpiao-Signature", in: "header", ...signedHeader("t=<unix seconds>,v1=<hex HMAC-SHA256>.") },
        ],
        requestBody: { required: true, description: "The event.", content: { "application/json": { schema: c.schema(WebhookEvent, "output") } } },
        responses: {
          "200": { description: "Received (any 2xx)." },
          "400": { description: "Refused (a bad signature): retried like any answer other than 2xx." },
        },
      },
    },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "lianpiao (链票) API",
      version: "1",
      summary: "Fiscal electronic bills: issue, anchor, verify, supervise.",
      description:
        "Issue medical fee e-bills (医疗收费电子票据) and donation receipts (公益事业捐赠统一票据), find them, void them, mark them reimbursed, receive webhooks about them, and verify them against the chain.\n\n" +
        'Send API keys as `Authorization: Bearer <key>`. Amounts are decimal strings ("157.00"), never JSON numbers. Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`; a request body\'s problems are all in `errors[]`, each with its `path` and `code`.\n\n' +
        "Generate a typed client: `npx openapi-typescript <base>/openapi.json -o lianpiao.d.ts` and use it with openapi-fetch (README, Integrating).",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    servers: [{ url: baseUrl, description: "This service." }],
    security: [{ apiKey: [] }],
    tags: TAGS,
    paths,
    webhooks,
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "Authorization: Bearer <API key>. Keys are issued by the bureau, shown once." },
      },
      schemas: c.schemas,
    },
  };
}
