/**
 * GET /openapi.json and a browsable docs page rendered on the server: no external assets, no script.
 */
import crypto from "node:crypto";
import { Router } from "express";
import { OPERATIONS } from "./operations";
import { openApiDocument } from "./document";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(nonce: string): string {
  const rows = OPERATIONS.map(
    (o) => `<section><h3><span class="m ${o.method}">${o.method.toUpperCase()}</span> <code>${esc(o.path)}</code></h3>
<p>${esc(o.summary)} — <em>${o.access === "public" ? "public" : esc(o.access.join(", "))}</em></p>
<ul>${Object.entries(o.responses).map(([s, r]) => `<li><b>${s}</b> ${esc(r.description)}</li>`).join("")}</ul></section>`,
  ).join("\n");
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>lianpiao API</title><style nonce="${nonce}">body{font:15px/1.5 system-ui,sans-serif;max-width:860px;margin:2em auto;padding:0 1em;color:#222}
h3{margin:.2em 0;font-size:1em}section{border-top:1px solid #ddd;padding:.6em 0}.m{display:inline-block;min-width:4em;color:#fff;border-radius:3px;padding:0 .4em;font-size:.8em;text-align:center}
.get{background:#2f6f9f}.post{background:#2f8f4f}.delete{background:#a33}.put{background:#a70}code{font-size:.95em}</style></head>
<body><h1>lianpiao (链票) API</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Send API keys as <code>Authorization: Bearer &lt;key&gt;</code>; errors are <code>application/problem+json</code> with a stable <code>code</code>.</p>
${rows}</body></html>`;
}

export function docsRoutes(baseUrl: string): Router {
  const r = Router();
  const doc = JSON.stringify(openApiDocument(baseUrl));
  r.get("/openapi.json", (_req, res) => {
    res.type("application/json").send(doc);
  });
  r.get("/docs", (_req, res) => {
    const nonce = crypto.randomBytes(16).toString("base64");
    res.setHeader("Content-Security-Policy", `default-src 'none'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`);
    res.type("html").send(page(nonce));
  });
  return r;
}
