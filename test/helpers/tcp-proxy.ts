/**
 * A TCP proxy the test controls, for chain outages: `cut()` destroys every open connection and
 * refuses new ones (the listener closes, so connects fail with ECONNREFUSED); `stall()` keeps the
 * connections but forwards nothing (requests hang, as behind a dead link); `restore()` undoes either.
 */
import net from "node:net";

export interface TcpProxy {
  url: string;
  port: number;
  /** connections accepted since start */
  readonly accepted: number;
  cut(): Promise<void>;
  stall(): void;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host?: string; port: number }, opts: { port?: number } = {}): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let stalled = false;
  const server = net.createServer((client) => {
    accepted++;
    if (stalled) client.pause();
    const upstream = net.connect(target.port, target.host ?? "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    if (stalled) client.pause();
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  const stopListening = () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  const dropAll = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  const port = await listen(opts.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get accepted() {
      return accepted;
    },
    cut: async () => {
      const closed = stopListening();
      dropAll();
      await closed;
    },
    stall: () => {
      stalled = true;
      for (const s of sockets) s.pause();
    },
    restore: async () => {
      stalled = false;
      for (const s of sockets) s.resume();
      if (!server.listening) await listen(port);
    },
    close: async () => {
      const closed = stopListening();
      dropAll();
      await closed;
    },
  };
}
