// Configuration is validated once, with messages that name the bad setting.
import { expect } from "chai";
import { ConfigError, loadConfig } from "../server/config";

describe("configuration", () => {
  it("runs the embedded default with no settings at all", () => {
    const c = loadConfig({});
    expect(c.chainMode).to.equal("embedded");
    expect(c.port).to.equal(3000);
    expect(c.publicBaseUrl).to.equal("http://localhost:3000");
    expect(c.confirmations).to.equal(1);
    expect(c.sqlitePath).to.match(/data\/lianpiao\.sqlite$/);
  });

  it("chooses the development bootstrap or production from RPC_URL, BOOTSTRAP and REGISTRY_ADDRESS", () => {
    expect(loadConfig({ RPC_URL: "http://127.0.0.1:8545", BOOTSTRAP: "dev" }).chainMode).to.equal("dev");
    const prod = loadConfig({ RPC_URL: "http://node:8545", REGISTRY_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3", DATABASE_URL: "postgres://u@db/x" });
    expect(prod.chainMode).to.equal("external");
    expect(prod.confirmations).to.equal(2);
    expect(prod.databaseUrl).to.equal("postgres://u@db/x");
  });

  it("trusts no proxy unless TRUST_PROXY names them (addresses, CIDR networks, loopback/linklocal/uniquelocal)", () => {
    expect(loadConfig({}).trustProxy).to.deep.equal([]);
    expect(loadConfig({ TRUST_PROXY: "none" }).trustProxy).to.deep.equal([]);
    expect(loadConfig({ TRUST_PROXY: "loopback, 10.0.0.0/8,192.0.2.1, fd00::/8" }).trustProxy).to.deep.equal([
      "loopback",
      "10.0.0.0/8",
      "192.0.2.1",
      "fd00::/8",
    ]);
  });

  it("serves /metrics without METRICS_TOKEN only on a server bound to loopback with no proxy, and says so at start-up otherwise", () => {
    const open = loadConfig({});
    expect(open.metricsAccess).to.equal("off");
    expect(open.notices.join("\n")).to.match(/METRICS_TOKEN is not set and HOST=0\.0\.0\.0 is not a loopback address: GET \/metrics is refused/);
    for (const HOST of ["127.0.0.1", "localhost", "::1", "127.0.1.1"]) {
      expect(loadConfig({ HOST }).metricsAccess, HOST).to.equal("loopback");
      expect(loadConfig({ HOST }).notices).to.deep.equal([]);
    }
    expect(loadConfig({ HOST: "127.0.0.1", TRUST_PROXY: "loopback" }).metricsAccess).to.equal("off");
    expect(loadConfig({ HOST: "127.0.0.1", TRUST_PROXY: "loopback" }).notices[0]).to.match(/TRUST_PROXY/);
    expect(loadConfig({ METRICS_TOKEN: "a-metrics-token-of-32-characters" }).metricsAccess).to.equal("token");
  });

  const bad: Array<[string, NodeJS.ProcessEnv, RegExp]> = [
    ["a short metrics token", { METRICS_TOKEN: "short" }, /METRICS_TOKEN: must be at least 16 characters/],
    ["a metrics token that cannot be sent as a bearer token", { METRICS_TOKEN: "a metrics token with spaces" }, /METRICS_TOKEN: must be a bearer token/],
    ["a hop count as the trusted proxies", { TRUST_PROXY: "1" }, /TRUST_PROXY: "1" is not an IP address/],
    ["a host name as a trusted proxy", { TRUST_PROXY: "loopback,lb.example" }, /TRUST_PROXY: "lb.example"/],
    ["a CIDR prefix out of range", { TRUST_PROXY: "10.0.0.0/33" }, /TRUST_PROXY: "10.0.0.0\/33": the prefix length must be 0 to 32/],
    ["a port out of range", { PORT: "70000" }, /PORT/],
    ["a non-numeric batch size", { BATCH_MAX_SIZE: "many" }, /BATCH_MAX_SIZE/],
    ["an RPC URL that is not a URL", { RPC_URL: "localhost" }, /RPC_URL/],
    ["RPC_URL with neither a registry nor BOOTSTRAP=dev", { RPC_URL: "http://127.0.0.1:8545" }, /RPC_URL: needs REGISTRY_ADDRESS/],
    ["a registry address without RPC_URL", { REGISTRY_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3" }, /REGISTRY_ADDRESS: needs RPC_URL/],
    ["a malformed registry address", { RPC_URL: "http://x:1", REGISTRY_ADDRESS: "0x1234" }, /REGISTRY_ADDRESS/],
    ["an unknown database scheme", { DATABASE_URL: "mysql://x" }, /DATABASE_URL/],
    ["a short keystore password", { KEYSTORE_PASSWORD: "short" }, /KEYSTORE_PASSWORD/],
    ["an unknown log level", { LOG_LEVEL: "loud" }, /LOG_LEVEL/],
  ];
  for (const [what, env, message] of bad) {
    it(`refuses ${what}, naming the setting`, () => {
      expect(() => loadConfig(env)).to.throw(ConfigError, message);
    });
  }
});
