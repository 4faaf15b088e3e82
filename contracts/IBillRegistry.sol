// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/**
 * @title IBillRegistry
 * @notice The on-chain witness of lianpiao's fiscal electronic bills (财政电子票据).
 *
 * Issuers (hospitals, charities) anchor the Merkle root of a batch of bills. Each bill is a leaf of an
 * OpenZeppelin `StandardMerkleTree` whose single value is the bill hash (`bytes32`): the keccak256 of the
 * bill's canonical JSON including a per-bill random salt. A `leaf` below is always the tree's leaf hash
 * (`keccak256(bytes.concat(keccak256(abi.encode(billHash))))`), so no personal data ever reaches the chain.
 *
 * Roles: the bureau admin (`DEFAULT_ADMIN_ROLE`) grants roles; registrars admit, suspend and reinstate
 * issuers; relying parties (insurers, employers, tax offices) mark bills reimbursed.
 */
interface IBillRegistry {
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

    /// @notice The anchoring record of a batch root; packed into one storage slot.
    struct Batch {
        address issuer; // the account that anchored it; zero for an unknown root
        uint32 blockNumber; // block in which it was anchored
        uint40 timestamp; // block time in which it was anchored
        uint24 billCount; // number of bills (leaves) in the batch
    }

    /// @notice Per-bill marks, keyed by leaf.
    struct BillStatus {
        bool voided;
        uint8 voidReason; // issuer-defined reason code (冲红原因), nonzero once voided
        uint40 voidedAt;
        address reimbursedBy; // zero while not reimbursed (报销 / 入账)
        uint40 reimbursedAt;
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
    /// @notice `root` has already been anchored by `issuer`.
    error BillRegistryRootAlreadyAnchored(bytes32 root, address issuer);
    /// @notice `root` is not anchored.
    error BillRegistryUnknownRoot(bytes32 root);
    /// @notice The proof does not place `leaf` under `root`.
    error BillRegistryInvalidProof(bytes32 root, bytes32 leaf);
    /// @notice `account` is not the issuer that anchored `root`.
    error BillRegistryNotBatchIssuer(bytes32 root, address account);
    /// @notice `leaf` was voided at `voidedAt`.
    error BillRegistryBillVoided(bytes32 leaf, uint40 voidedAt);
    /// @notice `leaf` was already reimbursed by `reimbursedBy` at block time `reimbursedAt`.
    error BillRegistryAlreadyReimbursed(bytes32 leaf, address reimbursedBy, uint40 reimbursedAt);
    /// @notice `leaf` is not reimbursed, so there is nothing to release.
    error BillRegistryNotReimbursed(bytes32 leaf);
    /// @notice Only `markedBy`, the party that marked `leaf` reimbursed, may release it.
    error BillRegistryNotReimbursingParty(bytes32 leaf, address markedBy);

    // ---- events -------------------------------------------------------------------------------
    /// @notice A registrar admitted `account` as an issuer of `kind`.
    event IssuerAdmitted(address indexed account, Kind kind, bytes32 creditCodeHash, address indexed registrar);
    /// @notice A registrar suspended `account`; its earlier batches stay valid.
    event IssuerSuspended(address indexed account, address indexed registrar);
    /// @notice A registrar reinstated a suspended `account`.
    event IssuerReinstated(address indexed account, address indexed registrar);
    /// @notice `issuer` anchored the batch `root` of `billCount` bills.
    event BatchAnchored(bytes32 indexed root, address indexed issuer, uint24 billCount);
    /// @notice `issuer` voided (冲红) the bill `leaf` of batch `root` with `reason`.
    event BillVoided(bytes32 indexed leaf, bytes32 indexed root, address indexed issuer, uint8 reason);
    /// @notice `party` marked the bill `leaf` reimbursed; `claimReference` is a hash of the party's own claim
    /// reference (`reference` is a reserved word in Solidity).
    event BillReimbursed(bytes32 indexed leaf, bytes32 indexed root, address indexed party, bytes32 claimReference);
    /// @notice `party` released its reimbursement mark on `leaf`.
    event ReimbursementReleased(bytes32 indexed leaf, address indexed party);

    // ---- registrar ----------------------------------------------------------------------------
    /// @notice Admits `account` as an issuer of `kind`. Registrar only; an account is admitted once.
    function admitIssuer(address account, Kind kind, bytes32 creditCodeHash) external;

    /// @notice Suspends an active issuer: it can no longer anchor or void. Registrar only.
    function suspendIssuer(address account) external;

    /// @notice Reinstates a suspended issuer. Registrar only.
    function reinstateIssuer(address account) external;

    // ---- issuer -------------------------------------------------------------------------------
    /// @notice Anchors the Merkle `root` of a batch of `billCount` bills. Active issuers only; a root
    /// can be anchored once, ever.
    function anchor(bytes32 root, uint24 billCount) external;

    /// @notice Voids (冲红) the bill `leaf` of batch `root`. Only the active issuer that anchored the
    /// batch; `reason` must be nonzero; refused while the bill is reimbursed or once voided.
    function voidBill(bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint8 reason) external;

    // ---- relying party ------------------------------------------------------------------------
    /// @notice Marks the bill `leaf` of batch `root` reimbursed (报销 / 入账). Relying parties only;
    /// refused for a voided bill and for a bill already marked by anyone.
    function markReimbursed(bytes32 root, bytes32 leaf, bytes32[] calldata proof, bytes32 claimReference) external;

    /// @notice Releases the caller's reimbursement mark on `leaf`. Only the party that marked it.
    function releaseReimbursement(bytes32 leaf) external;

    // ---- reads for verifiers --------------------------------------------------------------------
    /// @notice The anchoring record of `root` (issuer zero when unknown).
    function batchOf(bytes32 root) external view returns (Batch memory);

    /// @notice The void and reimbursement marks of `leaf`.
    function statusOf(bytes32 leaf) external view returns (BillStatus memory);

    /// @notice The issuer record of `account`.
    function issuerOf(address account) external view returns (Issuer memory);

    /// @notice True when `root` is anchored and `proof` places `leaf` under it.
    function isIncluded(bytes32 root, bytes32 leaf, bytes32[] calldata proof) external view returns (bool);

    /// @notice One call for a verifier: the batch record, the leaf's marks, the anchoring issuer's
    /// record, and whether `proof` places `leaf` under an anchored `root`.
    function evidence(
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof
    ) external view returns (Batch memory batch, BillStatus memory status, Issuer memory issuer, bool included);

    /// @notice Whether `account` was an active issuer of `kind` at block `blockNumber`; suspension
    /// later does not change the answer for earlier blocks. The answer is the state at the end of
    /// `blockNumber`; for a block not yet mined it is the current state.
    function wasIssuerAt(address account, Kind kind, uint256 blockNumber) external view returns (bool);
}
