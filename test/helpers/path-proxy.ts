/**
 * A tiny reverse proxy that serves the service under a path, as a deployment behind nginx at
 * https://example.gov.cn/lianpiao would: requests under `prefix` go to the target with the prefix
 * stripped (Host kept, X-Forwarded-* added); anything else is 404 here, so a link that forgets the
 * prefix is caught. Every answer's path and status is recorded.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface PathProxy {
  url: string;
  port: number;
  /** method, path as asked (with the prefix) and the status answered */
  log: Array<{ method: string; path: string; status: number }>;
  setTarget(port: number): void;
  close(): Promise<void>;
}

export async function startPathProxy(prefix: string): Promise<PathProxy> {
  let target = 0;
  const log: PathProxy["log"] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    const record = (status: number) => log.push({ method: req.method ?? "GET", path: url, status });
    if (!(url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`)) || target === 0) {
      record(404);
      res.writeHead(404, { "content-type": "text/plain" }).end("not under the proxy's path\n");
      return;
    }
    const rest = url.slice(prefix.length) || "/";
    const upstream = http.request(
      {
        host: "127.0.0.1",
        port: target,
        method: req.method,
        path: rest.startsWith("/") ? rest : `/${rest}`,
        headers: { ...req.headers, "x-forwarded-proto": "http", "x-forwarded-prefix": prefix },
      },
      (answer) => {
        record(answer.statusCode ?? 0);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      record(502);
      if (!res.headersSent) res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    setTarget: (p) => (target = p),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
