/**
 * Table types for Kysely. Times are epoch milliseconds; money is integer fen; booleans are not used
 * (SQLite has none): states are short strings.
 */
import type { Generated, Insertable, Kysely, Selectable } from "kysely";

export type Role = "issuer" | "bureau" | "relying_party";

export interface InstitutionsTable {
  id: string;
  role: Role;
  name: string;
  credit_code: string | null;
  bill_kind: "medical" | "donation" | null;
  /** chain account (checksummed address) that signs and sends for it */
  account: string | null;
  status: "active" | "suspended";
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  institution_id: string;
  /** sha256 of the key; the key itself is shown once and never stored */
  key_hash: string;
  label: string;
  created_at: number;
  revoked_at: number | null;
}

export interface SignerKeysTable {
  account: string;
  /** encrypted JSON keystore (scrypt) */
  keystore: string;
  created_at: number;
}

export interface BillRangesTable {
  id: string;
  institution_id: string;
  bill_code: string;
  start_number: number;
  end_number: number;
  next_number: number;
  created_at: number;
  /** the registry transaction that allotted it on chain */
  tx_hash: string | null;
}

export type BillStatus = "pending" | "anchored" | "voided";

export interface BillsTable {
  id: string;
  institution_id: string;
  kind: "medical" | "donation";
  bill_code: string;
  bill_number: string;
  check_code: string;
  issued_at: number;
  /** YYYY-MM-DD in Asia/Shanghai, for the manual check and daily figures */
  issue_date: string;
  total_fen: number;
  status: BillStatus;
  /** JSON of BillEnvelope without its anchor */
  envelope: string;
  bill_hash: string;
  leaf: string;
  /** the QR key: a capability printed on the bill, needed to re-render its PDF */
  verify_key: string;
  idempotency_key: string | null;
  request_hash: string | null;
  batch_id: string | null;
  /** JSON array of proof hashes once anchored */
  proof: string | null;
  void_reason: string | null;
  voided_at: number | null;
  red_of_id: string | null;
  reimbursed_by: string | null;
  reimbursed_at: number | null;
  reimbursement_ref: string | null;
  created_at: number;
  /** lookups (migration 006): 业务流水号, visit number (medical), the payer's or donor's name, as on the bill */
  business_serial: string | null;
  visit_number: string | null;
  holder_name: string | null;
  /** the sum of the bill's open claims, in fen (migration 008) */
  claimed_fen: Generated<number | string>;
}

export type OutboxAction = "anchor" | "void" | "reimburse" | "release" | "claim" | "release_claim";

export interface OutboxTable {
  id: Generated<number>;
  bill_id: string;
  /** the chain account that must send it */
  account: string;
  action: OutboxAction;
  /** JSON parameters of the action (reason code, reference, …) */
  payload: string;
  created_at: number;
  batch_id: string | null;
  done_at: number | null;
  error: string | null;
}

export type BatchState = "built" | "sent" | "mined" | "confirmed" | "failed";

export interface BatchesTable {
  id: string;
  account: string;
  /** what the transaction does: an anchor of root, or a single bill mark (void, reimburse, release) */
  action: OutboxAction;
  /** for an anchor the batch root; for a mark the root of the bill's batch */
  root: string;
  bill_count: number;
  /** the registry call, encoded; re-signed unchanged on fee bumps */
  call_data: string;
  gas_limit: number;
  state: BatchState;
  nonce: number | null;
  /** JSON array of every signed raw transaction sent for this batch (fee bumps keep the nonce) */
  raw_txs: string;
  tx_hash: string | null;
  max_fee: string | null;
  priority_fee: string | null;
  attempts: number;
  block_number: number | null;
  block_hash: string | null;
  error: string | null;
  created_at: number;
  sent_at: number | null;
  confirmed_at: number | null;
}

export interface SendersTable {
  account: string;
  next_nonce: number | null;
  lease_owner: string | null;
  lease_until: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  subject: string;
  detail: string;
  ip: string | null;
}

/** A registry event read from the chain by reconciliation (id = "<block>:<logIndex>"). */
export interface ChainEventsTable {
  id: string;
  block_number: number;
  log_index: number;
  tx_hash: string;
  /** the event name: IssuerAdmitted, RangeAllotted, BatchAnchored, BillVoided, BillReimbursed, … */
  name: string;
  /** lowercase hex */
  root: string | null;
  /** lowercase hex */
  leaf: string | null;
  /** the issuer account the event is about (checksummed); every registry fact is keyed by it */
  account: string | null;
  /** the relying party of BillReimbursed and ReimbursementReleased (checksummed), else null */
  party: string | null;
  /** JSON of the remaining arguments (kind, creditCodeHash, billCode, first, last, billCount, reason, claimReference, registrar) */
  data: string;
}

/** Deployment facts (registry address, chain id) decided once and kept. */
export interface SettingsTable {
  key: string;
  value: string;
}

/** A PDF the service delivered (GET /api/v1/invoices/:id/pdf): its SHA-256, size and renderer. */
export interface DeliveredFilesTable {
  bill_id: string;
  /** lowercase hex SHA-256 of the file's bytes */
  sha256: string;
  bytes: number;
  /** the renderer version that made it (server/pdf/document.ts RENDERER) */
  renderer: string;
  /** the first delivery of these bytes */
  created_at: number;
}

/** A rate-limit window (server/http/rate-limit.ts), on PostgreSQL: "<purpose>:<client>". */
/** A bureau console sign-in: only the SHA-256 of its token is stored (009_bureau_sessions). */
export interface BureauSessionsTable {
  token_hash: string;
  key_id: string;
  institution_id: string;
  created_at: number;
  expires_at: number;
}

export interface RateLimitsTable {
  bucket: string;
  /** when the window ends, epoch ms by the database's clock */
  reset_at: number;
  hits: number;
}

export type WebhookEventType = "bill.anchored" | "bill.voided" | "bill.reimbursed" | "bill.released";

/** An institution's webhook subscription (migration 007). */
export interface WebhookSubscriptionsTable {
  id: string;
  institution_id: string;
  url: string;
  /** JSON array of WebhookEventType */
  events: string;
  description: string;
  /** the signing secret, AES-256-GCM under WEBHOOK_SECRET_KEY (server/webhooks/secrets.ts) */
  secret_enc: string;
  created_at: number;
  /** deleted subscriptions stay for their delivery log; they receive nothing */
  deleted_at: number | null;
}

/** One event about one bill, for one institution (the bill's issuer, or the relying party that marked it). */
export interface WebhookEventsTable {
  id: string;
  institution_id: string;
  type: WebhookEventType;
  bill_id: string;
  /** the JSON body delivered, exactly */
  payload: string;
  created_at: number;
}

export type DeliveryState = "pending" | "delivered" | "failed";

/** The outbox: one row per event and subscription, written in the event's transaction. */
export interface WebhookDeliveriesTable {
  id: string;
  event_id: string;
  subscription_id: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: number | null;
  created_at: number;
}

/** The delivery log: every attempt. */
export interface WebhookAttemptsTable {
  id: Generated<number>;
  delivery_id: string;
  at: number;
  /** HTTP status, or null when no answer came */
  status: number | null;
  error: string | null;
  duration_ms: number;
  /** "auto" (the schedule) or "manual" (a redelivery through the API) */
  trigger: string;
}

/** The store as Kysely sees it (also exported by database.ts, which opens it). */
export type Db = Kysely<Database>;

export interface Database {
  settings: SettingsTable;
  institutions: InstitutionsTable;
  api_keys: ApiKeysTable;
  signer_keys: SignerKeysTable;
  bill_ranges: BillRangesTable;
  bills: BillsTable;
  outbox: OutboxTable;
  batches: BatchesTable;
  senders: SendersTable;
  audit_log: AuditLogTable;
  chain_events: ChainEventsTable;
  delivered_files: DeliveredFilesTable;
  rate_limits: RateLimitsTable;
  bureau_sessions: BureauSessionsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  claims: ClaimsTable;
}

export type Institution = Selectable<InstitutionsTable>;
export type BillRow = Selectable<BillsTable>;
export type NewBill = Insertable<BillsTable>;
export type BatchRow = Selectable<BatchesTable>;
export type OutboxRow = Selectable<OutboxTable>;

/** A relying party's claim on part of a bill (migration 008). */
export interface ClaimsTable {
  id: string;
  bill_id: string;
  party_id: string;
  /** in fen; bigint column (PostgreSQL answers it as a string) */
  amount_fen: number | string;
  reference: string;
  reference_hash: string;
  created_at: number;
  released_at: number | null;
  end_reason: string | null;
}
