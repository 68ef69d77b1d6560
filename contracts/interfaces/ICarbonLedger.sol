// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/**
 * @dev Anchors the tree heads of RFC 9162 Merkle logs of carbon records. Each log, named by a bytes32 log id,
 * has its own set of oracles (the AccessControl role `oracleRole(logId)`), which sign its checkpoints with
 * EIP-712; anyone may relay a signed checkpoint. A log only grows: a new head is accepted only with a larger
 * tree size and a consistency proof from the last anchored head, checked on chain.
 */
interface ICarbonLedger is IAccessControl {
    /**
     * @dev A signed statement of a log's tree head. The EIP-712 type is
     * `Checkpoint(bytes32 logId,uint64 treeSize,bytes32 rootHash,uint64 timestamp,bytes32 metadataHash)` in the
     * domain {name: "CarbonLedger", version: "1", chainId, verifyingContract}. `timestamp` is Unix seconds when
     * the oracle signed; `metadataHash` commits to whatever the oracle publishes beside the head.
     */
    struct Checkpoint {
        bytes32 logId;
        uint64 treeSize;
        bytes32 rootHash;
        uint64 timestamp;
        bytes32 metadataHash;
    }

    /**
     * @dev The checkpoint's tree size is not larger than the size already anchored for the log. This also
     * rejects a replayed signature: the size it signs has been anchored already.
     */
    error CarbonLedgerTreeSizeNotIncreasing(bytes32 logId, uint64 anchoredTreeSize, uint64 treeSize);

    /// @dev The checkpoint was not signed by an oracle of its log.
    error CarbonLedgerSignerNotOracle(bytes32 logId, address signer);

    /// @dev The first checkpoint of a log came with a consistency proof, which it cannot have.
    error CarbonLedgerUnexpectedConsistencyProof(bytes32 logId, uint256 proofLength);

    /// @dev The consistency proof does not lead from the anchored head to the new one.
    error CarbonLedgerInvalidConsistencyProof(bytes32 logId, uint64 anchoredTreeSize, uint64 treeSize);

    /// @dev No checkpoint of the log has been anchored at this tree size.
    error CarbonLedgerCheckpointNotAnchored(bytes32 logId, uint64 treeSize);

    /// @dev Emitted when `oracle`'s checkpoint becomes the latest anchored head of log `logId`.
    event CheckpointAnchored(
        bytes32 indexed logId,
        uint64 indexed treeSize,
        bytes32 rootHash,
        uint64 timestamp,
        bytes32 metadataHash,
        address indexed oracle
    );

    /**
     * @dev Anchors `checkpoint` as the latest head of its log.
     *
     * Emits a {CheckpointAnchored} event.
     *
     * Requirements:
     *
     * - `checkpoint.treeSize` is larger than the log's anchored tree size.
     * - `signature` is an EIP-712 signature of `checkpoint` by an account with `oracleRole(checkpoint.logId)`.
     * - `consistencyProof` is empty for the log's first checkpoint, and otherwise an RFC 9162 consistency proof
     *   from the anchored head to `checkpoint`.
     */
    function anchor(
        Checkpoint calldata checkpoint,
        bytes32[] calldata consistencyProof,
        bytes calldata signature
    ) external;

    /**
     * @dev Returns true if `proof` proves that `leafHash` is the leaf at `leafIndex` of log `logId` at the
     * anchored tree size `treeSize` (RFC 9162 inclusion proof).
     *
     * Requirements:
     *
     * - a checkpoint of `logId` has been anchored at `treeSize`.
     */
    function verifyInclusion(
        bytes32 logId,
        uint64 treeSize,
        uint64 leafIndex,
        bytes32 leafHash,
        bytes32[] calldata proof
    ) external view returns (bool);

    /**
     * @dev Returns the root hash anchored for log `logId` at `treeSize`.
     *
     * Requirements:
     *
     * - a checkpoint of `logId` has been anchored at `treeSize`.
     */
    function rootAt(bytes32 logId, uint64 treeSize) external view returns (bytes32);

    /// @dev Returns the latest anchored head of log `logId`; all zero if none has been anchored.
    function latestHead(bytes32 logId) external view returns (uint64 treeSize, bytes32 rootHash, uint64 timestamp);

    /// @dev Returns the EIP-712 digest an oracle signs for `checkpoint`.
    function checkpointDigest(Checkpoint calldata checkpoint) external view returns (bytes32);

    /// @dev Returns the role whose holders are the oracles of log `logId`.
    function oracleRole(bytes32 logId) external pure returns (bytes32);
}
