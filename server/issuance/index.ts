/**
 * The issuance rules other areas rely on: the bill model, amounts, capital numerals, check characters,
 * the canonical form and Merkle batches, issuer signatures, request validation and bill composition.
 * (Routes and the issuing use case live beside these files and are not re-exported here.)
 */
export * from "./model";
export {
  type Fen,
  type Quantity,
  type AmountError,
  MAX_FEN,
  parseAmount,
  toFen,
  formatFen,
  normalizeAmount,
  sumFen,
  sumAmounts,
  parseQuantity,
  formatQuantity,
  normalizeQuantity,
  lineAmount,
} from "./money";
export { toCapitalNumerals } from "./capital-numerals";
export {
  creditCodeCheckChar,
  makeCreditCode,
  isValidCreditCode,
  residentIdCheckChar,
  residentIdProblem,
  isValidResidentId,
  type ResidentIdProblem,
} from "./check-digits";
export { LEAF_ENCODING, canonicalJson, leafOf, buildBatchTree, verifyProof, type BatchEntry, type BatchTree } from "./canonical";
export {
  pointerOf,
  tokensOf,
  fieldsOf,
  valueBytes,
  commitmentOf,
  fieldLeaf,
  fieldRoot,
  newSalts,
  commitBill,
  fieldProof,
  provesTo,
  openCommitment,
  withhold,
  type Salts,
  type Withheld,
  type Field,
  type Commitment,
  type Opened,
  type Disclosure,
} from "./commitments";
export {
  BILL_TYPES,
  DOMAIN_NAME,
  DOMAIN_VERSION,
  billDomain,
  billDigest,
  signBill,
  recoverBillSigner,
  type BillDomain,
  type BillSignedValues,
} from "./signing";
export { CHECK_CODE_ALPHABET, CHECK_CODE_LENGTH, newCheckCode, isCheckCode, newBillId, newVerifyKey } from "./check-code";
export {
  FEE_CATEGORIES,
  ISSUE_CODES,
  MAX_ITEMS,
  invoiceSchema,
  parseInvoiceRequest,
  checkInvoiceRules,
  formatPath,
  type FeeCategory,
  type IssueCode,
  type Issue,
  type InvoiceInput,
  type MedicalInvoiceInput,
  type MedicalItemInput,
  type DonationInvoiceInput,
  type DonationItemInput,
  type ParseInvoiceResult,
} from "./schema";
export { composeBill, formatShanghaiTime, type ComposeContext } from "./compose";
export { sealBill } from "./seal";
export { maskName, maskIdNumber, maskedBill } from "./masking";
