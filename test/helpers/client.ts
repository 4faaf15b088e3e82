/**
 * The typed client the project's own API tests use: openapi-fetch over the types openapi-typescript
 * generates from the served OpenAPI document (test/helpers/lianpiao-api.d.ts, kept current by
 * test/service/openapi-tools.test.ts). A request or response the document does not describe fails
 * to compile, so every CI run proves the document against the server.
 */
import createClient from "openapi-fetch";
import type { components, paths } from "./lianpiao-api";

export type Schemas = components["schemas"];
export type LianpiaoClient = ReturnType<typeof createClient<paths>>;

export function apiClient(baseUrl: string, apiKey?: string): LianpiaoClient {
  return createClient<paths>({ baseUrl, headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });
}
