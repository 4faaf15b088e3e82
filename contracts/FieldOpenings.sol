// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IBillRegistry} from "./IBillRegistry.sol";

/**
 * @title FieldOpenings
 * @notice Proves one field of a bill to its bill hash and reads a claimable amount from it, for
 * `BillRegistry.claim` (docs/PROTOCOL.md §3 and §7, "Claims"). The hashing is exactly
 * server/issuance/commitments.ts: commitment = keccak256(abi.encode(bytes32 salt, bytes value)),
 * field leaf = keccak256(bytes.concat(keccak256(abi.encode(string pointer, bytes32 commitment)))), and
 * the bill hash is the root of the OpenZeppelin StandardMerkleTree of the field leaves.
 */
library FieldOpenings {
    /// @dev Field codes stored in BillStatus.claimable.
    uint8 internal constant TOTAL = 1;
    uint8 internal constant CASH_PAID = 2;
    uint8 internal constant SELF_PAID = 3;

    /// @dev The largest amount a bill may carry: 999,999,999,999.99 yuan (server/issuance/money.ts MAX_FEN).
    uint256 internal constant MAX_FEN = 99_999_999_999_999;

    /// @notice Whether `f` opens a field whose leaf `f.proof` takes to `billHash`.
    function proves(IBillRegistry.FieldOpening calldata f, bytes32 billHash) internal pure returns (bool) {
        bytes32 commitment = keccak256(abi.encode(f.salt, f.value));
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(f.pointer, commitment))));
        return MerkleProof.verifyCalldata(f.proof, billHash, leaf);
    }

    /// @notice The code of the field `pointer` when a bill of `kind` may be claimed against it, else 0.
    /// A medical bill is claimed against what the person paid in cash when it has a settlement
    /// (cashPaid, or selfPaid, the name bills issued before it used), else against its total; a donation
    /// receipt against its total.
    function claimableCode(IBillRegistry.Kind kind, string calldata pointer) internal pure returns (uint8) {
        bytes32 h = keccak256(bytes(pointer));
        if (h == keccak256("/total")) return TOTAL;
        if (kind != IBillRegistry.Kind.Medical) return 0;
        if (h == keccak256("/insurance/cashPaid")) return CASH_PAID;
        if (h == keccak256("/insurance/selfPaid")) return SELF_PAID;
        return 0;
    }

    /// @notice The fen of an amount's canonical JSON (a JSON string: "0", "157", "157.5", "157.00"; no
    /// sign, no leading zero, at most two fraction digits), or `type(uint256).max` when it is not one.
    function amountFen(bytes calldata json) internal pure returns (uint256) {
        uint256 n = json.length;
        // the quotes, one to twelve digits, and at most ".dd"
        if (n < 3 || n > 17 || json[0] != '"' || json[n - 1] != '"') return type(uint256).max;
        uint256 yuan = 0;
        uint256 i = 1;
        uint256 end = n - 1;
        if (json[1] == "0" && end > 2 && json[2] != ".") return type(uint256).max; // a leading zero
        while (i < end && json[i] != ".") {
            uint8 c = uint8(json[i]);
            if (c < 48 || c > 57) return type(uint256).max;
            yuan = yuan * 10 + (c - 48);
            ++i;
        }
        if (i == 1 || i > 13) return type(uint256).max; // no integer digit, or more than twelve
        uint256 fen = 0;
        if (i < end) {
            uint256 digits = end - i - 1; // after the dot
            if (digits == 0 || digits > 2) return type(uint256).max;
            for (uint256 j = i + 1; j < end; ++j) {
                uint8 c = uint8(json[j]);
                if (c < 48 || c > 57) return type(uint256).max;
                fen = fen * 10 + (c - 48);
            }
            if (digits == 1) fen *= 10;
        }
        uint256 total = yuan * 100 + fen;
        return total > MAX_FEN ? type(uint256).max : total;
    }
}
