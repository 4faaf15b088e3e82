/**
 * The OpenAPI 3.1 document, generated from the operation list and its zod schemas.
 */
import { z, type ZodType } from "zod";
import { OPERATIONS } from "./operations";

function schemaOf(t: ZodType): unknown {
  return z.toJSONSchema(t, { io: "input", unrepresentable: "any", target: "draft-2020-12" });
}

export function openApiDocument(baseUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(op.responses)) {
      responses[status] = { description: r.description, ...(r.schema ? { content: { [r.contentType ?? "application/json"]: { schema: schemaOf(r.schema) } } } : r.contentType ? { content: { [r.contentType]: {} } } : {}) };
    }
    (paths[op.path] ??= {})[op.method] = {
      summary: op.summary,
      tags: [op.tag],
      security: op.access === "public" ? [] : [{ apiKey: [] }],
      "x-roles": op.access,
      parameters: [
        ...[...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } })),
        ...(op.parameters ?? []).map((p) => ({ name: p.name, in: p.in, required: !!p.required, description: p.description, schema: { type: "string" } })),
      ],
      ...(op.request ? { requestBody: { required: true, description: op.request.description, content: { [op.request.contentType]: op.request.schema ? { schema: schemaOf(op.request.schema) } : {} } } } : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "lianpiao (链票) API",
      version: "1",
      description: "Issue, anchor and verify fiscal electronic bills. Errors are RFC 9457 problem details with a stable `code`.",
    },
    servers: [{ url: baseUrl }],
    components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "Authorization: Bearer <API key>" } } },
    paths,
  };
}
