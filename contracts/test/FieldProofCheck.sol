// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/**
 * @title FieldProofCheck (test only)
 * @notice Shows that one field of a bill can be proven to a contract from its pointer, salt and
 * canonical value bytes, through the bill hash to an anchored batch root (docs/PROTOCOL.md §3, §4),
 * with nothing but keccak256, abi.encode and OpenZeppelin MerkleProof.
 */
contract FieldProofCheck {
    function commitment(bytes32 salt, bytes calldata value) public pure returns (bytes32) {
        return keccak256(abi.encode(salt, value));
    }

    function fieldLeaf(string calldata pointer, bytes32 fieldCommitment) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(pointer, fieldCommitment))));
    }

    function billLeaf(bytes32 billHash) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(billHash))));
    }

    /// @notice Whether the field (pointer, salt, value) belongs to the bill `billHash` under the batch `root`.
    function proveField(
        string calldata pointer,
        bytes32 salt,
        bytes calldata value,
        bytes32[] calldata fieldProof,
        bytes32 billHash,
        bytes32[] calldata batchProof,
        bytes32 root
    ) external pure returns (bool) {
        bytes32 leaf = fieldLeaf(pointer, commitment(salt, value));
        return MerkleProof.verifyCalldata(fieldProof, billHash, leaf) && MerkleProof.verifyCalldata(batchProof, root, billLeaf(billHash));
    }
}
