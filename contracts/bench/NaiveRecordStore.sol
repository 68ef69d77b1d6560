// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.37;

/**
 * @dev The baseline the gas benchmark compares anchoring with: one transaction per record, each storing the
 * record's hash in a new slot and emitting it. Not part of a deployment.
 */
contract NaiveRecordStore {
    mapping(uint256 index => bytes32 recordHash) private _recordHashes;
    uint256 private _recordCount;

    /// @dev Emitted when a record hash is stored at `index`.
    event RecordStored(uint256 indexed index, bytes32 recordHash);

    /// @dev Stores `recordHash` as the next record. Emits a {RecordStored} event.
    function store(bytes32 recordHash) external {
        uint256 index = _recordCount++;
        _recordHashes[index] = recordHash;
        emit RecordStored(index, recordHash);
    }

    /// @dev Returns the hash stored at `index` (zero if none).
    function recordHash(uint256 index) external view returns (bytes32) {
        return _recordHashes[index];
    }
}
