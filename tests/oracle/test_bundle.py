"""Specification of oracle/bundle.py without a chain: building bundles, their JSON, and the ABI the checks use.

(Checking bundles against a real chain: tests/webapp/test_anchored_bundles.py.)
"""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eth_typing import HexStr
from web3 import Web3

from ledger.errors import BundleFormatError, EntryNotFoundError, NoAnchoredCheckpointError
from ledger.hasher import hash_leaf
from ledger.log import MerkleLog, TreeHead
from ledger.log_store import create_store_engine
from ledger.memory_store import MemoryLogStore
from ledger.record import Record
from ledger.verify import verify_inclusion
from oracle.bundle import (
    LEDGER_ABI,
    AnchoredCheckpoint,
    ChainAnchor,
    ProofBundle,
    SignedCheckpoint,
    anchored_bundle,
    anchored_checkpoints,
    build_bundle,
)
from oracle.checkpoint import Checkpoint
from oracle.contracts import DeployedContract, Deployment, compile_contracts
from oracle.eip712 import log_id
from oracle.note import NoteSigner
from oracle.pipeline_store import CheckpointRow, CheckpointState, PipelineStore, TxRow, TxState
from tests.webapp.demo_records import load_demo

ORIGIN = "carbonledger.test/bundle"
ANCHORED_SIZE = 20
LEDGER_ADDRESS = Web3.to_checksum_address("0x" + "ab" * 20)


@pytest.fixture
def log() -> MerkleLog:
    log = MerkleLog(MemoryLogStore(), ORIGIN)
    load_demo(log)
    return log


def anchored_at(log: MerkleLog, tree_size: int) -> AnchoredCheckpoint:
    head = log.tree_head(tree_size)
    signer = NoteSigner(ORIGIN, Ed25519PrivateKey.generate())
    note = Checkpoint.of(head).signed([signer])
    return AnchoredCheckpoint(
        head,
        SignedCheckpoint(1_700_000_000, hashlib.sha256(Checkpoint.of(head).body().encode()).digest(), b"\x1b" * 65,
                         note, signer.verifier.key_string()),
        ChainAnchor(31337, LEDGER_ADDRESS, log_id(ORIGIN), b"\x01" * 32, 12, b"\x02" * 32),
    )


def test_given_an_anchored_checkpoint_covering_the_record_then_the_bundle_proves_it_to_that_checkpoint(
    log: MerkleLog,
) -> None:
    anchored = anchored_at(log, ANCHORED_SIZE)
    bundle = build_bundle(log, 7, anchored)
    assert bundle.tree_head == anchored.tree_head
    assert (bundle.checkpoint, bundle.anchor) == (anchored.signed, anchored.anchor)
    verify_inclusion(hash_leaf(bundle.entry), 7, ANCHORED_SIZE, bundle.inclusion, anchored.tree_head.root_hash)


def test_given_a_record_newer_than_the_anchored_checkpoint_then_the_bundle_proves_it_to_the_latest_head_unanchored(
    log: MerkleLog,
) -> None:
    bundle = build_bundle(log, ANCHORED_SIZE + 2, anchored_at(log, ANCHORED_SIZE))
    assert bundle.tree_head == log.tree_head()
    assert (bundle.checkpoint, bundle.anchor) == (None, None)
    code = Record.from_canonical_bytes(bundle.entry).code
    with pytest.raises(NoAnchoredCheckpointError, match="not covered by an anchored checkpoint yet"):
        anchored_bundle(log, code, anchored_at(log, ANCHORED_SIZE))


def test_given_a_leaf_beyond_the_log_then_there_is_no_bundle(log: MerkleLog) -> None:
    with pytest.raises(EntryNotFoundError, match="the log holds 27 entries"):
        build_bundle(log, 27, None)


def test_given_a_bundle_when_written_as_json_and_read_back_then_it_is_the_same_bundle(log: MerkleLog) -> None:
    bundle = build_bundle(log, 3, anchored_at(log, ANCHORED_SIZE))
    assert ProofBundle.from_json(bundle.to_json()) == bundle


@pytest.mark.parametrize(
    ("member", "value", "named"),
    [
        ("checkpoint", {"timestamp": -1}, "checkpoint.timestamp"),
        ("checkpoint", "a note", "checkpoint"),
        ("anchor", {"contract": LEDGER_ADDRESS.lower()}, "anchor.contract"),
        ("anchor", {"contract": LEDGER_ADDRESS, "chain_id": 1, "log_id": "0x12"}, "anchor.log_id"),
        ("anchor", {"contract": LEDGER_ADDRESS, "chain_id": 1, "log_id": "ab" * 32}, "anchor.log_id"),
    ],
)
def test_given_a_malformed_checkpoint_or_anchor_then_reading_the_bundle_names_the_field(
    log: MerkleLog, member: str, value: object, named: str
) -> None:
    document = build_bundle(log, 3, anchored_at(log, ANCHORED_SIZE)).to_json()
    document[member] = value if not isinstance(value, dict) else {**document[member], **value}
    with pytest.raises(BundleFormatError) as raised:
        ProofBundle.from_json(document)
    assert raised.value.field == named


def test_given_the_oracles_store_then_only_anchored_checkpoints_with_a_confirmed_transaction_are_listed(
    log: MerkleLog,
) -> None:
    store = PipelineStore(create_store_engine("sqlite://"))
    for tree_size, state, tx_state in ((10, CheckpointState.ANCHORED, TxState.CONFIRMED),
                                        (15, CheckpointState.ANCHORED, None),
                                        (20, CheckpointState.ANCHORED, TxState.CONFIRMED),
                                        (27, CheckpointState.SIGNED, TxState.SUBMITTED)):
        subject = f"anchor:{ORIGIN}:{tree_size}" if tx_state else None
        store.add_checkpoint(CheckpointRow(ORIGIN, tree_size, log.tree_head(tree_size).root_hash, 1_700_000_000,
                                           b"\x03" * 32, state, b"\x1b" * 65, "note\n", subject))
        if subject is not None and tx_state is not None:
            store.add_transaction(TxRow(subject, LEDGER_ADDRESS, tree_size, b"raw", bytes([tree_size]) * 32, tx_state,
                                        100 + tree_size, b"\x04" * 32, None))
    deployment = Deployment(31337, 1, LEDGER_ADDRESS,
                            {"CarbonLedger": DeployedContract(LEDGER_ADDRESS, "00", HexStr("0x00"))})
    listed = anchored_checkpoints(store, ORIGIN, deployment, None)
    assert [(c.tree_head.tree_size, c.anchor.block_number, c.anchor.tx_hash[0]) for c in listed] == [
        (10, 110, 10), (20, 120, 20)
    ]
    assert listed[0].tree_head == TreeHead(ORIGIN, 10, log.tree_head(10).root_hash)


def test_given_the_compiled_carbon_ledger_then_the_abi_the_checks_use_is_part_of_it() -> None:
    compiled = compile_contracts()["CarbonLedger"].abi

    def shape(item: dict[str, object]) -> tuple[object, ...]:
        inputs = item.get("inputs", [])
        assert isinstance(inputs, list)
        return (item["type"], item.get("name"), tuple((i["type"], i.get("indexed")) for i in inputs))

    assert {shape(item) for item in LEDGER_ABI} <= {shape(item) for item in compiled}
