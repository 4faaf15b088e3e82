/**
 * The verification baseline: a bare Express 5 app, one process, answering a fixed JSON document the
 * size of a verification answer. Whatever the real endpoint costs beyond this is lianpiao's own work.
 */
import express from "express";

const FIXED = {
  verdict: "VALID",
  checks: ["integrity", "inclusion", "issuer", "status", "signature"].map((name) => ({ name, status: "pass", detail: `${name} checked` })),
  bill: { kind: "medical", billCode: "35010126", billNumber: "0000012345", total: "157.00", payer: "张*" },
  anchor: { root: `0x${"ab".repeat(32)}`, txHash: `0x${"cd".repeat(32)}`, blockNumber: 12345, confirmations: 12 },
  reimbursement: null,
};

const app = express();
app.disable("x-powered-by");
app.get("/fixed", (_req, res) => {
  res.json(FIXED);
});
const port = Number(process.env.PORT ?? 0);
const server = app.listen(port, "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
