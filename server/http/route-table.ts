/**
 * The app's route table, read from Express's own router stack: the OpenAPI coverage test and the
 * authorization matrix iterate over it, so a new route cannot escape either.
 */
import type { Express } from "express";

export interface RouteEntry {
  method: string;
  /** Express path with :params, e.g. /api/v1/invoices/:id */
  path: string;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: string | string[];
}

function walk(stack: Layer[], prefix: string, out: RouteEntry[]): void {
  for (const layer of stack) {
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== "_all") out.push({ method, path: (prefix + layer.route.path).replace(/\/$/, "") || "/" });
      }
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === "string" && layer.rawPath !== "/" ? layer.rawPath : "";
      walk(layer.handle.stack, prefix + mount, out);
    }
  }
}

export function routeTable(app: Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, "", out);
  const seen = new Set<string>();
  return out.filter((r) => {
    const k = `${r.method} ${r.path}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}
