// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";

/**
 * @title IBillRegistry (protocol v2)
 * @notice The on-chain witness of lianpiao's fiscal electronic bills (财政电子票据). docs/PROTOCOL.md is
 * the normative description; this interface is its on-chain half.
 *
 * Issuers (hospitals, charities) anchor the Merkle root of a batch of bills. Each bill is a leaf of an
 * OpenZeppelin `StandardMerkleTree` whose single value is the bill hash (`bytes32`), itself the root of
 * the bill's salted per-field commitments. A `leaf` below is always the batch tree's leaf hash
 * (`keccak256(bytes.concat(keccak256(abi.encode(billHash))))`), so no personal data reaches the chain.
 *
 * Everything is bound to the issuer account: a batch record is keyed by (issuer, root) and a bill's
 * marks by (issuer, leaf), so no account can affect another issuer's bills, whatever roots it anchors
 * or transactions it copies. Bill codes and number ranges (号段) are allotted to issuers here, by the
 * registrar, so anyone can check that a bill's code and number belong to its signer.
 *
 * Roles: the bureau admin (`DEFAULT_ADMIN_ROLE`) grants roles; registrars admit, suspend and reinstate
 * issuers and allot ranges; relying parties (insurers, employers, tax offices) mark bills reimbursed,
 * or claim parts of them up to the amount the bill's own commitment proves claimable.
 * The EIP-712 domain of the issuers' bill signatures is this contract's `eip712Domain()` (EIP-5267).
 */
interface IBillRegistry is IERC5267 {
    /// @notice The two bill kinds a finance bureau admits issuers for.
    enum Kind {
        None,
        Medical, // 医疗收费电子票据
        Donation // 公益事业捐赠统一票据
    }

    /// @notice An issuer account as the registry knows it.
    struct Issuer {
        Kind kind; // None for an account that was never admitted
        bool active; // false while suspended
        uint48 admittedAt; // block number of admission
        bytes32 creditCodeHash; // keccak256 of the 18-character unified social credit code (UTF-8)
    }

    /// @notice The record of a batch root anchored by one issuer; one storage slot.
    struct Batch {
        uint48 blockNumber; // block in which the issuer anchored it; zero when it did not
        uint40 timestamp; // block time of that block
        uint24 billCount; // number of bills (leaves) in the batch
    }

    /// @notice A bill's marks under its issuer; two storage slots (the marks, then the claims' totals).
    struct BillStatus {
        bool voided;
        uint8 voidReason; // issuer-defined reason code (冲红原因), nonzero once voided
        uint40 voidedAt;
        address reimbursedBy; // zero while not reimbursed as a whole (报销 / 入账)
        uint40 reimbursedAt;
        uint64 claimedFen; // the sum of the open claims, in fen (分)
        uint64 capFen; // the claimable amount proven by the first claim (0 before any claim, and again after the last release)
        uint8 claimable; // which field proved it: 0 none yet, 1 "/total", 2 "/insurance/cashPaid", 3 "/insurance/selfPaid"
        uint16 claimCount; // open claims
    }

    /// @notice One relying party's claim on part of a bill (docs/PROTOCOL.md §7, "Claims"); two slots.
    struct Claim {
        address party;
        uint56 amountFen; // the amount claimed, in fen; nonzero
        uint40 claimedAt; // block time
        bytes32 claimReference; // keccak256 of the party's own claim reference (UTF-8)
    }

    /// @notice One field of a bill opened and proven to its bill hash (docs/PROTOCOL.md §3): the field
    /// commitment keccak256(abi.encode(salt, value)), its leaf keccak256(bytes.concat(keccak256(abi.encode(
    /// pointer, commitment)))) and `proof`, the field tree's Merkle proof of that leaf to the bill hash.
    struct FieldOpening {
        string pointer; // RFC 6901 JSON Pointer of the field
        bytes32 salt;
        bytes value; // UTF-8 of the value's RFC 8785 canonical JSON, e.g. "\"37.00\"" (quotes included)
        bytes32[] proof;
    }

    /// @notice A range of bill numbers of one bill code, allotted to one issuer (号段).
    struct Allotment {
        address issuer; // zero when no range holds the number asked about
        uint32 billCode; // the 8-digit 票据代码 as a number
        uint64 first; // first bill number (10-digit 票据号码 as a number)
        uint64 last; // last bill number, inclusive
        uint48 allottedAt; // block number of the allotment
    }

    /// @notice What a verifier needs about one bill, read in one call.
    struct Evidence {
        Batch batch; // the issuer's record of the root (zero when the issuer did not anchor it)
        BillStatus status; // the bill's marks under the issuer
        Issuer issuer; // the issuer's record
        bool included; // the issuer anchored the root and the proof places the leaf under it
        bool activeAtAnchor; // the issuer was active when it anchored the root (anchor() admits only active issuers)
        bool allottedAtAnchor; // the bill's code and number lie in a range allotted to the issuer by then
    }

    // ---- errors -------------------------------------------------------------------------------
    /// @notice `account` was already admitted as an issuer (accounts are admitted once).
    error BillRegistryIssuerAlreadyAdmitted(address account);
    /// @notice `account` was never admitted as an issuer.
    error BillRegistryUnknownIssuer(address account);
    /// @notice `account` is an admitted issuer but currently suspended.
    error BillRegistryIssuerSuspended(address account);
    /// @notice `account` is already active (reinstating an active issuer).
    error BillRegistryIssuerNotSuspended(address account);
    /// @notice The kind given is not Medical or Donation.
    error BillRegistryInvalidKind(uint8 kind);
    /// @notice A zero root, zero credit-code hash, zero bill count, zero void reason or zero account.
    error BillRegistryInvalidArgument();
    /// @notice The range is not 1 ≤ first ≤ last ≤ 9,999,999,999, or the bill code has more than 8 digits.
    error BillRegistryInvalidRange(uint32 billCode, uint64 first, uint64 last);
    /// @notice The range overlaps the range `first`..`last` of `billCode` already allotted to `issuer`.
    error BillRegistryRangeOverlap(uint32 billCode, uint64 first, uint64 last, address issuer);
    /// @notice `issuer` has already anchored `root`.
    error BillRegistryRootAlreadyAnchored(address issuer, bytes32 root);
    /// @notice `issuer` has not anchored `root`.
    error BillRegistryUnknownRoot(address issuer, bytes32 root);
    /// @notice The proof does not place `leaf` under `root`.
    error BillRegistryInvalidProof(bytes32 root, bytes32 leaf);
    /// @notice The bill `leaf` of `issuer` was voided at `voidedAt`.
    error BillRegistryBillVoided(address issuer, bytes32 leaf, uint40 voidedAt);
    /// @notice The bill `leaf` of `issuer` was already reimbursed by `reimbursedBy` at block time `reimbursedAt`.
    error BillRegistryAlreadyReimbursed(address issuer, bytes32 leaf, address reimbursedBy, uint40 reimbursedAt);
    /// @notice The bill `leaf` of `issuer` is not reimbursed, so there is nothing to release.
    error BillRegistryNotReimbursed(address issuer, bytes32 leaf);
    /// @notice Only `markedBy`, the party that marked the bill reimbursed, may release it.
    error BillRegistryNotReimbursingParty(address issuer, bytes32 leaf, address markedBy);
    /// @notice The claim asks more than the `remaining` fen (the claimable amount less the open claims).
    error BillRegistryClaimExceedsRemaining(uint256 remaining);
    /// @notice The field opening does not prove its field to `billHash`.
    error BillRegistryInvalidFieldProof(bytes32 billHash);
    /// @notice The opened field is not the bill's claimable amount: a pointer the bill's kind does not
    /// claim against, another field than the first claim's, or a value that is not an amount.
    error BillRegistryInvalidClaimable();
    /// @notice The bill `leaf` of `issuer` has open claims of `claimedFen` in all: it cannot be voided or
    /// marked reimbursed as a whole until they are released.
    error BillRegistryBillClaimed(address issuer, bytes32 leaf, uint256 claimedFen);
    /// @notice `party` holds no claim with `claimReference` on the bill `leaf` of `issuer`.
    error BillRegistryNoClaim(address issuer, bytes32 leaf, address party, bytes32 claimReference);
    /// @notice `party` already holds a claim with `claimReference` on the bill `leaf` of `issuer`.
    error BillRegistryClaimExists(address issuer, bytes32 leaf, address party, bytes32 claimReference);

    // ---- events -------------------------------------------------------------------------------
    /// @notice A registrar admitted `account` as an issuer of `kind`.
    event IssuerAdmitted(address indexed account, Kind kind, bytes32 creditCodeHash, address indexed registrar);
    /// @notice A registrar suspended `account`; its earlier batches stay valid.
    event IssuerSuspended(address indexed account, address indexed registrar);
    /// @notice A registrar reinstated a suspended `account`.
    event IssuerReinstated(address indexed account, address indexed registrar);
    /// @notice A registrar allotted the numbers `first`..`last` of `billCode` to `issuer`.
    event RangeAllotted(address indexed issuer, uint32 indexed billCode, uint64 first, uint64 last, address indexed registrar);
    /// @notice `issuer` anchored the batch `root` of `billCount` bills.
    event BatchAnchored(address indexed issuer, bytes32 indexed root, uint24 billCount);
    /// @notice `issuer` voided (冲红) its bill `leaf` of batch `root` with `reason`.
    event BillVoided(address indexed issuer, bytes32 indexed leaf, bytes32 root, uint8 reason);
    /// @notice `party` marked the bill `leaf` of `issuer` reimbursed; `claimReference` is a hash of the
    /// party's own claim reference (`reference` is a reserved word in Solidity).
    event BillReimbursed(address indexed issuer, bytes32 indexed leaf, address indexed party, bytes32 root, bytes32 claimReference);
    /// @notice `party` released its reimbursement mark on the bill `leaf` of `issuer`.
    event ReimbursementReleased(address indexed issuer, bytes32 indexed leaf, address indexed party);
    /// @notice `party` claimed `amountFen` of the bill `leaf` of `issuer` (batch `root`) under its
    /// hashed `claimReference` (the totals are in statusOf).
    event BillClaimed(address indexed issuer, bytes32 indexed leaf, address indexed party, bytes32 root, bytes32 claimReference, uint256 amountFen);
    /// @notice `party` released its claim `claimReference` of `amountFen` on the bill `leaf` of `issuer`.
    event ClaimReleased(address indexed issuer, bytes32 indexed leaf, address indexed party, bytes32 claimReference, uint256 amountFen);

    // ---- registrar ----------------------------------------------------------------------------
    /// @notice Admits `account` as an issuer of `kind`. Registrar only; an account is admitted once.
    /// @param creditCodeHash keccak256 of the issuer's unified social credit code (UTF-8), nonzero
    /// Emits {IssuerAdmitted}.
    function admitIssuer(address account, Kind kind, bytes32 creditCodeHash) external;

    /// @notice Suspends an active issuer: it can no longer anchor or void. Registrar only.
    /// Emits {IssuerSuspended}.
    function suspendIssuer(address account) external;

    /// @notice Reinstates a suspended issuer. Registrar only.
    /// Emits {IssuerReinstated}.
    function reinstateIssuer(address account) external;

    /// @notice Allots the bill numbers `first`..`last` (inclusive) of `billCode` to the admitted issuer
    /// `issuer`. Registrar only; ranges of one bill code never overlap, and an allotment is never taken back.
    /// @param billCode the 8-digit bill code (票据代码) read as a decimal number
    /// Emits {RangeAllotted}.
    function allotRange(address issuer, uint32 billCode, uint64 first, uint64 last) external;

    // ---- issuer -------------------------------------------------------------------------------
    /// @notice Anchors the Merkle `root` of a batch of `billCount` bills under the caller. Active issuers
    /// only; each issuer anchors a root once. Another account anchoring the same root changes nothing here.
    /// Emits {BatchAnchored}.
    function anchor(bytes32 root, uint24 billCount) external;

    /// @notice Voids (冲红) the caller's bill `leaf`, placed by `proof` under a `root` the caller
    /// anchored. Active issuers only; `reason` must be nonzero; refused while the bill is reimbursed or
    /// has open claims, and once voided.
    /// Emits {BillVoided}.
    function voidBill(bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint8 reason) external;

    // ---- relying party ------------------------------------------------------------------------
    /// @notice Marks the bill `leaf` of `issuer`, placed by `proof` under a `root` that `issuer`
    /// anchored, reimbursed (报销 / 入账) as a whole. Relying parties only; refused for a voided bill, a
    /// bill already marked by anyone, and a bill with open claims.
    /// Emits {BillReimbursed}.
    function markReimbursed(address issuer, bytes32 root, bytes32 leaf, bytes32[] calldata proof, bytes32 claimReference) external;

    /// @notice Releases the caller's reimbursement mark on the bill `leaf` of `issuer`. Only the party
    /// that marked it.
    /// Emits {ReimbursementReleased}.
    function releaseReimbursement(address issuer, bytes32 leaf) external;

    /// @notice Claims `amountFen` of the bill `billHash` of `issuer`, whose batch leaf `proof` places
    /// under a `root` that `issuer` anchored. The cap is the bill's claimable amount, proven here from the
    /// bill's own commitment by `claimable` (never the caller's word): "/insurance/cashPaid" (or its older
    /// name "/insurance/selfPaid") or "/total" of a medical bill, "/total" of a donation receipt; every
    /// later claim must open the same field. Relying parties only; refused for a voided bill, a bill
    /// reimbursed as a whole, a claim over the remaining amount, and a second claim of the caller with
    /// the same `claimReference` (keccak256 of the party's reference).
    /// Emits {BillClaimed}.
    function claim(
        address issuer,
        bytes32 root,
        bytes32 billHash,
        bytes32[] calldata proof,
        FieldOpening calldata claimable,
        uint256 amountFen,
        bytes32 claimReference
    ) external;

    /// @notice Releases the caller's own claim `claimReference` on the bill `leaf` of `issuer`.
    /// Emits {ClaimReleased}.
    function releaseClaim(address issuer, bytes32 leaf, bytes32 claimReference) external;

    /// @notice The open claims on the bill `leaf` of `issuer` (in no particular order).
    function claimsOf(address issuer, bytes32 leaf) external view returns (Claim[] memory);

    // ---- reads for verifiers --------------------------------------------------------------------
    /// @notice `issuer`'s record of `root` (block number zero when `issuer` never anchored it).
    function batchOf(address issuer, bytes32 root) external view returns (Batch memory);

    /// @notice The marks of the bill `leaf` of `issuer`.
    function statusOf(address issuer, bytes32 leaf) external view returns (BillStatus memory);

    /// @notice The issuer record of `account`.
    function issuerOf(address account) external view returns (Issuer memory);

    /// @notice The allotment holding `billNumber` of `billCode` (issuer zero when none does).
    function allotmentOf(uint32 billCode, uint64 billNumber) external view returns (Allotment memory);

    /// @notice How many ranges of `billCode` have been allotted.
    function allotmentCount(uint32 billCode) external view returns (uint256);

    /// @notice The `index`-th range allotted of `billCode`, in the order of allotment.
    function allotmentAt(uint32 billCode, uint256 index) external view returns (Allotment memory);

    /// @notice True when `issuer` anchored `root` and `proof` places `leaf` under it.
    function isIncluded(address issuer, bytes32 root, bytes32 leaf, bytes32[] calldata proof) external view returns (bool);

    /// @notice One call for a verifier: the batch `issuer` anchored as `root`, the bill's marks under
    /// `issuer`, the issuer's record, inclusion, and whether the issuer was active and held the bill's
    /// number at the anchoring block.
    function evidence(
        address issuer,
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof,
        uint32 billCode,
        uint64 billNumber
    ) external view returns (Evidence memory);

    /// @notice Whether `account` was an active issuer of `kind` at block `blockNumber`; suspension
    /// later does not change the answer for earlier blocks. The answer is the state at the end of
    /// `blockNumber`; for a block not yet mined it is the current state.
    function wasIssuerAt(address account, Kind kind, uint256 blockNumber) external view returns (bool);

    /// @notice Whether `billNumber` of `billCode` lies in a range allotted to `issuer` at or before block
    /// `blockNumber`.
    function isAllottedAt(address issuer, uint32 billCode, uint64 billNumber, uint256 blockNumber) external view returns (bool);
}
