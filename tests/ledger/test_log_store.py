"""The SQL log store: same answers as the in-memory store, atomic appends, keys, lookups, crash safety."""

from __future__ import annotations

import random
import sqlite3
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import event

from ledger.errors import ConcurrentAppendError, DuplicateEntryError, EntryNotFoundError, TreeSizeError
from ledger.bundles import decode_bundle
from ledger.hasher import hash_leaf
from ledger.log import MerkleLog
from ledger.log_store import SqlLogStore
from ledger.memory_store import MemoryLogStore
from ledger.tiles import TileKey
from ledger.verify import verify_consistency, verify_inclusion
from tests.ledger.reference_merkle import mth

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sql_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


def test_given_the_same_appends_when_stored_in_sql_and_memory_then_heads_proofs_and_entries_agree(sql_url: str) -> None:
    sql_log = MerkleLog(SqlLogStore.from_url(sql_url), "agree")
    memory_log = MerkleLog(MemoryLogStore(), "agree")
    entries = [b"record-%d" % i for i in range(1300)]
    for start, end in ((0, 1), (1, 255), (255, 600), (600, 1300)):
        assert sql_log.append(entries[start:end]) == memory_log.append(entries[start:end])
    for tree_size in (1, 256, 257, 1000, 1300):
        assert sql_log.tree_head(tree_size) == memory_log.tree_head(tree_size)
        assert sql_log.inclusion_proof(tree_size // 2, tree_size) == memory_log.inclusion_proof(tree_size // 2, tree_size)
        assert sql_log.consistency_proof(tree_size // 3, tree_size) == memory_log.consistency_proof(tree_size // 3, tree_size)
    assert sql_log.entries(250, 700) == entries[250:700]
    assert sql_log.entries(5, 5) == []


def test_given_a_reopened_database_when_reading_then_the_log_is_as_it_was_left(sql_url: str) -> None:
    head = MerkleLog(SqlLogStore.from_url(sql_url), "reopen").append([b"a", b"b", b"c"])
    reopened = MerkleLog(SqlLogStore.from_url(sql_url), "reopen")
    assert reopened.tree_head() == head
    assert reopened.entries(0, 3) == [b"a", b"b", b"c"]


def test_given_two_origins_in_one_database_then_their_logs_are_independent(sql_url: str) -> None:
    store = SqlLogStore.from_url(sql_url)
    east, west = MerkleLog(store, "region/east"), MerkleLog(store, "region/west")
    east.append([b"e1", b"e2"])
    west.append([b"w1"])
    assert east.tree_head().root_hash == mth([b"e1", b"e2"])
    assert west.tree_head().root_hash == mth([b"w1"])


def test_given_a_leaf_hash_when_asking_for_its_proof_then_the_first_matching_index_and_a_valid_proof_come_back(
    sql_url: str,
) -> None:
    log = MerkleLog(SqlLogStore.from_url(sql_url), "by-hash")
    entries = [b"entry-%d" % (i % 700) for i in range(1000)]  # entries 700.. repeat 0..
    head = log.append(entries)
    leaf_index, proof = log.inclusion_proof_by_hash(hash_leaf(b"entry-42"), head.tree_size)
    assert leaf_index == 42
    verify_inclusion(hash_leaf(b"entry-42"), leaf_index, head.tree_size, proof, head.root_hash)
    assert log.inclusion_proof_by_hash(hash_leaf(b"entry-699"), 700)[0] == 699
    with pytest.raises(EntryNotFoundError):
        log.inclusion_proof_by_hash(hash_leaf(b"entry-699"), 699)
    with pytest.raises(EntryNotFoundError):
        log.inclusion_proof_by_hash(hash_leaf(b"never appended"), head.tree_size)


def test_given_keys_when_reimporting_them_then_nothing_is_written_and_the_duplicates_are_named(sql_url: str) -> None:
    log = MerkleLog(SqlLogStore.from_url(sql_url), "keys")
    head = log.append([b"a", b"b"], keys=["row-1", None])
    with pytest.raises(DuplicateEntryError) as raised:
        log.append([b"c", b"a"], keys=["row-3", "row-1"])
    assert raised.value.keys == ["row-1"]
    with pytest.raises(DuplicateEntryError):
        log.append([b"c", b"d"], keys=["row-4", "row-4"])
    assert log.tree_head() == head
    assert log.existing_keys(["row-1", "row-3"]) == {"row-1"}


def test_given_a_stale_expected_size_when_appending_then_nothing_is_written(sql_url: str) -> None:
    log = MerkleLog(SqlLogStore.from_url(sql_url), "cas")
    head = log.append([b"a"])
    with pytest.raises(ConcurrentAppendError) as raised:
        log.append([b"b"], expected_size=0)
    assert (raised.value.expected_size, raised.value.actual_size) == (0, 1)
    assert log.tree_head() == head


def test_given_sizes_beyond_the_log_then_requests_fail_with_tree_size_errors(sql_url: str) -> None:
    log = MerkleLog(SqlLogStore.from_url(sql_url), "bounds")
    log.append([b"a", b"b"])
    for request in (
        lambda: log.tree_head(3),
        lambda: log.inclusion_proof(0, 3),
        lambda: log.inclusion_proof(2, 2),
        lambda: log.consistency_proof(1, 3),
        lambda: log.consistency_proof(2, 1),
        lambda: log.entries(1, 3),
        lambda: log.entries(2, 1),
    ):
        with pytest.raises(TreeSizeError):
            request()


def test_given_tiles_of_several_levels_when_read_together_then_exactly_the_stored_ones_come_back(sql_url: str) -> None:
    sql_store, memory_store = SqlLogStore.from_url(sql_url), MemoryLogStore()
    entries = [b"tile-%d" % i for i in range(3 * 256 + 9)]
    for store in (sql_store, memory_store):
        MerkleLog(store, "tiles").append(entries)
    keys = [TileKey(0, 0), TileKey(0, 2), TileKey(0, 3), TileKey(1, 0), TileKey(0, 9), TileKey(2, 0)]
    tiles = sql_store.read_tiles(1, keys)
    assert tiles == memory_store.read_tiles(0, keys)
    assert sorted(tiles) == [TileKey(0, 0), TileKey(0, 2), TileKey(0, 3), TileKey(1, 0)]
    assert len(tiles[TileKey(0, 3)]) == 9 * 32 and len(tiles[TileKey(1, 0)]) == 3 * 32


def test_given_a_sqlite_store_when_reading_tiles_then_each_is_found_by_its_whole_key_not_by_a_scan(sql_url: str) -> None:
    store = SqlLogStore.from_url(sql_url)
    MerkleLog(store, "plan").append([b"plan-%d" % i for i in range(600)])
    statements: list[tuple[str, object]] = []

    def listen(_conn: object, _cursor: object, statement: str, parameters: object, *_rest: object) -> None:
        statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", listen)
    store.read_tiles(1, [TileKey(0, 0), TileKey(0, 2), TileKey(1, 0)])
    event.remove(store.engine, "before_cursor_execute", listen)
    (statement, parameters), = [(sql, params) for sql, params in statements if "log_tiles" in sql]
    with store.engine.connect() as connection:
        plan = [row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
    searches = [step for step in plan if "log_tiles" in step]
    assert searches and all("level=? AND tile_index=?" in step for step in searches), plan


def test_given_a_writer_killed_mid_append_when_reopened_then_the_log_is_whole_and_grows_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    random_delays = random.Random(9162)
    for _ in range(4):
        writer = subprocess.Popen(
            [sys.executable, "-m", "tests.ledger.log_writer", url, "3000"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        writer.stdout.readline()  # at least one batch is in, so the kill lands mid-stream
        time.sleep(random_delays.uniform(0.0, 0.3))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        log = MerkleLog(SqlLogStore.from_url(url), "crash/test")
        head = log.tree_head()
        assert head.tree_size % 3000 == 0 and head.tree_size > 0
        entries = log.entries(0, head.tree_size)
        assert entries == [b"entry-%d" % index for index in range(head.tree_size)]
        assert head.root_hash == mth(entries)
        proof = log.consistency_proof(head.tree_size // 2, head.tree_size)
        verify_consistency(head.tree_size // 2, head.tree_size, log.tree_head(head.tree_size // 2).root_hash, head.root_hash, proof)
    grown = log.append([b"after the crashes"])
    assert grown.tree_size == head.tree_size + 1


def test_given_a_database_with_keys_kept_as_text_when_opened_then_they_are_moved_and_still_refused(
    tmp_path: Path,
) -> None:
    database = tmp_path / "legacy.db"
    MerkleLog(SqlLogStore.from_url(f"sqlite:///{database}"), "legacy").append([b"a", b"b"])
    with sqlite3.connect(database) as connection:  # keys as the store kept them before log_key_hashes
        connection.execute("CREATE TABLE log_keys (log_id INTEGER, entry_key VARCHAR(255), leaf_index BIGINT, "
                           "PRIMARY KEY (log_id, entry_key)) WITHOUT ROWID")
        connection.executemany("INSERT INTO log_keys VALUES (1, ?, ?)", [("activity:a", 0), ("activity:b", 1)])

    log = MerkleLog(SqlLogStore.from_url(f"sqlite:///{database}"), "legacy")

    assert log.existing_keys(["activity:a", "activity:b", "activity:c"]) == {"activity:a", "activity:b"}
    with pytest.raises(DuplicateEntryError):
        log.append([b"again"], ["activity:b"])
    with sqlite3.connect(database) as connection:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "log_keys" not in tables
    assert log.append([b"c"], ["activity:c"]).tree_size == 3


def test_given_a_database_with_bundles_stored_uncompressed_when_opened_then_entries_read_and_the_log_grows(
    tmp_path: Path,
) -> None:
    database = tmp_path / "uncompressed.db"
    entries = [b"record-%d" % i for i in range(600)]
    MerkleLog(SqlLogStore.from_url(f"sqlite:///{database}"), "old").append(entries[:300])
    with sqlite3.connect(database) as connection:  # bundles as the store kept them before it compressed them
        for index, bundle in connection.execute("SELECT bundle_index, entries FROM log_bundles").fetchall():
            plain = b"".join(len(entry).to_bytes(4, "big") + entry for entry in decode_bundle(bundle))
            connection.execute("UPDATE log_bundles SET entries = ? WHERE bundle_index = ?", (plain, index))

    log = MerkleLog(SqlLogStore.from_url(f"sqlite:///{database}"), "old")
    reference = MerkleLog(MemoryLogStore(), "old")
    reference.append(entries[:300])

    assert log.entries(0, 300) == entries[:300]
    assert log.append(entries[300:]) == reference.append(entries[300:])
    assert log.entries(250, 600) == entries[250:600]
    assert log.inclusion_proof(299, 600) == reference.inclusion_proof(299, 600)
