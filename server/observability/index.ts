export { Metrics, metrics, recordVerdict, type AnchorMetrics, type TxRetryReason, type Verdict } from "./metrics";
export { instrumentRpc } from "./rpc";
export { metricsRoute } from "./route";
export { pendingOutbox, readiness } from "./readiness";
