// Verification: the verifier (shared with the CLI), its chain and store views, the public routes.
export { verifyEnvelope, type VerifyContext } from "./verifier";
export { chainView, unreachableChain, type ChainView } from "./chain-view";
export { storeView } from "./store-view";
export { verificationRoutes, type VerificationDeps } from "./routes";
export { holderRoutes } from "./holder-routes";
export type { Verification, Verdict, Check, CheckName, BillSummary, AnchorEvidence, StoreView } from "./types";
