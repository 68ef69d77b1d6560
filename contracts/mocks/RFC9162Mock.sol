// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.37;

import {RFC9162} from "../RFC9162.sol";

/// @dev Exposes the {RFC9162} library's internal functions so tests can check them against the Python log.
contract RFC9162Mock {
    function verifyInclusion(
        uint256 leafIndex,
        uint256 treeSize,
        bytes32 leafHash,
        bytes32[] calldata proof,
        bytes32 rootHash
    ) external view returns (bool) {
        return RFC9162.verifyInclusion(leafIndex, treeSize, leafHash, proof, rootHash);
    }

    function verifyConsistency(
        uint256 oldSize,
        uint256 newSize,
        bytes32 oldRoot,
        bytes32 newRoot,
        bytes32[] calldata proof
    ) external view returns (bool) {
        return RFC9162.verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof);
    }
}
