// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.37;

/**
 * @dev Merkle tree proofs of RFC 9162 (Certificate Transparency 2.0) over SHA-256, verified on chain.
 *
 * A leaf hash is SHA-256(0x00 || entry) and an interior node SHA-256(0x01 || left || right); the left subtree of
 * a tree of `n` leaves holds the largest power of two smaller than `n`.
 *
 * {verifyInclusion} (RFC 9162 §2.1.3.2) and {verifyConsistency} (§2.1.4.2) accept exactly the proofs the RFC's
 * algorithms accept, with the RFC's variable names (`fn`, `sn`, `fr`, `sr`). The RFC's loop walks up from node
 * `fn` beside `sn`, the last node of the tree at the same level, and per proof element decides whether the
 * element is a left or a right sibling and whether the proof has ended (`sn` is 0). Both depend on `fn` and `sn`
 * alone, so they are worked out once, before any hashing ({_shape}), and the hashing loop ({_chain}) only reads
 * one bit per element: that loop runs once per proof element on every anchor.
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
        // 2. "Set fn to leaf_index and sn to tree_size - 1." (treeSize > leafIndex >= 0, so it does not wrap.)
        // 4. "If sn is 0, then stop the iteration and fail" and 5. "Compare sn to 0": the proof must have exactly
        //    the length {_shape} gives.
        uint256 sn;
        unchecked {
            sn = treeSize - 1;
        }
        (uint256 length, uint256 leftSiblings) = _shape(leafIndex, sn);
        if (proof.length != length) return false;
        // 3. "Set r to hash."  4. "Set r to HASH(0x01 || p || r)" for a left sibling p, "HASH(0x01 || r || p)" for
        //    a right one.  5. "Compare r against the root_hash."
        (, bytes32 r) = _chain(leftSiblings, leafHash, leafHash, proof, 0, false);
        return r == rootHash;
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
        // 0 < oldSize < newSize from here on: no subtraction below wraps and no sum overflows.
        unchecked {
            // 3. "Set fn to first - 1 and sn to second - 1."  4. "If LSB(fn) is set, then right-shift both fn and
            //    sn equally until LSB(fn) is not set."
            uint256 fn = oldSize - 1;
            uint256 sn = newSize - 1;
            while (fn & 1 == 1) {
                fn >>= 1;
                sn >>= 1;
            }
            // 2. "If first is an exact power of 2, then prepend first_hash to the consistency_path array." It is
            //    one exactly when fn is now 0. Done without copying: the old root seeds the walk instead of the
            //    proof's first element.  1. "If consistency_path is an empty array, stop and fail": as fn < sn,
            //    {_shape} never gives a length of 0, so the length check covers this step.
            uint256 seeds = fn == 0 ? 0 : 1;
            (uint256 length, uint256 leftSiblings) = _shape(fn, sn);
            if (proof.length != seeds + length) return false;
            // 5. "Set both fr and sr to the first value in the consistency_path array."
            bytes32 first = seeds == 0 ? oldRoot : proof[0];
            // 6. "For each subsequent value c in the consistency_path array: ..."
            (bytes32 fr, bytes32 sr) = _chain(leftSiblings, first, first, proof, seeds, true);
            // 7. "Verify that the fr calculated is equal to the first_hash supplied, that the sr calculated is
            //    equal to the second_hash supplied, and that sn is 0." (sn is 0 by the length check.)
            return fr == oldRoot && sr == newRoot;
        }
    }

    /**
     * @dev The proof's shape for the RFC's walk from `fn` beside `sn` (`fn <= sn`, `fn` below the largest
     * uint256): its `length`, the number of elements the walk takes before `sn` reaches 0, and `leftSiblings`,
     * whose bit `i` is set if element `i` is a left sibling ("If LSB(fn) is set, or if fn is equal to sn").
     *
     * Below the level where the paths of `fn` and `sn` meet, the bit length of `fn ^ sn` levels up, the walk
     * takes one element per level: a left sibling where `fn`'s bit is set, a right one where it is clear. From
     * there on `fn == sn`, and the walk takes one element per set bit of what is left of `fn` (it shifts past
     * clear bits without taking one), each a left sibling: the bits of `leftSiblings` above the meeting level are
     * all set.
     */
    function _shape(uint256 fn, uint256 sn) private pure returns (uint256 length, uint256 leftSiblings) {
        assembly ("memory-safe") {
            // The bit length of fn ^ sn by binary search: each step keeps the upper half of the window if it is not
            // zero, adding the half's width to `levelsApart`. Shifts by 256 give 0, which is what is wanted here.
            let apart := xor(fn, sn)
            let levelsApart := shl(7, gt(apart, 0xffffffffffffffffffffffffffffffff))
            levelsApart := or(levelsApart, shl(6, gt(shr(levelsApart, apart), 0xffffffffffffffff)))
            levelsApart := or(levelsApart, shl(5, gt(shr(levelsApart, apart), 0xffffffff)))
            levelsApart := or(levelsApart, shl(4, gt(shr(levelsApart, apart), 0xffff)))
            levelsApart := or(levelsApart, shl(3, gt(shr(levelsApart, apart), 0xff)))
            levelsApart := or(levelsApart, shl(2, gt(shr(levelsApart, apart), 0xf)))
            levelsApart := or(levelsApart, shl(1, gt(shr(levelsApart, apart), 0x3)))
            levelsApart := add(or(levelsApart, gt(shr(levelsApart, apart), 0x1)), iszero(iszero(apart)))

            // The number of set bits of fn above the meeting level, summed in parallel over ever wider fields of 2,
            // 4 then 8 bits (m1, m2, m4 mask alternate fields of 1, 2 and 4 bits); multiplying by 0x0101...01 then
            // adds the 32 byte counts up in the top byte. The sum fits in it (at most 255): fn is not all ones.
            let m1 := 0x5555555555555555555555555555555555555555555555555555555555555555
            let m2 := 0x3333333333333333333333333333333333333333333333333333333333333333
            let m4 := 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f
            let bits := shr(levelsApart, fn)
            bits := sub(bits, and(shr(1, bits), m1))
            bits := add(and(bits, m2), and(shr(2, bits), m2))
            bits := and(add(bits, shr(4, bits)), m4)
            let byteOnes := 0x0101010101010101010101010101010101010101010101010101010101010101
            let leftSiblingsAbove := byte(0, mul(bits, byteOnes))

            length := add(levelsApart, leftSiblingsAbove)
            leftSiblings := or(fn, shl(levelsApart, not(0)))
        }
    }

    /**
     * @dev Hashes up the tree along `path` from element `start` on, from `fr` and `sr` (the RFC's `r` for an
     * inclusion proof), and returns them. Element `start + i` is a left sibling if bit `i` of `leftSiblings` is
     * set: then "set fr to HASH(0x01 || c || fr)" (only if `withFirst`) and "set sr to HASH(0x01 || c || sr)";
     * otherwise "set sr to HASH(0x01 || sr || c)".
     *
     * Written in assembly as it runs once per proof element on every anchor: it reads the path straight from
     * calldata and hashes through the SHA-256 precompile (address 0x02) from one buffer whose prefix byte stays
     * 0x01, so each step writes only the children that changed.
     */
    function _chain(
        uint256 leftSiblings,
        bytes32 fr,
        bytes32 sr,
        bytes32[] calldata path,
        uint256 start,
        bool withFirst
    ) private view returns (bytes32, bytes32) {
        assembly ("memory-safe") {
            // Temporary memory past the free memory pointer, which nothing else uses while this runs:
            //   buffer + 0x1f        the 0x01 prefix (the low byte of the first word)
            //   buffer + 0x20..0x3f  left child; also where each new sr is written, so sr lives there
            //   buffer + 0x40..0x5f  right child
            //   buffer + 0x60..0x7f  each new fr
            let buffer := mload(0x40)
            mstore(buffer, 0x01)
            let preimage := add(buffer, 0x1f)
            let left := add(buffer, 0x20)
            let right := add(buffer, 0x40)
            let newFr := add(buffer, 0x60)
            mstore(left, sr)
            // The precompile fails only when out of gas. It gets all but 1/64 of the gas left, so if that is not
            // enough for its 96 gas, at most 1 gas is left here and the next instruction runs out of gas too: a
            // failed call never goes unnoticed, and its status need not be checked.
            for {
                let c := add(path.offset, shl(5, start))
                let end := add(path.offset, shl(5, path.length))
            } lt(c, end) {
                c := add(c, 0x20)
            } {
                switch and(leftSiblings, 1)
                case 0 {
                    // sr is already the left child.
                    mstore(right, calldataload(c))
                }
                default {
                    let srChild := mload(left)
                    mstore(left, calldataload(c))
                    if withFirst {
                        mstore(right, fr)
                        pop(staticcall(gas(), 0x02, preimage, 0x41, newFr, 0x20))
                        fr := mload(newFr)
                    }
                    mstore(right, srChild)
                }
                pop(staticcall(gas(), 0x02, preimage, 0x41, left, 0x20))
                leftSiblings := shr(1, leftSiblings)
            }
            sr := mload(left)
        }
        return (fr, sr);
    }
}
