"""Writes the proof mutation vectors in tests/data/log/vectors/: one JSON case per file.

Each case starts from a valid proof of the naive reference (tests/ledger/reference_merkle.py) and mutates one
thing. The expected error follows from the mutation alone: a proof whose length no longer fits its (index,
size) or (old, new) sizes, or whose elements are not 32 bytes, is a shape error; any other change is a root
mismatch.

A size mutation comes with the root of that size: a proof presented against a neighbouring tree head. (A size
changed alone, with the root of the original size, can leave the proof's shape unchanged and so verify: RFC 9162
binds a size to its root only through the signed tree head, which the verifier is given whole.)

Run: python -m tests.ledger.make_proof_vectors
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from collections.abc import Callable
from typing import Any

from tests.ledger.reference_merkle import mth, path, proof

OUT = Path(__file__).parent.parent / "data" / "log" / "vectors"
LEAVES = [b"leaf-%d" % i for i in range(16)]


def _flip(element: bytes, bit: int) -> bytes:
    changed = bytearray(element)
    changed[bit // 8] ^= 1 << (bit % 8)
    return bytes(changed)


def _inclusion_length(leaf_index: int, tree_size: int) -> int | None:
    return len(path(leaf_index, LEAVES[:tree_size])) if 0 <= leaf_index < tree_size <= len(LEAVES) else None


def _consistency_length(old_size: int, new_size: int) -> int | None:
    if not 0 <= old_size <= new_size <= len(LEAVES):
        return None
    return len(proof(old_size, LEAVES[:new_size]))


class _Cases:
    """Collects a valid case and its mutations; a mutation's expected error follows from its shape."""

    def __init__(self, name: str, base: dict[str, Any], expected_length: Callable[[dict[str, Any]], int | None]):
        self.name, self.base, self.expected_length = name, base, expected_length
        self.cases = [dict(base, desc=f"{name}: valid", want_err=None)]

    def add(self, desc: str, **changes: Any) -> None:
        mutated = dict(self.base, **changes)
        shape_ok = self.expected_length(mutated) == len(mutated["proof"]) and all(
            len(element) == 64 for element in mutated["proof"]
        )
        error = "RootMismatchError" if shape_ok else "ProofShapeError"
        self.cases.append(dict(mutated, desc=f"{self.name}: {desc}", want_err=error))

    def add_element_mutations(self) -> None:
        """Bit flips in every element, a truncated proof, wrong-sized elements and padding."""
        good = self.base["proof"]
        for position, element in enumerate(good):
            for bit in (0, 255):
                flipped = list(good)
                flipped[position] = _flip(bytes.fromhex(element), bit).hex()
                self.add(f"bit {bit} of element {position} flipped", proof=flipped)
        if good:
            self.add("truncated by one element", proof=good[:-1])
            self.add("element 0 is 31 bytes", proof=[good[0][:-2]] + good[1:])
            self.add("element 0 is 33 bytes", proof=[good[0] + "00"] + good[1:])
        self.add("padded with a zero hash", proof=good + ["00" * 32])


def inclusion_cases(leaf_index: int, tree_size: int) -> list[dict[str, Any]]:
    good = path(leaf_index, LEAVES[:tree_size])
    base = {
        "kind": "inclusion",
        "leaf_hash": mth([LEAVES[leaf_index]]).hex(),
        "leaf_index": leaf_index,
        "tree_size": tree_size,
        "root": mth(LEAVES[:tree_size]).hex(),
        "proof": [element.hex() for element in good],
    }
    cases = _Cases(
        f"inclusion_{leaf_index}_of_{tree_size}",
        base,
        lambda case: _inclusion_length(case["leaf_index"], case["tree_size"]),
    )
    cases.add_element_mutations()
    cases.add("leaf hash bit flipped", leaf_hash=_flip(bytes.fromhex(base["leaf_hash"]), 7).hex())
    cases.add("root bit flipped", root=_flip(bytes.fromhex(base["root"]), 100).hex())
    cases.add("padded with the root", proof=base["proof"] + [base["root"]])
    for delta in (-1, 1):
        cases.add(f"index {delta:+d}", leaf_index=leaf_index + delta)
        neighbour = tree_size + delta
        if 0 <= neighbour <= len(LEAVES):
            cases.add(
                f"checked against the tree head of size {delta:+d}",
                tree_size=neighbour,
                root=mth(LEAVES[:neighbour]).hex(),
            )
    return [case for case in cases.cases if case["leaf_index"] >= 0]


def consistency_cases(old_size: int, new_size: int) -> list[dict[str, Any]]:
    good = proof(old_size, LEAVES[:new_size])
    base = {
        "kind": "consistency",
        "old_size": old_size,
        "new_size": new_size,
        "old_root": mth(LEAVES[:old_size]).hex(),
        "new_root": mth(LEAVES[:new_size]).hex(),
        "proof": [element.hex() for element in good],
    }
    cases = _Cases(
        f"consistency_{old_size}_to_{new_size}",
        base,
        lambda case: _consistency_length(case["old_size"], case["new_size"]),
    )
    cases.add_element_mutations()
    cases.add("roots swapped", old_root=base["new_root"], new_root=base["old_root"])
    cases.add("old root bit flipped", old_root=_flip(bytes.fromhex(base["old_root"]), 3).hex())
    cases.add("new root bit flipped", new_root=_flip(bytes.fromhex(base["new_root"]), 3).hex())
    cases.add("empty", proof=[])
    for delta in (-1, 1):
        for which, size in (("old", old_size + delta), ("new", new_size + delta)):
            if 0 <= size <= len(LEAVES):
                cases.add(
                    f"checked against the {which} tree head of size {delta:+d}",
                    **{f"{which}_size": size, f"{which}_root": mth(LEAVES[:size]).hex()},
                )
    return cases.cases


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    cases = []
    for leaf_index, tree_size in ((0, 1), (3, 7), (0, 8), (5, 8), (6, 7), (12, 13)):
        cases += inclusion_cases(leaf_index, tree_size)
    for old_size, new_size in ((1, 2), (3, 7), (4, 8), (6, 13), (7, 8)):
        cases += consistency_cases(old_size, new_size)
    for number, case in enumerate(cases):
        slug = case["desc"].replace(": ", "-").replace(" ", "-").replace("+", "plus")
        (OUT / f"{number:03d}-{slug}.json").write_text(json.dumps(case, indent=2) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
