"""The main job end to end: chain up, demo records appended once, signed tree head that verifies."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ledger.log import MerkleLog
from ledger.log_store import SqlLogStore
from ledger.record import Record
from ledger.code import ThreeDCode
from oracle.anvil import EmbeddedChain
from oracle.checkpoint import Checkpoint
from oracle.note import NoteVerifier, open_note

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def state_dir(tmp_path: Path):
    port = free_port()
    yield tmp_path, port
    EmbeddedChain(tmp_path / "chain", port=port).down()


def run_demo(state: Path, port: int) -> str:
    environment = dict(os.environ, CARBONLEDGER_HOME=str(state), CARBONLEDGER_RPC_PORT=str(port))
    environment.pop("CARBONLEDGER_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "oracle.cli", "demo"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_given_a_fresh_state_when_the_demo_runs_twice_then_records_are_appended_once_and_the_head_verifies(
    state_dir: tuple[Path, int],
) -> None:
    state, port = state_dir
    first = run_demo(state, port)
    second = run_demo(state, port)
    assert "27 records appended, 27 in the log" in first
    assert "0 records appended, 27 in the log" in second
    verifier = NoteVerifier.from_key_string(second.split("checkpoint verifier key: ")[1].split("\n")[0])
    note = second.split("signed tree head:\n")[1]
    text, _ = open_note(note, [verifier])
    checkpoint = Checkpoint.parse(text)
    log = MerkleLog(SqlLogStore.from_url(f"sqlite:///{state / 'ledger.db'}"), checkpoint.origin)
    assert log.tree_head() == log.tree_head(checkpoint.tree_size)
    assert log.tree_head().root_hash == checkpoint.root_hash
    assert EmbeddedChain(state / "chain", port=port).status().running


def test_given_the_demo_log_then_every_entry_is_a_record_whose_code_serial_is_its_position(
    state_dir: tuple[Path, int],
) -> None:
    state, port = state_dir
    run_demo(state, port)
    log = MerkleLog(SqlLogStore.from_url(f"sqlite:///{state / 'ledger.db'}"), "carbonledger.local/demo")
    for leaf_index, entry in enumerate(log.entries(0, log.tree_head().tree_size)):
        record = Record.from_canonical_bytes(entry)
        assert ThreeDCode.parse(record.code).serial == leaf_index + 1
        assert record.co2e_g > 0
