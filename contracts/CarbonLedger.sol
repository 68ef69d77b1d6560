// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {CarbonRoles} from "./CarbonRoles.sol";
import {RFC9162} from "./RFC9162.sol";
import {ICarbonLedger} from "./interfaces/ICarbonLedger.sol";

/**
 * @dev Implementation of {ICarbonLedger}.
 *
 * Per log it stores only the latest head's size and timestamp and the root hash of every anchored size; the
 * rest of a checkpoint lives in the {CheckpointAnchored} event.
 *
 * Signatures need no nonce: a checkpoint binds its log id and tree size, each size of a log can be anchored at
 * most once and sizes only grow, so a replayed signature always fails the size check. The EIP-712 domain binds
 * the chain id and this contract's address, so a signature for another chain or deployment does not recover
 * to an oracle here.
 */
contract CarbonLedger is ICarbonLedger, AccessControl, EIP712 {
    bytes32 private constant CHECKPOINT_TYPEHASH =
        keccak256("Checkpoint(bytes32 logId,uint64 treeSize,bytes32 rootHash,uint64 timestamp,bytes32 metadataHash)");

    /**
     * @dev One log's anchored heads. The latest head's `treeSize` and `timestamp` share the struct's first slot,
     * so an anchor reads and moves the head in one slot; `roots` holds the root of every anchored size.
     */
    struct Log {
        uint64 treeSize;
        uint64 timestamp;
        mapping(uint64 treeSize => bytes32 rootHash) roots;
    }

    mapping(bytes32 logId => Log) private _logs;

    /// @dev Makes `admin` the holder of `DEFAULT_ADMIN_ROLE`, who grants and revokes the oracle roles of logs.
    constructor(address admin) EIP712("CarbonLedger", "1") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc ICarbonLedger
    function anchor(
        Checkpoint calldata checkpoint,
        bytes32[] calldata consistencyProof,
        bytes calldata signature
    ) external {
        bytes32 logId = checkpoint.logId;
        uint64 treeSize = checkpoint.treeSize;
        Log storage log = _logs[logId];
        uint64 anchoredTreeSize = log.treeSize;
        if (treeSize <= anchoredTreeSize) {
            revert CarbonLedgerTreeSizeNotIncreasing(logId, anchoredTreeSize, treeSize);
        }
        address oracle = ECDSA.recoverCalldata(_checkpointDigest(checkpoint), signature);
        if (!hasRole(CarbonRoles.oracle(logId), oracle)) {
            revert CarbonLedgerSignerNotOracle(logId, oracle);
        }
        if (anchoredTreeSize == 0) {
            if (consistencyProof.length != 0) {
                revert CarbonLedgerUnexpectedConsistencyProof(logId, consistencyProof.length);
            }
        } else if (
            !RFC9162.verifyConsistency(
                anchoredTreeSize,
                treeSize,
                log.roots[anchoredTreeSize],
                checkpoint.rootHash,
                consistencyProof
            )
        ) {
            revert CarbonLedgerInvalidConsistencyProof(logId, anchoredTreeSize, treeSize);
        }

        _moveHead(log, treeSize, checkpoint.timestamp);
        log.roots[treeSize] = checkpoint.rootHash;
        emit CheckpointAnchored(
            logId,
            treeSize,
            checkpoint.rootHash,
            checkpoint.timestamp,
            checkpoint.metadataHash,
            oracle
        );
    }

    /// @inheritdoc ICarbonLedger
    function verifyInclusion(
        bytes32 logId,
        uint64 treeSize,
        uint64 leafIndex,
        bytes32 leafHash,
        bytes32[] calldata proof
    ) external view returns (bool) {
        return RFC9162.verifyInclusion(leafIndex, treeSize, leafHash, proof, rootAt(logId, treeSize));
    }

    /// @inheritdoc ICarbonLedger
    function rootAt(bytes32 logId, uint64 treeSize) public view returns (bytes32 rootHash) {
        rootHash = _logs[logId].roots[treeSize];
        // A root is a SHA-256 output, so zero marks a size that was never anchored.
        if (rootHash == bytes32(0)) {
            revert CarbonLedgerCheckpointNotAnchored(logId, treeSize);
        }
    }

    /// @inheritdoc ICarbonLedger
    function latestHead(bytes32 logId) external view returns (uint64 treeSize, bytes32 rootHash, uint64 timestamp) {
        Log storage log = _logs[logId];
        return (log.treeSize, log.roots[log.treeSize], log.timestamp);
    }

    /// @inheritdoc ICarbonLedger
    function checkpointDigest(Checkpoint calldata checkpoint) external view returns (bytes32) {
        return _checkpointDigest(checkpoint);
    }

    /**
     * @dev Sets the log's latest head with one SSTORE, where two member writes would read and write the slot twice.
     * With Solidity's packing of {Log} the slot holds `treeSize` in its low 64 bits, the timestamp (`signedAt`) in
     * the next 64 and nothing else, so it is overwritten whole.
     */
    function _moveHead(Log storage log, uint64 treeSize, uint64 signedAt) private {
        assembly ("memory-safe") {
            // Bits above a uint64 in a stack slot are not guaranteed clean, so both are masked.
            let low64 := 0xffffffffffffffff
            sstore(log.slot, or(and(treeSize, low64), shl(64, and(signedAt, low64))))
        }
    }

    /**
     * @dev EIP-712's hashStruct(checkpoint) is keccak256(typeHash || encodeData), and as every member of a
     * checkpoint is a static type in one 32-byte word, encodeData is the checkpoint's own 160 bytes of calldata:
     * they are copied behind the type hash in one go, without abi.encode's member-by-member decoding and memory
     * allocation. Reverts, as that decoding would, if a uint64 member has stray high bits, which would otherwise
     * give a digest no signer can produce.
     */
    function _checkpointDigest(Checkpoint calldata checkpoint) private view returns (bytes32) {
        bytes32 typeHash = CHECKPOINT_TYPEHASH;
        bytes32 structHash;
        assembly ("memory-safe") {
            // Members at checkpoint + 0x00 logId, 0x20 treeSize, 0x40 rootHash, 0x60 timestamp, 0x80 metadataHash.
            if or(shr(64, calldataload(add(checkpoint, 0x20))), shr(64, calldataload(add(checkpoint, 0x60)))) {
                revert(0, 0)
            }
            // Temporary memory past the free memory pointer: the type hash, then the five members.
            let encoded := mload(0x40)
            mstore(encoded, typeHash)
            calldatacopy(add(encoded, 0x20), checkpoint, 0xa0)
            structHash := keccak256(encoded, 0xc0)
        }
        return _hashTypedDataV4(structHash);
    }

    /// @inheritdoc ICarbonLedger
    function oracleRole(bytes32 logId) external pure returns (bytes32) {
        return CarbonRoles.oracle(logId);
    }
}
