/**
 * The baselines: a bare Express 5 app, one process, with no lianpiao code.
 *  - GET /fixed answers a fixed JSON document the size of a verification answer (verification's baseline);
 *  - POST /bills parses the JSON body as the service does (express.json, same limit) and answers 201
 *    with a JSON body of ISSUE_ANSWER_BYTES bytes, the size of the service's issuing answer (issuing's baseline).
 * Whatever the real endpoints cost beyond this is lianpiao's own work.
 */
import express from "express";

const FIXED = {
  verdict: "VALID",
  checks: ["integrity", "inclusion", "issuer", "status", "signature"].map((name) => ({ name, status: "pass", detail: `${name} checked` })),
  bill: { kind: "medical", billCode: "35010126", billNumber: "0000012345", total: "157.00", payer: "张*" },
  anchor: { root: `0x${"ab".repeat(32)}`, txHash: `0x${"cd".repeat(32)}`, blockNumber: 12345, confirmations: 12 },
  reimbursement: null,
};

/** A JSON object of exactly `bytes` bytes when serialised (at least the 12 of its frame). */
function answerOf(bytes: number): Record<string, string> {
  return { id: "x".repeat(Math.max(0, bytes - '{"id":""}'.length)) };
}

const ISSUED = answerOf(Number(process.env.ISSUE_ANSWER_BYTES ?? 400));

const app = express();
app.disable("x-powered-by");
app.get("/fixed", (_req, res) => {
  res.json(FIXED);
});
app.post("/bills", express.json({ limit: "1mb", type: ["application/json", "application/*+json"] }), (req, res) => {
  if (typeof req.body !== "object" || req.body === null) return res.status(400).json({ error: "no body" });
  res.status(201).json(ISSUED);
});
const port = Number(process.env.PORT ?? 0);
const server = app.listen(port, "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
