"""The SQL log store on PostgreSQL answers exactly as on SQLite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger.errors import ConcurrentAppendError, DuplicateEntryError
from ledger.hasher import hash_leaf
from ledger.log import MerkleLog
from ledger.log_store import SqlLogStore
from ledger.memory_store import MemoryLogStore
from ledger.verify import verify_consistency, verify_inclusion
from tests import postgres_server

pytestmark = pytest.mark.skipif(not postgres_server.available(), reason="PostgreSQL server binaries not installed")


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with postgres_server.postgres_server() as url:
        yield url


def test_given_postgres_when_appending_and_proving_then_answers_equal_the_in_memory_log(postgres_url: str) -> None:
    sql_log = MerkleLog(SqlLogStore.from_url(postgres_url), "pg/agree")
    memory_log = MerkleLog(MemoryLogStore(), "pg/agree")
    entries = [b"record-%d" % i for i in range(700)]
    for start, end in ((0, 3), (3, 300), (300, 700)):
        assert sql_log.append(entries[start:end], keys=[f"k{i}" for i in range(start, end)]) == memory_log.append(
            entries[start:end]
        )
    head = sql_log.tree_head()
    for leaf_index in (0, 299, 699):
        proof = sql_log.inclusion_proof(leaf_index, head.tree_size)
        verify_inclusion(hash_leaf(entries[leaf_index]), leaf_index, head.tree_size, proof, head.root_hash)
    old = sql_log.tree_head(256)
    verify_consistency(256, head.tree_size, old.root_hash, head.root_hash, sql_log.consistency_proof(256, head.tree_size))
    assert sql_log.inclusion_proof_by_hash(hash_leaf(entries[512]), head.tree_size)[0] == 512
    assert sql_log.entries(250, 260) == entries[250:260]


def test_given_postgres_when_a_key_repeats_or_the_size_is_stale_then_nothing_is_written(postgres_url: str) -> None:
    log = MerkleLog(SqlLogStore.from_url(postgres_url), "pg/guards")
    head = log.append([b"a"], keys=["only-once"])
    with pytest.raises(DuplicateEntryError):
        log.append([b"b"], keys=["only-once"])
    with pytest.raises(ConcurrentAppendError):
        log.append([b"b"], expected_size=0)
    assert log.tree_head() == head
