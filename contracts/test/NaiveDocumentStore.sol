// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/**
 * @title NaiveDocumentStore
 * @notice Test-only baseline for the benchmark: one storage write and one event per bill hash, one
 * transaction per bill. BillRegistry's batch anchoring is measured against it.
 */
contract NaiveDocumentStore {
    /// @notice `documentHash` was already issued, in block `blockNumber`.
    error NaiveDocumentStoreAlreadyIssued(bytes32 documentHash, uint256 blockNumber);

    /// @notice `issuer` issued `documentHash`.
    event DocumentIssued(bytes32 indexed documentHash, address indexed issuer);

    mapping(bytes32 documentHash => uint256 blockNumber) private _issuedAt;

    /// @notice Records `documentHash` as issued in the current block.
    function issue(bytes32 documentHash) external {
        uint256 earlier = _issuedAt[documentHash];
        if (earlier != 0) revert NaiveDocumentStoreAlreadyIssued(documentHash, earlier);
        _issuedAt[documentHash] = block.number;
        emit DocumentIssued(documentHash, msg.sender);
    }

    /// @notice The block in which `documentHash` was issued, or zero.
    function issuedAt(bytes32 documentHash) external view returns (uint256) {
        return _issuedAt[documentHash];
    }
}
