"""Every mutation of a valid proof is rejected with the right typed error; the valid proofs pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ledger import errors
from ledger.verify import verify_consistency, verify_inclusion

VECTORS = sorted((Path(__file__).parent.parent / "data" / "log" / "vectors").glob("*.json"))


def run(case: dict[str, Any]) -> None:
    proof = [bytes.fromhex(element) for element in case["proof"]]
    if case["kind"] == "inclusion":
        verify_inclusion(
            bytes.fromhex(case["leaf_hash"]), case["leaf_index"], case["tree_size"], proof, bytes.fromhex(case["root"])
        )
    else:
        verify_consistency(
            case["old_size"],
            case["new_size"],
            bytes.fromhex(case["old_root"]),
            bytes.fromhex(case["new_root"]),
            proof,
        )


def test_the_vector_set_covers_both_proof_kinds_and_both_errors() -> None:
    cases = [json.loads(path.read_text()) for path in VECTORS]
    assert {case["kind"] for case in cases} == {"inclusion", "consistency"}
    assert {case["want_err"] for case in cases} == {None, "ProofShapeError", "RootMismatchError"}
    assert len(cases) >= 150


@pytest.mark.parametrize("vector", VECTORS, ids=[path.stem for path in VECTORS])
def test_given_a_vector_when_verifying_then_the_outcome_is_the_one_it_wants(vector: Path) -> None:
    case = json.loads(vector.read_text())
    if case["want_err"] is None:
        run(case)
        return
    with pytest.raises(getattr(errors, case["want_err"])) as raised:
        run(case)
    assert isinstance(raised.value, errors.ProofError)
    if isinstance(raised.value, errors.RootMismatchError):
        assert raised.value.expected_root != raised.value.computed_root


def test_given_a_root_mismatch_then_the_error_carries_both_roots_and_the_tree_size() -> None:
    case = json.loads(next(p for p in VECTORS if "inclusion_5_of_8-root-bit-flipped" in p.name).read_text())
    with pytest.raises(errors.RootMismatchError) as raised:
        run(case)
    assert raised.value.tree_size == 8
    assert raised.value.expected_root.hex() == case["root"]
    assert len(raised.value.computed_root) == 32


def test_given_a_proof_element_that_is_not_bytes_then_a_shape_error_is_raised() -> None:
    with pytest.raises(errors.ProofShapeError):
        verify_inclusion(b"\x00" * 32, 0, 2, ["00" * 32], b"\x00" * 32)  # type: ignore[list-item]
