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

    struct LatestHead {
        uint64 treeSize;
        uint64 timestamp;
    }

    mapping(bytes32 logId => LatestHead) private _latestHeads;
    mapping(bytes32 logId => mapping(uint64 treeSize => bytes32 rootHash)) private _roots;

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
        bytes32 rootHash = checkpoint.rootHash;
        uint64 anchoredTreeSize = _latestHeads[logId].treeSize;
        if (treeSize <= anchoredTreeSize) {
            revert CarbonLedgerTreeSizeNotIncreasing(logId, anchoredTreeSize, treeSize);
        }
        address oracle = ECDSA.recoverCalldata(checkpointDigest(checkpoint), signature);
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
                _roots[logId][anchoredTreeSize],
                rootHash,
                consistencyProof
            )
        ) {
            revert CarbonLedgerInvalidConsistencyProof(logId, anchoredTreeSize, treeSize);
        }

        _latestHeads[logId] = LatestHead(treeSize, checkpoint.timestamp);
        _roots[logId][treeSize] = rootHash;
        emit CheckpointAnchored(logId, treeSize, rootHash, checkpoint.timestamp, checkpoint.metadataHash, oracle);
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
        rootHash = _roots[logId][treeSize];
        // A root is a SHA-256 output, so zero marks a size that was never anchored.
        if (rootHash == bytes32(0)) {
            revert CarbonLedgerCheckpointNotAnchored(logId, treeSize);
        }
    }

    /// @inheritdoc ICarbonLedger
    function latestHead(bytes32 logId) external view returns (uint64 treeSize, bytes32 rootHash, uint64 timestamp) {
        LatestHead memory head = _latestHeads[logId];
        return (head.treeSize, _roots[logId][head.treeSize], head.timestamp);
    }

    /// @inheritdoc ICarbonLedger
    function checkpointDigest(Checkpoint calldata checkpoint) public view returns (bytes32) {
        // Every member is a static type in one 32-byte word, so the ABI encoding is EIP-712's encodeData.
        return _hashTypedDataV4(keccak256(abi.encode(CHECKPOINT_TYPEHASH, checkpoint)));
    }

    /// @inheritdoc ICarbonLedger
    function oracleRole(bytes32 logId) external pure returns (bytes32) {
        return CarbonRoles.oracle(logId);
    }
}
