// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Panic} from "@openzeppelin/contracts/utils/Panic.sol";
import {IBillRegistry} from "./IBillRegistry.sol";
import {FieldOpenings} from "./FieldOpenings.sol";

/**
 * @title BillRegistry (protocol v2)
 * @notice The registry shared by every issuer: batch roots and per-bill void, reimbursement and claim
 * marks, each under the issuer account they belong to; the issuer roll with its history; the bill-number
 * ranges allotted to each issuer. Not upgradeable: a registry is a witness and never changes its rules.
 */
contract BillRegistry is IBillRegistry, AccessControl {
    using Checkpoints for Checkpoints.Trace208;

    /// @notice Admits, suspends and reinstates issuers and allots their ranges (the bureau's registrars).
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @notice Marks bills reimbursed (insurers, employers, tax offices).
    bytes32 public constant RELYING_PARTY_ROLE = keccak256("RELYING_PARTY_ROLE");

    uint32 private constant _MAX_BILL_CODE = 99_999_999;
    uint64 private constant _MAX_BILL_NUMBER = 9_999_999_999;

    mapping(address account => Issuer) private _issuers;
    /// @dev 1 from the block an issuer is active, 0 from the block it is suspended; keyed by block number.
    mapping(address account => Checkpoints.Trace208) private _activeHistory;
    mapping(address issuer => mapping(bytes32 root => Batch)) private _batches;
    mapping(address issuer => mapping(bytes32 leaf => BillStatus)) private _statuses;
    mapping(uint32 billCode => Ranges) private _ranges;
    /// @dev The open claims of a bill, at 0 .. status.claimCount - 1 (a release moves the last into the gap).
    mapping(address issuer => mapping(bytes32 leaf => mapping(uint256 index => Claim))) private _claims;

    /// @dev The ranges of one bill code: `count` of them in `at`, in the order of allotment. While every
    /// range was allotted above all earlier ones (`outOfOrder` false) they are also sorted by number,
    /// so an allotment checks no earlier range and a lookup is a binary search; a range allotted below
    /// `maxLast` (the highest number allotted) turns both into a scan of every range.
    struct Ranges {
        uint64 count;
        uint64 maxLast;
        bool outOfOrder;
        mapping(uint256 index => Range) at;
    }

    /// @dev One allotted range. The numbers and the block share the slot that searches read.
    struct Range {
        uint64 first;
        uint64 last;
        uint48 allottedAt;
        address issuer;
    }

    /// @notice The EIP-712 domain name and version of the issuers' bill signatures (docs/PROTOCOL.md, "Signature").
    string public constant DOMAIN_NAME = "lianpiao";
    string public constant DOMAIN_VERSION = "2";

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

    /// @inheritdoc IBillRegistry
    function allotRange(address issuer, uint32 billCode, uint64 first, uint64 last) external onlyRole(REGISTRAR_ROLE) {
        if (_issuers[issuer].kind == Kind.None) revert BillRegistryUnknownIssuer(issuer);
        if (billCode > _MAX_BILL_CODE || first == 0 || first > last || last > _MAX_BILL_NUMBER) {
            revert BillRegistryInvalidRange(billCode, first, last);
        }
        Ranges storage ranges = _ranges[billCode];
        uint64 count = ranges.count;
        if (first > ranges.maxLast) {
            // above every number allotted so far: nothing to overlap, and the order by number holds
            ranges.maxLast = last;
        } else {
            for (uint256 i = 0; i < count; ++i) {
                Range storage r = ranges.at[i];
                if (first <= r.last && r.first <= last) revert BillRegistryRangeOverlap(billCode, r.first, r.last, r.issuer);
            }
            ranges.outOfOrder = true;
        }
        ranges.at[count] = Range(first, last, SafeCast.toUint48(block.number), issuer);
        ranges.count = count + 1;
        emit RangeAllotted(issuer, billCode, first, last, _msgSender());
    }

    // ---- issuer seal keys (SM2, docs/PROTOCOL.md §6.2) -----------------------------------------
    // Self-contained on purpose (its own struct, mapping, event and functions): the hash of each key
    // the bureau recorded for an issuer, with the block from which it holds, so a bill signed before a
    // rotation still verifies against the key of its anchoring block. Outside IBillRegistry, so the
    // ERC-165 interface id of the core registry does not change.

    /// @notice One recorded SM2 seal key: keccak256 of its 65-byte uncompressed public key, from `fromBlock` on.
    struct SealKey {
        bytes32 keyHash;
        uint48 fromBlock;
    }

    mapping(address issuer => SealKey[]) private _sealKeys;

    /// @notice The bureau recorded (or rotated) the SM2 seal key of `issuer`.
    event SealKeySet(address indexed issuer, bytes32 keyHash, address indexed registrar);

    /// @notice Records `keyHash` as the seal key of the admitted `issuer` from this block on (registrar only).
    function setSealKey(address issuer, bytes32 keyHash) external onlyRole(REGISTRAR_ROLE) {
        if (keyHash == bytes32(0)) revert BillRegistryInvalidArgument();
        if (_issuers[issuer].kind == Kind.None) revert BillRegistryUnknownIssuer(issuer);
        _sealKeys[issuer].push(SealKey(keyHash, SafeCast.toUint48(block.number)));
        emit SealKeySet(issuer, keyHash, _msgSender());
    }

    /// @notice Every seal key recorded for `issuer`, oldest first.
    function sealKeysOf(address issuer) external view returns (SealKey[] memory) {
        return _sealKeys[issuer];
    }

    /// @notice The seal key hash of `issuer` in force at `blockNumber` (zero when none was recorded by then).
    function sealKeyAt(address issuer, uint256 blockNumber) external view returns (bytes32) {
        SealKey[] storage keys = _sealKeys[issuer];
        // rotations are rare: a scan from the newest is shorter than a binary search's bookkeeping
        for (uint256 i = keys.length; i > 0; --i) {
            if (keys[i - 1].fromBlock <= blockNumber) return keys[i - 1].keyHash;
        }
        return bytes32(0);
    }

    // ---- issuer -------------------------------------------------------------------------------

    /// @inheritdoc IBillRegistry
    function anchor(bytes32 root, uint24 billCount) external {
        address issuer = _msgSender();
        _requireActiveIssuer(issuer);
        if (root == bytes32(0) || billCount == 0) revert BillRegistryInvalidArgument();
        if (_batches[issuer][root].blockNumber != 0) revert BillRegistryRootAlreadyAnchored(issuer, root);
        _batches[issuer][root] = Batch(SafeCast.toUint48(block.number), _now(), billCount);
        emit BatchAnchored(issuer, root, billCount);
    }

    /// @inheritdoc IBillRegistry
    function voidBill(bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint8 reason) external {
        address issuer = _msgSender();
        if (reason == 0) revert BillRegistryInvalidArgument();
        _requireActiveIssuer(issuer);
        BillStatus storage status = _requireOpenBill(issuer, root, leaf, proof);
        _requireUnclaimed(issuer, leaf, status);
        (status.voided, status.voidReason, status.voidedAt) = (true, reason, _now());
        emit BillVoided(issuer, leaf, root, reason);
    }

    // ---- relying party ------------------------------------------------------------------------

    /// @inheritdoc IBillRegistry
    function markReimbursed(
        address issuer,
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof,
        bytes32 claimReference
    ) external onlyRole(RELYING_PARTY_ROLE) {
        BillStatus storage status = _requireOpenBill(issuer, root, leaf, proof);
        _requireUnclaimed(issuer, leaf, status);
        (status.reimbursedBy, status.reimbursedAt) = (_msgSender(), _now());
        emit BillReimbursed(issuer, leaf, _msgSender(), root, claimReference);
    }

    /// @inheritdoc IBillRegistry
    function releaseReimbursement(address issuer, bytes32 leaf) external {
        BillStatus storage status = _statuses[issuer][leaf];
        if (status.reimbursedBy == address(0)) revert BillRegistryNotReimbursed(issuer, leaf);
        if (status.reimbursedBy != _msgSender()) revert BillRegistryNotReimbursingParty(issuer, leaf, status.reimbursedBy);
        (status.reimbursedBy, status.reimbursedAt) = (address(0), 0);
        emit ReimbursementReleased(issuer, leaf, _msgSender());
    }

    /// @inheritdoc IBillRegistry
    function claim(
        address issuer,
        bytes32 root,
        bytes32 billHash,
        bytes32[] calldata proof,
        FieldOpening calldata claimable,
        uint256 amountFen,
        bytes32 claimReference
    ) external onlyRole(RELYING_PARTY_ROLE) {
        if (amountFen == 0) revert BillRegistryInvalidArgument();
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(billHash))));
        BillStatus storage status = _requireOpenBill(issuer, root, leaf, proof);
        _charge(issuer, billHash, claimable, status, amountFen);
        status.claimCount = _addClaim(issuer, leaf, status.claimCount, amountFen, claimReference);
        emit BillClaimed(issuer, leaf, _msgSender(), root, claimReference, amountFen);
    }

    /// @inheritdoc IBillRegistry
    function releaseClaim(address issuer, bytes32 leaf, bytes32 claimReference) external {
        address party = _msgSender();
        BillStatus storage status = _statuses[issuer][leaf];
        uint256 count = status.claimCount;
        mapping(uint256 => Claim) storage claims = _claims[issuer][leaf];
        for (uint256 i = 0; i < count; ++i) {
            Claim storage c = claims[i];
            if (c.party != party || c.claimReference != claimReference) continue;
            uint256 amount = c.amountFen;
            if (i != count - 1) claims[i] = claims[count - 1];
            delete claims[count - 1];
            (status.claimedFen, status.claimCount) = (uint64(status.claimedFen - amount), uint16(count - 1));
            // the last claim gone, the field and cap it pinned go too: a claim released at once cannot
            // keep another field (say /total of a bill with a settlement) pinned for the bill's life
            if (count == 1) (status.capFen, status.claimable) = (0, 0);
            emit ClaimReleased(issuer, leaf, party, claimReference, amount);
            return;
        }
        revert BillRegistryNoClaim(issuer, leaf, party, claimReference);
    }

    /// @inheritdoc IBillRegistry
    function claimsOf(address issuer, bytes32 leaf) external view returns (Claim[] memory out) {
        uint256 count = _statuses[issuer][leaf].claimCount;
        out = new Claim[](count);
        for (uint256 i = 0; i < count; ++i) out[i] = _claims[issuer][leaf][i];
    }

    // ---- reads --------------------------------------------------------------------------------

    /// @inheritdoc IBillRegistry
    function batchOf(address issuer, bytes32 root) external view returns (Batch memory) {
        return _batches[issuer][root];
    }

    /// @inheritdoc IBillRegistry
    function statusOf(address issuer, bytes32 leaf) external view returns (BillStatus memory) {
        return _statuses[issuer][leaf];
    }

    /// @inheritdoc IBillRegistry
    function issuerOf(address account) external view returns (Issuer memory) {
        return _issuers[account];
    }

    /// @inheritdoc IBillRegistry
    function allotmentOf(uint32 billCode, uint64 billNumber) public view returns (Allotment memory found) {
        Ranges storage ranges = _ranges[billCode];
        uint256 count = ranges.count;
        if (!ranges.outOfOrder) {
            // sorted by number: find the last range starting at or below billNumber
            uint256 low = 0;
            uint256 high = count;
            while (low < high) {
                uint256 mid = (low + high) / 2;
                if (ranges.at[mid].first <= billNumber) low = mid + 1;
                else high = mid;
            }
            if (low > 0 && billNumber <= ranges.at[low - 1].last) return _allotment(billCode, ranges.at[low - 1]);
        } else {
            for (uint256 i = 0; i < count; ++i) {
                Range storage r = ranges.at[i];
                if (r.first <= billNumber && billNumber <= r.last) return _allotment(billCode, r);
            }
        }
    }

    /// @inheritdoc IBillRegistry
    function allotmentCount(uint32 billCode) external view returns (uint256) {
        return _ranges[billCode].count;
    }

    /// @inheritdoc IBillRegistry
    function allotmentAt(uint32 billCode, uint256 index) external view returns (Allotment memory) {
        Ranges storage ranges = _ranges[billCode];
        if (index >= ranges.count) Panic.panic(Panic.ARRAY_OUT_OF_BOUNDS);
        return _allotment(billCode, ranges.at[index]);
    }

    /// @inheritdoc IBillRegistry
    function isIncluded(address issuer, bytes32 root, bytes32 leaf, bytes32[] calldata proof) public view returns (bool) {
        return _batches[issuer][root].blockNumber != 0 && MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @inheritdoc IBillRegistry
    function evidence(
        address issuer,
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof,
        uint32 billCode,
        uint64 billNumber
    ) external view returns (Evidence memory ev) {
        ev.batch = _batches[issuer][root];
        ev.status = _statuses[issuer][leaf];
        ev.issuer = _issuers[issuer];
        ev.included = isIncluded(issuer, root, leaf, proof);
        if (ev.batch.blockNumber != 0) {
            // anchor() admits only an active issuer, so a recorded batch was anchored while its issuer
            // was active; the end-of-block history (wasIssuerAt) would misjudge a suspension mined
            // later in the same block, and let the registrar break an honest batch by timing.
            ev.activeAtAnchor = true;
            ev.allottedAtAnchor = isAllottedAt(issuer, billCode, billNumber, ev.batch.blockNumber);
        }
    }

    /// @inheritdoc IBillRegistry
    function wasIssuerAt(address account, Kind kind, uint256 blockNumber) public view returns (bool) {
        if (kind == Kind.None || _issuers[account].kind != kind) return false;
        uint48 key = blockNumber > type(uint48).max ? type(uint48).max : uint48(blockNumber);
        return _activeHistory[account].upperLookupRecent(key) == 1;
    }

    /// @inheritdoc IBillRegistry
    function isAllottedAt(address issuer, uint32 billCode, uint64 billNumber, uint256 blockNumber) public view returns (bool) {
        Allotment memory a = allotmentOf(billCode, billNumber);
        return issuer != address(0) && a.issuer == issuer && a.allottedAt <= blockNumber;
    }

    /// @notice EIP-5267: the domain of the issuers' EIP-712 bill signatures — name, version, chain id and
    /// this contract (fields 0x0f: no salt, no extensions). OpenZeppelin's EIP712 is not used: its string
    /// helpers need the Cancun EVM (mcopy), and the registry verifies no signature itself.
    function eip712Domain()
        external
        view
        returns (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        )
    {
        return (hex"0f", DOMAIN_NAME, DOMAIN_VERSION, block.chainid, address(this), bytes32(0), new uint256[](0));
    }

    /// @notice ERC-165: AccessControl and IBillRegistry.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IBillRegistry).interfaceId || super.supportsInterface(interfaceId);
    }

    // ---- internals ----------------------------------------------------------------------------

    /// @dev Block time as stored in batches and marks; virtual so that a test contract can move it.
    function _now() internal view virtual returns (uint40) {
        return SafeCast.toUint40(block.timestamp);
    }

    function _allotment(uint32 billCode, Range storage r) private view returns (Allotment memory) {
        return Allotment(r.issuer, billCode, r.first, r.last, r.allottedAt);
    }

    function _recordActive(address account, bool active) private {
        _activeHistory[account].push(SafeCast.toUint48(block.number), active ? 1 : 0);
    }

    function _requireActiveIssuer(address account) private view {
        Issuer storage issuer = _issuers[account];
        if (issuer.kind == Kind.None) revert BillRegistryUnknownIssuer(account);
        if (!issuer.active) revert BillRegistryIssuerSuspended(account);
    }

    /// @dev `issuer` anchored `root`, the proof places `leaf` under it, and the bill is neither voided
    /// nor reimbursed; returns its marks.
    /// @dev Adds `amountFen` to the bill's claimed amount, within the claimable amount proven by `f`.
    function _charge(address issuer, bytes32 billHash, FieldOpening calldata f, BillStatus storage status, uint256 amountFen) private {
        (uint256 cap, uint8 code) = _provenCap(issuer, billHash, f, status.claimable);
        uint256 claimed = status.claimedFen;
        if (amountFen > cap - claimed) revert BillRegistryClaimExceedsRemaining(cap - claimed);
        (status.claimedFen, status.capFen, status.claimable) = (uint64(claimed + amountFen), uint64(cap), code);
    }

    /// @dev The claimable amount of the bill `billHash` of `issuer`, from the field `f` opened against
    /// the bill's commitment, and the field's code; the same field as the first claim's (`pinned`).
    function _provenCap(address issuer, bytes32 billHash, FieldOpening calldata f, uint8 pinned) private view returns (uint256 cap, uint8 code) {
        if (!FieldOpenings.proves(f, billHash)) revert BillRegistryInvalidFieldProof(billHash);
        code = FieldOpenings.claimableCode(_issuers[issuer].kind, f.pointer);
        cap = FieldOpenings.amountFen(f.value);
        if (code == 0 || cap == type(uint256).max || (pinned != 0 && pinned != code)) revert BillRegistryInvalidClaimable();
    }

    /// @dev Stores the caller's claim as the `count`-th of the bill; one per (party, reference). Returns the new count.
    function _addClaim(address issuer, bytes32 leaf, uint256 count, uint256 amountFen, bytes32 claimReference) private returns (uint16) {
        address party = _msgSender();
        mapping(uint256 => Claim) storage claims = _claims[issuer][leaf];
        for (uint256 i = 0; i < count; ++i) {
            if (claims[i].party == party && claims[i].claimReference == claimReference) revert BillRegistryClaimExists(issuer, leaf, party, claimReference);
        }
        // amountFen ≤ cap ≤ FieldOpenings.MAX_FEN < 2^47 fits uint56
        claims[count] = Claim(party, uint56(amountFen), _now(), claimReference);
        return SafeCast.toUint16(count + 1);
    }

    /// @dev Voiding a bill, or marking it reimbursed as a whole, waits until its claims are released.
    function _requireUnclaimed(address issuer, bytes32 leaf, BillStatus storage status) private view {
        if (status.claimCount != 0) revert BillRegistryBillClaimed(issuer, leaf, status.claimedFen);
    }

    function _requireOpenBill(
        address issuer,
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof
    ) private view returns (BillStatus storage status) {
        if (_batches[issuer][root].blockNumber == 0) revert BillRegistryUnknownRoot(issuer, root);
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert BillRegistryInvalidProof(root, leaf);
        status = _statuses[issuer][leaf];
        if (status.voided) revert BillRegistryBillVoided(issuer, leaf, status.voidedAt);
        if (status.reimbursedBy != address(0)) {
            revert BillRegistryAlreadyReimbursed(issuer, leaf, status.reimbursedBy, status.reimbursedAt);
        }
    }
}
