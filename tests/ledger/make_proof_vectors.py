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
    name = f"inclusion_{leaf_index}_of_{tree_size}"
    cases = [dict(base, desc=f"{name}: valid", want_err=None)]

    def case(desc: str, **changes: Any) -> None:
        mutated = dict(base, **changes)
        length = _inclusion_length(mutated["leaf_index"], mutated["tree_size"])
        shape_ok = length == len(mutated["proof"]) and all(len(e) == 64 for e in mutated["proof"])
        cases.append(dict(mutated, desc=f"{name}: {desc}", want_err="RootMismatchError" if shape_ok else "ProofShapeError"))

    for position, element in enumerate(good):
        for bit in (0, 255):
            flipped = list(base["proof"])
            flipped[position] = _flip(element, bit).hex()
            case(f"bit {bit} of element {position} flipped", proof=flipped)
    case("leaf hash bit flipped", leaf_hash=_flip(bytes.fromhex(base["leaf_hash"]), 7).hex())
    case("root bit flipped", root=_flip(bytes.fromhex(base["root"]), 100).hex())
    for delta in (-1, 1):
        case(f"index {delta:+d}", leaf_index=leaf_index + delta)
        neighbour = tree_size + delta
        if 0 <= neighbour <= len(LEAVES):
            case(f"checked against the tree head of size {delta:+d}", tree_size=neighbour, root=mth(LEAVES[:neighbour]).hex())
    if good:
        case("truncated by one element", proof=base["proof"][:-1])
        case("element 0 is 31 bytes", proof=[base["proof"][0][:-2]] + base["proof"][1:])
        case("element 0 is 33 bytes", proof=[base["proof"][0] + "00"] + base["proof"][1:])
    case("padded with a zero hash", proof=base["proof"] + ["00" * 32])
    case("padded with the root", proof=base["proof"] + [base["root"]])
    return [c for c in cases if c["leaf_index"] >= 0]


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
    name = f"consistency_{old_size}_to_{new_size}"
    cases = [dict(base, desc=f"{name}: valid", want_err=None)]

    def case(desc: str, **changes: Any) -> None:
        mutated = dict(base, **changes)
        length = _consistency_length(mutated["old_size"], mutated["new_size"])
        shape_ok = length == len(mutated["proof"]) and all(len(e) == 64 for e in mutated["proof"])
        cases.append(dict(mutated, desc=f"{name}: {desc}", want_err="RootMismatchError" if shape_ok else "ProofShapeError"))

    for position, element in enumerate(good):
        for bit in (0, 255):
            flipped = list(base["proof"])
            flipped[position] = _flip(element, bit).hex()
            case(f"bit {bit} of element {position} flipped", proof=flipped)
    case("roots swapped", old_root=base["new_root"], new_root=base["old_root"])
    case("old root bit flipped", old_root=_flip(bytes.fromhex(base["old_root"]), 3).hex())
    case("new root bit flipped", new_root=_flip(bytes.fromhex(base["new_root"]), 3).hex())
    for delta in (-1, 1):
        for which, size in (("old", old_size + delta), ("new", new_size + delta)):
            if 0 <= size <= len(LEAVES):
                case(f"checked against the {which} tree head of size {delta:+d}", **{f"{which}_size": size, f"{which}_root": mth(LEAVES[:size]).hex()})
    case("truncated by one element", proof=base["proof"][:-1])
    case("element 0 is 31 bytes", proof=[base["proof"][0][:-2]] + base["proof"][1:])
    case("element 0 is 33 bytes", proof=[base["proof"][0] + "00"] + base["proof"][1:])
    case("padded with a zero hash", proof=base["proof"] + ["00" * 32])
    case("empty", proof=[])
    return cases


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
