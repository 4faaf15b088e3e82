/**
 * GET /openapi.json, and /docs: the API documentation rendered on the server from the same document
 * (no external asset, no CDN), with each operation's parameters, request body fields, examples and
 * responses, and a try-it form driven by one small same-origin script (/docs/try.js). The page keeps
 * a strict CSP: scripts only from this origin, styles only by nonce, requests only to this origin.
 */
import crypto from "node:crypto";
import { Router } from "express";
import { openApiDocument } from "./document";
import { basePathOf, escapeHtml as esc } from "../http/html";

type Json = Record<string, any>;

/** The schema's fields as nested lists: name, type, required, description; $refs resolved, depth-limited. */
function fields(doc: Json, schema: Json | undefined, depth = 0, seen: string[] = []): string {
  if (!schema || depth > 4) return "";
  if (schema.$ref) {
    const name = String(schema.$ref).split("/").pop() as string;
    if (seen.includes(name)) return `<p class="muted">(${esc(name)}, as above)</p>`;
    return fields(doc, doc.components.schemas[name], depth, [...seen, name]);
  }
  if (schema.oneOf || schema.anyOf) {
    return (schema.oneOf ?? schema.anyOf)
      .map((s: Json) => {
        const name = s.$ref ? String(s.$ref).split("/").pop() : "";
        const target = s.$ref ? doc.components.schemas[name as string] : s;
        return `<details${depth === 0 ? " open" : ""}><summary>${esc(target?.title ?? name ?? "variant")}</summary>${fields(doc, s, depth + 1, seen)}</details>`;
      })
      .join("");
  }
  if (schema.allOf) return schema.allOf.map((s: Json) => fields(doc, s, depth, seen)).join("");
  if (schema.type === "array") return fields(doc, schema.items, depth, seen);
  const props = schema.properties as Json | undefined;
  if (!props) return "";
  const required = new Set<string>(schema.required ?? []);
  const rows = Object.entries(props).map(([name, p]: [string, Json]) => {
    const target = p.$ref ? doc.components.schemas[String(p.$ref).split("/").pop() as string] : p;
    const type =
      target?.type === "array"
        ? `array of ${target.items?.$ref ? String(target.items.$ref).split("/").pop() : (target.items?.type ?? "items")}`
        : target?.enum
          ? `one of ${target.enum.map((e: unknown) => JSON.stringify(e)).join(", ")}`
          : target?.const !== undefined
            ? JSON.stringify(target.const)
            : (target?.type ?? (p.$ref ? String(p.$ref).split("/").pop() : ""));
    const pattern = target?.pattern ? ` <code class="muted">${esc(target.pattern)}</code>` : "";
    const nested = target?.properties || target?.items?.$ref || target?.items?.properties || target?.oneOf ? fields(doc, p, depth + 1, seen) : "";
    return `<li><code>${esc(name)}</code> <span class="t">${esc(type)}</span>${required.has(name) ? ' <b class="req">required</b>' : ""}${target?.deprecated ? ' <b class="dep">deprecated</b>' : ""}${pattern} — ${esc(p.description ?? target?.description ?? "")}${nested}</li>`;
  });
  return `<ul class="fields">${rows.join("")}</ul>`;
}

function operationSection(doc: Json, path: string, method: string, op: Json, index: number): string {
  const params = (op.parameters ?? []) as Json[];
  const body = op.requestBody?.content as Json | undefined;
  const [bodyType, media] = body ? (Object.entries(body)[0] as [string, Json]) : [undefined, undefined];
  const examples = Object.entries((media?.examples ?? {}) as Json);
  const first = examples[0]?.[1]?.value;
  const jsonBody = bodyType === "application/json";
  const paramRows = params
    .map(
      (p) =>
        `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? "required" : ""}</td><td>${esc(p.description)}</td><td>${p.in === "header" ? "" : `<input name="${esc(p.in)}:${esc(p.name)}" aria-label="${esc(p.name)}">`}</td></tr>`,
    )
    .join("");
  const responses = Object.entries(op.responses as Json)
    .map(
      ([s, r]: [string, Json]) =>
        `<li><b>${esc(s)}</b> ${esc(r.description)}${r.content ? ` <span class="muted">(${Object.keys(r.content).map(esc).join(", ")})</span>` : ""}</li>`,
    )
    .join("");
  const tryable = !bodyType || jsonBody;
  return `<section id="${esc(op.operationId)}"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code> <a class="muted" href="#${esc(op.operationId)}">${esc(op.operationId)}</a></h3>
<p>${esc(op.summary)}</p>${op.description ? `<p class="muted">${esc(op.description).replace(/\n\n/g, "<br>")}</p>` : ""}
${params.length ? `<h4>Parameters</h4><table>${paramRows}</table>` : ""}
${bodyType ? `<h4>Request body <span class="muted">${esc(bodyType)}</span></h4>${fields(doc, media?.schema)}` : ""}
${examples.map(([name, ex]: [string, Json]) => `<details><summary>Example: ${esc(ex.summary ?? name)}</summary><pre>${esc(JSON.stringify(ex.value, null, 2))}</pre></details>`).join("")}
<h4>Responses</h4><ul>${responses}</ul>
${tryable ? `<form class="try" data-method="${esc(method.toUpperCase())}" data-path="${esc(path)}" data-index="${index}">${jsonBody ? `<textarea name="body" rows="${first ? Math.min(24, JSON.stringify(first, null, 2).split("\n").length + 1) : 4}" aria-label="request body">${esc(first ? JSON.stringify(first, null, 2) : "{}")}</textarea>` : ""}<button type="submit">Try it</button><pre class="out" hidden></pre></form>` : ""}
</section>`;
}

function page(doc: Json, nonce: string, base: string): string {
  let i = 0;
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(methods as Json)) {
      const tag = (op as Json).tags[0];
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationSection(doc, path, method, op as Json, i++)]);
    }
  }
  const tags = (doc.tags as Json[]).filter((t) => byTag.has(t.name));
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>lianpiao API</title><style nonce="${nonce}">body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
h3{margin:.2em 0;font-size:1em}h4{margin:.6em 0 .2em;font-size:.9em}section{border-top:1px solid #ddd;padding:.6em 0}.m{display:inline-block;min-width:4em;color:#fff;border-radius:3px;padding:0 .4em;font-size:.8em;text-align:center}
.get{background:#2f6f9f}.post{background:#2f8f4f}.delete{background:#a33}.put{background:#a70}code{font-size:.92em}.muted{color:#777;font-size:.9em}.t{color:#555;font-size:.85em}.req{color:#a33;font-size:.75em}.dep{color:#a70;font-size:.75em}
ul.fields{margin:.2em 0;padding-left:1.2em}table{border-collapse:collapse;font-size:.9em}td{border-top:1px solid #eee;padding:2px 6px;vertical-align:top}
textarea{width:100%;font:12px/1.4 ui-monospace,monospace}pre{background:#f6f6f6;padding:.5em;overflow:auto;font-size:12px}nav a{margin-right:1em}#key{width:28em}</style></head>
<body data-base="${esc(base)}"><h1>lianpiao (链票) API</h1><p>${esc(doc.info.description).replace(/\n\n/g, "</p><p>")}</p>
<p>Machine-readable: <a href="${esc(base)}/openapi.json">${esc(base)}/openapi.json</a> (OpenAPI 3.1).</p>
<p><label>API key for “Try it” (kept in this tab only): <input id="key" type="password" autocomplete="off"></label></p>
<nav>${tags.map((t) => `<a href="#tag-${esc(t.name)}">${esc(t.name)}</a>`).join("")}</nav>
${tags.map((t) => `<h2 id="tag-${esc(t.name)}">${esc(t.name)}</h2><p class="muted">${esc(t.description)}</p>${(byTag.get(t.name) ?? []).join("\n")}`).join("\n")}
<script src="${esc(base)}/docs/try.js"></script></body></html>`;
}

/** The try-it script: fills path and query parameters, sends with the key, shows status and body. */
const TRY_JS = `"use strict";
(function () {
  var key = document.getElementById("key");
  key.value = sessionStorage.getItem("lianpiao-key") || "";
  key.addEventListener("change", function () { sessionStorage.setItem("lianpiao-key", key.value); });
  document.querySelectorAll("form.try").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var section = form.closest("section");
      var path = form.dataset.path;
      var query = new URLSearchParams();
      section.querySelectorAll("input[name]").forEach(function (input) {
        var parts = input.name.split(":");
        if (!input.value) return;
        if (parts[0] === "path") path = path.replace("{" + parts[1] + "}", encodeURIComponent(input.value));
        else if (parts[0] === "query") query.set(parts[1], input.value);
      });
      var headers = { accept: "application/json" };
      if (key.value) headers.authorization = "Bearer " + key.value;
      var init = { method: form.dataset.method, headers: headers };
      var body = form.querySelector("textarea");
      if (body) { headers["content-type"] = "application/json"; init.body = body.value; }
      var out = form.querySelector(".out");
      out.hidden = false;
      out.textContent = "…";
      var qs = query.toString();
      fetch((document.body.dataset.base || "") + path + (qs ? "?" + qs : ""), init).then(function (res) {
        return res.text().then(function (text) {
          var shown = text;
          try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) {}
          out.textContent = res.status + " " + res.statusText + "\\n" + (res.headers.get("content-type") || "") + "\\n\\n" + shown.slice(0, 20000);
        });
      }, function (err) { out.textContent = String(err); });
    });
  });
})();
`;

export function docsRoutes(baseUrl: string): Router {
  const r = Router();
  const document = openApiDocument(baseUrl);
  const doc = JSON.stringify(document);
  r.get("/openapi.json", (_req, res) => {
    res.type("application/json").send(doc);
  });
  r.get("/docs", (_req, res) => {
    const nonce = crypto.randomBytes(16).toString("base64");
    res.setHeader(
      "Content-Security-Policy",
      `default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    res.type("html").send(page(document, nonce, basePathOf(baseUrl)));
  });
  r.get("/docs/try.js", (_req, res) => {
    res.setHeader("Cache-Control", "no-cache");
    res.type("text/javascript").send(TRY_JS);
  });
  return r;
}
