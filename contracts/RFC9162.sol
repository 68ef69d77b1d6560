// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.37;

/**
 * @dev Merkle tree proofs of RFC 9162 (Certificate Transparency 2.0) over SHA-256, verified on chain.
 *
 * A leaf hash is SHA-256(0x00 || entry) and an interior node SHA-256(0x01 || left || right); the left subtree of
 * a tree of `n` leaves holds the largest power of two smaller than `n`. {verifyInclusion} follows RFC 9162
 * §2.1.3.2 and {verifyConsistency} §2.1.4.2 step by step, with the RFC's variable names (`fn`, `sn`, `r`, `fr`,
 * `sr`); the comments quote the steps. Both walk up the tree the same way, so they share one loop, {_walk}.
 */
library RFC9162 {
    /**
     * @dev Returns true if `proof` proves that the leaf `leafHash` sits at `leafIndex` in the tree of `treeSize`
     * leaves whose root is `rootHash` (RFC 9162 §2.1.3.2).
     *
     * A proof that is too short, too long or leads to another root yields false, as does `leafIndex >= treeSize`.
     */
    function verifyInclusion(
        uint256 leafIndex,
        uint256 treeSize,
        bytes32 leafHash,
        bytes32[] calldata proof,
        bytes32 rootHash
    ) internal view returns (bool) {
        // 1. "If leaf_index is greater than or equal to tree_size, then fail the proof verification."
        if (leafIndex >= treeSize) return false;
        // 2. "Set fn to leaf_index and sn to tree_size - 1."  3. "Set r to hash."  4. For each value p ...
        (uint256 sn, , bytes32 r) = _walk(leafIndex, treeSize - 1, 0, leafHash, proof, false);
        // 5. "Compare sn to 0. Compare r against the root_hash. If either is not equal, then fail."
        return sn == 0 && r == rootHash;
    }

    /**
     * @dev Returns true if `proof` proves that the tree of `oldSize` leaves with root `oldRoot` is a prefix of the
     * tree of `newSize` leaves with root `newRoot` (RFC 9162 §2.1.4.2).
     *
     * Requirements for a true result: `0 < oldSize < newSize` and a non-empty proof of the exact length, or
     * `oldSize == newSize` with an empty proof and equal roots.
     */
    function verifyConsistency(
        uint256 oldSize,
        uint256 newSize,
        bytes32 oldRoot,
        bytes32 newRoot,
        bytes32[] calldata proof
    ) internal view returns (bool) {
        if (oldSize == 0 || oldSize > newSize) return false;
        if (oldSize == newSize) return proof.length == 0 && oldRoot == newRoot;
        // 1. "If consistency_path is an empty array, stop and fail the proof verification."
        if (proof.length == 0) return false;
        // 2. "If first is an exact power of 2, then prepend first_hash to the consistency_path array."
        //    Done without copying: the walk then starts at the proof's first element instead of its second.
        // 5. "Set both fr and sr to the first value in the consistency_path array."
        bool oldIsPowerOfTwo = oldSize & (oldSize - 1) == 0;
        bytes32 first = oldIsPowerOfTwo ? oldRoot : proof[0];
        bytes32[] calldata rest = oldIsPowerOfTwo ? proof : proof[1:];
        // 3. "Set fn to first - 1 and sn to second - 1."
        uint256 fn = oldSize - 1;
        uint256 sn = newSize - 1;
        // 4. "If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set."
        while (fn & 1 == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        // 6. "For each subsequent value c in the consistency_path array: ..."
        (uint256 snAfter, bytes32 fr, bytes32 sr) = _walk(fn, sn, first, first, rest, true);
        // 7. "Verify that the fr calculated is equal to the first_hash supplied, that the sr calculated is equal
        //    to the second_hash supplied, and that sn is 0."
        return snAfter == 0 && fr == oldRoot && sr == newRoot;
    }

    /**
     * @dev The loop both verifications share, over `path`: inclusion's step 4 on `sr` (the RFC's `r`),
     * consistency's step 6 on `fr` and `sr` (`withFirst`). Returns the final `sn`, `fr` and `sr`.
     * For each element `c`:
     *
     * a. "If sn is 0, then stop the iteration and fail the proof verification." (returns `sn` = 1, which fails
     *    the caller's final check that `sn` is 0)
     * b. "If LSB(fn) is set, or if fn is equal to sn, then: set fr to HASH(0x01 || c || fr); set sr to
     *    HASH(0x01 || c || sr); if LSB(fn) is not set, then right-shift both fn and sn equally until either LSB(fn)
     *    is set or fn is 0. Otherwise: set sr to HASH(0x01 || sr || c)."
     * c. "Finally, right-shift both fn and sn one time."
     *
     * Written in assembly because it runs once per proof element on every anchor: it reads the path straight
     * from calldata and hashes through the SHA-256 precompile (address 0x02) from one 65-byte buffer whose first
     * byte stays 0x01, so each step writes only the two child hashes.
     */
    function _walk(
        uint256 fn,
        uint256 sn,
        bytes32 fr,
        bytes32 sr,
        bytes32[] calldata path,
        bool withFirst
    ) private view returns (uint256, bytes32, bytes32) {
        assembly ("memory-safe") {
            // SHA-256(0x01 || left || right) of the buffer; the precompile only fails when out of gas.
            function hashChildren(preimage) -> nodeHash {
                if iszero(staticcall(gas(), 0x02, preimage, 0x41, 0x00, 0x20)) {
                    revert(0x00, 0x00)
                }
                nodeHash := mload(0x00)
            }

            // The buffer lies past the free memory pointer: temporary memory nobody else owns.
            let preimage := mload(0x40)
            mstore8(preimage, 0x01)
            for {
                let c := path.offset
                let end := add(c, shl(5, path.length))
            } lt(c, end) {
                c := add(c, 0x20)
            } {
                if iszero(sn) {
                    sn := 1
                    break
                }
                switch or(and(fn, 1), eq(fn, sn))
                case 0 {
                    mstore(add(preimage, 0x01), sr)
                    mstore(add(preimage, 0x21), calldataload(c))
                    sr := hashChildren(preimage)
                }
                default {
                    mstore(add(preimage, 0x01), calldataload(c))
                    if withFirst {
                        mstore(add(preimage, 0x21), fr)
                        fr := hashChildren(preimage)
                    }
                    mstore(add(preimage, 0x21), sr)
                    sr := hashChildren(preimage)
                    for {} and(iszero(and(fn, 1)), iszero(iszero(fn))) {} {
                        fn := shr(1, fn)
                        sn := shr(1, sn)
                    }
                }
                fn := shr(1, fn)
                sn := shr(1, sn)
            }
        }
        return (sn, fr, sr);
    }
}
