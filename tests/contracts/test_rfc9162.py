"""The RFC9162 library on chain agrees with the Python log and verifier: every proof the log makes verifies,
every proof or hash that was tampered with is rejected, and a proof checked against other sizes or indices gets
the same verdict on chain as in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import brownie
import pytest
from brownie.test import given
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from ledger.errors import ProofError
from ledger.hasher import hash_leaf
from ledger.log import MerkleLog
from ledger.memory_store import MemoryLogStore
from ledger.verify import verify_consistency, verify_inclusion

SMALL_SIZES = range(1, 33)
LARGE_LOG_SIZE = 3000
PROPERTY_SETTINGS = settings(
    max_examples=30, derandomize=True, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def rfc9162(admin: Any) -> Any:
    return brownie.RFC9162Mock.deploy({"from": admin})


@cache
def log_of(size: int) -> MerkleLog:
    """A log holding `size` distinct entries; its heads and proofs at every smaller size come from the same log."""
    log = MerkleLog(MemoryLogStore(), "carbonledger/rfc9162-test")
    log.append([f"entry {index}".encode() for index in range(size)])
    return log


def leaf_hash_at(log: MerkleLog, leaf_index: int) -> bytes:
    return hash_leaf(log.entries(leaf_index, leaf_index + 1)[0])


def root_at(log: MerkleLog, tree_size: int) -> bytes:
    return log.tree_head(tree_size).root_hash


def python_accepts(check: Callable[..., None], *args: Any) -> bool:
    try:
        check(*args)
    except ProofError:
        return False
    return True


def flip_bit(value: bytes, bit: int) -> bytes:
    """`value` with one bit inverted; `bit` counts from the most significant bit of the first byte."""
    flipped = bytearray(value)
    flipped[bit // 8 % len(value)] ^= 0x80 >> (bit % 8)
    return bytes(flipped)


def tampered_proofs(proof: list[bytes]) -> Iterator[tuple[str, list[bytes]]]:
    """Every way of breaking a proof that must make it fail whatever the sizes: a bit flipped in each element
    (a different bit each time), an element dropped from either end, an extra element at either end."""
    for position, element in enumerate(proof):
        yield (
            f"flip bit in element {position}",
            proof[:position] + [flip_bit(element, 37 * position + 5)] + proof[position + 1 :],
        )
    if proof:
        yield "drop first", proof[1:]
        yield "drop last", proof[:-1]
    yield "prepend extra", [b"\x42" * 32] + proof
    yield "append extra", proof + [b"\x42" * 32]


def sampled_indices(tree_size: int) -> list[int]:
    return sorted({0, tree_size // 2, tree_size - 1})


def assert_inclusion_agrees(rfc9162: Any, log: MerkleLog, leaf_index: int, tree_size: int) -> None:
    """The honest proof verifies on chain and in Python; each tampered proof, leaf or root fails in both; the
    same proof for a neighbouring index or size gets the same verdict in both."""
    proof = log.inclusion_proof(leaf_index, tree_size)
    leaf_hash = leaf_hash_at(log, leaf_index)
    root_hash = root_at(log, tree_size)
    assert rfc9162.verifyInclusion(leaf_index, tree_size, leaf_hash, proof, root_hash)
    for description, tampered in tampered_proofs(proof):
        assert not rfc9162.verifyInclusion(leaf_index, tree_size, leaf_hash, tampered, root_hash), description
        assert not python_accepts(verify_inclusion, leaf_hash, leaf_index, tree_size, tampered, root_hash)
    assert not rfc9162.verifyInclusion(leaf_index, tree_size, flip_bit(leaf_hash, 0), proof, root_hash)
    assert not rfc9162.verifyInclusion(leaf_index, tree_size, leaf_hash, proof, flip_bit(root_hash, 255))
    for other_index, other_size in [
        (leaf_index + 1, tree_size),
        (leaf_index - 1, tree_size),
        (leaf_index, tree_size + 1),
        (leaf_index, tree_size - 1),
    ]:
        if other_index < 0 or other_size < 0:
            continue
        on_chain = rfc9162.verifyInclusion(other_index, other_size, leaf_hash, proof, root_hash)
        assert on_chain == python_accepts(verify_inclusion, leaf_hash, other_index, other_size, proof, root_hash), (
            other_index,
            other_size,
        )


def assert_consistency_agrees(rfc9162: Any, log: MerkleLog, old_size: int, new_size: int) -> None:
    """As for inclusion: honest proofs verify, tampered proofs or swapped roots fail, neighbours agree."""
    proof = log.consistency_proof(old_size, new_size)
    old_root, new_root = root_at(log, old_size), root_at(log, new_size)
    assert rfc9162.verifyConsistency(old_size, new_size, old_root, new_root, proof)
    if old_size == new_size:
        return
    for description, tampered in tampered_proofs(proof):
        assert not rfc9162.verifyConsistency(old_size, new_size, old_root, new_root, tampered), description
        assert not python_accepts(verify_consistency, old_size, new_size, old_root, new_root, tampered)
    assert not rfc9162.verifyConsistency(old_size, new_size, new_root, old_root, proof)
    assert not rfc9162.verifyConsistency(old_size, new_size, flip_bit(old_root, 9), new_root, proof)
    assert not rfc9162.verifyConsistency(old_size, new_size, old_root, flip_bit(new_root, 200), proof)
    for other_old, other_new in [
        (old_size + 1, new_size),
        (old_size - 1, new_size),
        (old_size, new_size + 1),
        (old_size, new_size - 1),
    ]:
        on_chain = rfc9162.verifyConsistency(other_old, other_new, old_root, new_root, proof)
        python = python_accepts(verify_consistency, other_old, other_new, old_root, new_root, proof)
        assert on_chain == python, (other_old, other_new)


def test_given_every_size_1_to_32_when_each_leaf_is_proven_then_the_proof_verifies_on_chain(rfc9162: Any) -> None:
    log = log_of(max(SMALL_SIZES))
    for tree_size in SMALL_SIZES:
        root_hash = root_at(log, tree_size)
        for leaf_index in range(tree_size):
            proof = log.inclusion_proof(leaf_index, tree_size)
            assert rfc9162.verifyInclusion(leaf_index, tree_size, leaf_hash_at(log, leaf_index), proof, root_hash), (
                leaf_index,
                tree_size,
            )


def test_given_every_pair_of_sizes_up_to_32_when_consistency_is_proven_then_it_verifies_on_chain(
    rfc9162: Any,
) -> None:
    log = log_of(max(SMALL_SIZES))
    for new_size in SMALL_SIZES:
        for old_size in range(1, new_size + 1):
            proof = log.consistency_proof(old_size, new_size)
            assert rfc9162.verifyConsistency(
                old_size, new_size, root_at(log, old_size), root_at(log, new_size), proof
            ), (old_size, new_size)


def test_given_every_size_1_to_32_when_inclusion_proofs_are_tampered_then_chain_and_python_reject_alike(
    rfc9162: Any,
) -> None:
    log = log_of(max(SMALL_SIZES) + 1)
    for tree_size in SMALL_SIZES:
        for leaf_index in sampled_indices(tree_size):
            assert_inclusion_agrees(rfc9162, log, leaf_index, tree_size)


def test_given_every_size_2_to_32_when_consistency_proofs_are_tampered_then_chain_and_python_reject_alike(
    rfc9162: Any,
) -> None:
    log = log_of(max(SMALL_SIZES) + 1)
    for new_size in range(2, max(SMALL_SIZES) + 1):
        for old_size in sorted({1, new_size // 2, new_size - 1}):
            assert_consistency_agrees(rfc9162, log, old_size, new_size)


def test_given_size_zero_or_a_shrinking_tree_when_consistency_is_checked_then_it_fails(rfc9162: Any) -> None:
    log = log_of(8)
    assert not rfc9162.verifyConsistency(0, 8, root_at(log, 8), root_at(log, 8), [])
    assert not rfc9162.verifyConsistency(8, 4, root_at(log, 8), root_at(log, 4), log.consistency_proof(4, 8))
    assert not rfc9162.verifyConsistency(8, 8, root_at(log, 8), root_at(log, 8), [root_at(log, 8)])


def test_given_an_index_past_the_tree_when_inclusion_is_checked_then_it_fails(rfc9162: Any) -> None:
    log = log_of(8)
    proof = log.inclusion_proof(7, 8)
    assert not rfc9162.verifyInclusion(8, 8, leaf_hash_at(log, 7), proof, root_at(log, 8))


@given(data=st.data())
@PROPERTY_SETTINGS
def test_given_random_large_trees_when_inclusion_is_proven_or_tampered_then_chain_agrees_with_python(
    rfc9162: Any, data: st.DataObject
) -> None:
    tree_size = data.draw(st.integers(1, LARGE_LOG_SIZE), label="tree_size")
    leaf_index = data.draw(st.integers(0, tree_size - 1), label="leaf_index")
    assert_inclusion_agrees(rfc9162, log_of(LARGE_LOG_SIZE + 1), leaf_index, tree_size)


@given(data=st.data())
@PROPERTY_SETTINGS
def test_given_random_large_trees_when_consistency_is_proven_or_tampered_then_chain_agrees_with_python(
    rfc9162: Any, data: st.DataObject
) -> None:
    new_size = data.draw(st.integers(2, LARGE_LOG_SIZE), label="new_size")
    old_size = data.draw(st.integers(1, new_size - 1), label="old_size")
    assert_consistency_agrees(rfc9162, log_of(LARGE_LOG_SIZE + 1), old_size, new_size)
