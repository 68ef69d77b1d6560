"""The log reads its state once for a tree head and answers entries and proofs within that tree without rereading it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ledger.errors import TreeSizeError
from ledger.log import MerkleLog
from tests.ledger.counting_store import CountingStore
from tests.ledger.reference_merkle import mth, path, proof


def leaves_of(size: int) -> list[bytes]:
    return [b"entry-%d" % i for i in range(size)]


def test_given_a_tree_head_when_reading_entries_and_proofs_within_it_then_the_state_is_read_only_for_the_head() -> None:
    store = CountingStore()
    leaves = leaves_of(300)
    MerkleLog(store, "seen").append(leaves)
    reader = MerkleLog(store, "seen")
    store.state_reads = 0
    head = reader.tree_head()
    assert reader.entries(7, 9) == leaves[7:9]
    assert reader.inclusion_proof(7, head.tree_size) == path(7, leaves)
    assert reader.consistency_proof(100, head.tree_size) == proof(100, leaves)
    assert reader.tree_head(head.tree_size) == head
    assert reader.tree_head(100).root_hash == mth(leaves[:100])
    assert store.state_reads == 1


def test_given_another_writer_grew_the_log_when_asking_for_the_larger_tree_then_the_reader_rereads_and_answers() -> None:
    store = CountingStore()
    leaves = leaves_of(20)
    writer = MerkleLog(store, "grown")
    writer.append(leaves[:10])
    reader = MerkleLog(store, "grown")
    assert reader.tree_head().tree_size == 10
    writer.append(leaves[10:])
    assert reader.inclusion_proof(15, 20) == path(15, leaves)
    assert reader.entries(10, 20) == leaves[10:]
    assert reader.tree_head(20).root_hash == mth(leaves)
    store.state_reads = 0
    assert reader.consistency_proof(3, 20) == proof(3, leaves)
    assert store.state_reads == 0


@pytest.mark.parametrize(
    "request_beyond",
    [
        lambda log: log.tree_head(21),
        lambda log: log.inclusion_proof(0, 21),
        lambda log: log.consistency_proof(1, 21),
        lambda log: log.entries(0, 21),
    ],
)
def test_given_a_size_beyond_the_largest_seen_when_requested_then_the_state_is_reread_before_the_request_fails(
    request_beyond: Callable[[MerkleLog], object],
) -> None:
    store = CountingStore()
    log = MerkleLog(store, "bounds")
    log.append(leaves_of(20))
    store.state_reads = 0
    with pytest.raises(TreeSizeError, match="20 entries"):
        request_beyond(log)
    assert store.state_reads >= 1
