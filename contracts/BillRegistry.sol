// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IBillRegistry} from "./IBillRegistry.sol";

/**
 * @title BillRegistry
 * @notice The registry shared by every issuer: batch roots, per-bill void and reimbursement marks, and
 * the issuer roll with its history. Not upgradeable: a registry is a witness and never changes its rules.
 */
contract BillRegistry is IBillRegistry, AccessControl {
    using Checkpoints for Checkpoints.Trace208;

    /// @notice Admits, suspends and reinstates issuers (the finance bureau's registrars).
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @notice Marks bills reimbursed (insurers, employers, tax offices).
    bytes32 public constant RELYING_PARTY_ROLE = keccak256("RELYING_PARTY_ROLE");

    mapping(address account => Issuer) private _issuers;
    /// @dev 1 from the block an issuer is active, 0 from the block it is suspended; keyed by block number.
    mapping(address account => Checkpoints.Trace208) private _activeHistory;
    mapping(bytes32 root => Batch) private _batches;
    mapping(bytes32 leaf => BillStatus) private _statuses;

    constructor(address admin) {
        if (admin == address(0)) revert BillRegistryInvalidArgument();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---- registrar ----------------------------------------------------------------------------

    /// @inheritdoc IBillRegistry
    function admitIssuer(address account, Kind kind, bytes32 creditCodeHash) external onlyRole(REGISTRAR_ROLE) {
        if (account == address(0) || creditCodeHash == bytes32(0)) revert BillRegistryInvalidArgument();
        if (kind != Kind.Medical && kind != Kind.Donation) revert BillRegistryInvalidKind(uint8(kind));
        if (_issuers[account].kind != Kind.None) revert BillRegistryIssuerAlreadyAdmitted(account);
        _issuers[account] = Issuer(kind, true, SafeCast.toUint48(block.number), creditCodeHash);
        _recordActive(account, true);
        emit IssuerAdmitted(account, kind, creditCodeHash, _msgSender());
    }

    /// @inheritdoc IBillRegistry
    function suspendIssuer(address account) external onlyRole(REGISTRAR_ROLE) {
        _requireActiveIssuer(account);
        _issuers[account].active = false;
        _recordActive(account, false);
        emit IssuerSuspended(account, _msgSender());
    }

    /// @inheritdoc IBillRegistry
    function reinstateIssuer(address account) external onlyRole(REGISTRAR_ROLE) {
        if (_issuers[account].kind == Kind.None) revert BillRegistryUnknownIssuer(account);
        if (_issuers[account].active) revert BillRegistryIssuerNotSuspended(account);
        _issuers[account].active = true;
        _recordActive(account, true);
        emit IssuerReinstated(account, _msgSender());
    }

    // ---- issuer -------------------------------------------------------------------------------

    /// @inheritdoc IBillRegistry
    function anchor(bytes32 root, uint24 billCount) external {
        _requireActiveIssuer(_msgSender());
        if (root == bytes32(0) || billCount == 0) revert BillRegistryInvalidArgument();
        address anchoredBy = _batches[root].issuer;
        if (anchoredBy != address(0)) revert BillRegistryRootAlreadyAnchored(root, anchoredBy);
        _batches[root] = Batch(_msgSender(), SafeCast.toUint32(block.number), _now(), billCount);
        emit BatchAnchored(root, _msgSender(), billCount);
    }

    /// @inheritdoc IBillRegistry
    function voidBill(bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint8 reason) external {
        if (reason == 0) revert BillRegistryInvalidArgument();
        if (_requireAnchored(root).issuer != _msgSender()) revert BillRegistryNotBatchIssuer(root, _msgSender());
        _requireActiveIssuer(_msgSender());
        BillStatus storage status = _requireOpenBill(root, leaf, proof);
        if (status.reimbursedBy != address(0)) {
            revert BillRegistryAlreadyReimbursed(leaf, status.reimbursedBy, status.reimbursedAt);
        }
        (status.voided, status.voidReason, status.voidedAt) = (true, reason, _now());
        emit BillVoided(leaf, root, _msgSender(), reason);
    }

    // ---- relying party ------------------------------------------------------------------------

    /// @inheritdoc IBillRegistry
    function markReimbursed(
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof,
        bytes32 claimReference
    ) external onlyRole(RELYING_PARTY_ROLE) {
        _requireAnchored(root);
        BillStatus storage status = _requireOpenBill(root, leaf, proof);
        if (status.reimbursedBy != address(0)) {
            revert BillRegistryAlreadyReimbursed(leaf, status.reimbursedBy, status.reimbursedAt);
        }
        (status.reimbursedBy, status.reimbursedAt) = (_msgSender(), _now());
        emit BillReimbursed(leaf, root, _msgSender(), claimReference);
    }

    /// @inheritdoc IBillRegistry
    function releaseReimbursement(bytes32 leaf) external {
        BillStatus storage status = _statuses[leaf];
        if (status.reimbursedBy == address(0)) revert BillRegistryNotReimbursed(leaf);
        if (status.reimbursedBy != _msgSender()) revert BillRegistryNotReimbursingParty(leaf, status.reimbursedBy);
        (status.reimbursedBy, status.reimbursedAt) = (address(0), 0);
        emit ReimbursementReleased(leaf, _msgSender());
    }

    // ---- reads --------------------------------------------------------------------------------

    /// @inheritdoc IBillRegistry
    function batchOf(bytes32 root) external view returns (Batch memory) {
        return _batches[root];
    }

    /// @inheritdoc IBillRegistry
    function statusOf(bytes32 leaf) external view returns (BillStatus memory) {
        return _statuses[leaf];
    }

    /// @inheritdoc IBillRegistry
    function issuerOf(address account) external view returns (Issuer memory) {
        return _issuers[account];
    }

    /// @inheritdoc IBillRegistry
    function isIncluded(bytes32 root, bytes32 leaf, bytes32[] calldata proof) public view returns (bool) {
        return _batches[root].issuer != address(0) && MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @inheritdoc IBillRegistry
    function evidence(
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof
    ) external view returns (Batch memory batch, BillStatus memory status, Issuer memory issuer, bool included) {
        batch = _batches[root];
        status = _statuses[leaf];
        issuer = _issuers[batch.issuer];
        included = isIncluded(root, leaf, proof);
    }

    /// @inheritdoc IBillRegistry
    function wasIssuerAt(address account, Kind kind, uint256 blockNumber) external view returns (bool) {
        if (kind == Kind.None || _issuers[account].kind != kind) return false;
        uint48 key = blockNumber > type(uint48).max ? type(uint48).max : uint48(blockNumber);
        return _activeHistory[account].upperLookupRecent(key) == 1;
    }

    /// @notice ERC-165: AccessControl and IBillRegistry.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IBillRegistry).interfaceId || super.supportsInterface(interfaceId);
    }

    // ---- internals ----------------------------------------------------------------------------

    /// @dev Block time as stored in the marks; virtual so that a test contract can move it.
    function _now() internal view virtual returns (uint40) {
        return SafeCast.toUint40(block.timestamp);
    }

    function _recordActive(address account, bool active) private {
        _activeHistory[account].push(SafeCast.toUint48(block.number), active ? 1 : 0);
    }

    function _requireActiveIssuer(address account) private view {
        Issuer storage issuer = _issuers[account];
        if (issuer.kind == Kind.None) revert BillRegistryUnknownIssuer(account);
        if (!issuer.active) revert BillRegistryIssuerSuspended(account);
    }

    function _requireAnchored(bytes32 root) private view returns (Batch storage batch) {
        batch = _batches[root];
        if (batch.issuer == address(0)) revert BillRegistryUnknownRoot(root);
    }

    /// @dev The proof places `leaf` under `root` and the bill is not voided; returns its marks.
    function _requireOpenBill(
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof
    ) private view returns (BillStatus storage status) {
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert BillRegistryInvalidProof(root, leaf);
        status = _statuses[leaf];
        if (status.voided) revert BillRegistryBillVoided(leaf, status.voidedAt);
    }
}
