"""CarbonLedger: anchoring signed checkpoints of a growing log, and inclusion proofs against anchored roots."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eth_abi import encode
from eth_keys import keys
from eth_utils import keccak

from ledger.hasher import hash_leaf
from ledger.log import MerkleLog
from ledger.memory_store import MemoryLogStore
from oracle.eip712 import CheckpointMessage, SigningDomain, digest, log_id, sign
from tests.contracts.conftest import (
    LOG_ID,
    METADATA_HASH,
    KeyedAccount,
    checkpoint_of,
    event_args,
    grow,
    reverts_with,
    signed_checkpoint,
)

SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def recovered_signer(domain: SigningDomain, message: CheckpointMessage, signature: bytes) -> str:
    """The address the contract recovers from `signature` over `message` in the contract's own domain."""
    r, s, v = signature[:32], signature[32:64], signature[64]
    public_key = keys.Signature(vrs=(v - 27, int.from_bytes(r), int.from_bytes(s))).recover_public_key_from_msg_hash(
        digest(domain, message)
    )
    return str(public_key.to_checksum_address())


def test_given_a_checkpoint_when_hashed_then_contract_and_python_digests_agree(
    ledger: Any, ledger_domain: SigningDomain, merkle_log: MerkleLog
) -> None:
    grow(merkle_log, 5)
    message = checkpoint_of(merkle_log, 5)
    assert bytes(ledger.checkpointDigest(message.as_struct())) == digest(ledger_domain, message)


def test_given_a_first_checkpoint_when_relayed_by_anyone_then_it_is_the_latest_head(
    anchor: Callable[..., Any], ledger: Any, merkle_log: MerkleLog, oracle: KeyedAccount
) -> None:
    tx = anchor(merkle_log, 3)
    root = merkle_log.tree_head(3).root_hash
    assert event_args(tx, "CheckpointAnchored") == [
        {
            "logId": LOG_ID,
            "treeSize": 3,
            "rootHash": root,
            "timestamp": checkpoint_of(merkle_log, 3).timestamp,
            "metadataHash": METADATA_HASH,
            "oracle": oracle.address,
        }
    ]
    tree_size, root_hash, timestamp = ledger.latestHead(LOG_ID)
    assert (tree_size, bytes(root_hash), timestamp) == (3, root, checkpoint_of(merkle_log, 3).timestamp)
    assert bytes(ledger.rootAt(LOG_ID, 3)) == root


def test_given_anchored_heads_when_the_log_grows_then_every_past_root_stays_readable(
    anchor: Callable[..., Any], ledger: Any, merkle_log: MerkleLog
) -> None:
    sizes = [1, 2, 7, 8, 9, 31, 64]
    for size in sizes:
        anchor(merkle_log, size)
    assert [bytes(ledger.rootAt(LOG_ID, size)) for size in sizes] == [
        merkle_log.tree_head(size).root_hash for size in sizes
    ]
    assert ledger.latestHead(LOG_ID)[0] == 64


def test_given_a_first_checkpoint_when_it_carries_a_proof_then_it_is_rejected(
    ledger: Any, ledger_domain: SigningDomain, oracle: KeyedAccount, relayer: Any, merkle_log: MerkleLog
) -> None:
    message, signature = signed_checkpoint(merkle_log, 4, oracle.private_key, ledger_domain)
    with reverts_with(ledger, "CarbonLedgerUnexpectedConsistencyProof", LOG_ID, 1):
        ledger.anchor(message.as_struct(), [b"\x01" * 32], signature, {"from": relayer})


def test_given_an_empty_log_when_size_zero_is_anchored_then_it_is_rejected(
    ledger: Any, ledger_domain: SigningDomain, oracle: KeyedAccount, relayer: Any
) -> None:
    message = CheckpointMessage(LOG_ID, 0, b"\x05" * 32, 1, METADATA_HASH)
    signature = sign(oracle.private_key, ledger_domain, message)
    with reverts_with(ledger, "CarbonLedgerTreeSizeNotIncreasing", LOG_ID, 0, 0):
        ledger.anchor(message.as_struct(), [], signature, {"from": relayer})


@pytest.mark.parametrize("older_size", [5, 8])
def test_given_an_anchored_head_when_a_smaller_or_equal_size_is_signed_then_it_is_rejected(
    anchor: Callable[..., Any],
    ledger: Any,
    ledger_domain: SigningDomain,
    oracle: KeyedAccount,
    relayer: Any,
    merkle_log: MerkleLog,
    older_size: int,
) -> None:
    anchor(merkle_log, 8)
    message, signature = signed_checkpoint(merkle_log, older_size, oracle.private_key, ledger_domain)
    with reverts_with(ledger, "CarbonLedgerTreeSizeNotIncreasing", LOG_ID, 8, older_size):
        ledger.anchor(message.as_struct(), [], signature, {"from": relayer})


def test_given_an_anchored_checkpoint_when_its_signature_is_replayed_then_the_size_check_rejects_it(
    ledger: Any, ledger_domain: SigningDomain, oracle: KeyedAccount, relayer: Any, stranger: Any, merkle_log: MerkleLog
) -> None:
    message, signature = signed_checkpoint(merkle_log, 6, oracle.private_key, ledger_domain)
    ledger.anchor(message.as_struct(), [], signature, {"from": relayer})
    with reverts_with(ledger, "CarbonLedgerTreeSizeNotIncreasing", LOG_ID, 6, 6):
        ledger.anchor(message.as_struct(), [], signature, {"from": stranger})


def test_given_a_signer_without_the_oracle_role_when_anchoring_then_it_is_rejected(
    ledger: Any, ledger_domain: SigningDomain, rogue: KeyedAccount, relayer: Any, merkle_log: MerkleLog
) -> None:
    message, signature = signed_checkpoint(merkle_log, 2, rogue.private_key, ledger_domain)
    with reverts_with(ledger, "CarbonLedgerSignerNotOracle", LOG_ID, rogue.address):
        ledger.anchor(message.as_struct(), [], signature, {"from": relayer})


def test_given_an_oracle_of_another_log_when_it_signs_for_this_log_then_it_is_rejected(
    ledger: Any, ledger_domain: SigningDomain, admin: Any, rogue: KeyedAccount, relayer: Any, merkle_log: MerkleLog
) -> None:
    ledger.grantRole(ledger.oracleRole(log_id("carbonledger/other")), rogue.address, {"from": admin})
    message, signature = signed_checkpoint(merkle_log, 2, rogue.private_key, ledger_domain)
    with reverts_with(ledger, "CarbonLedgerSignerNotOracle", LOG_ID, rogue.address):
        ledger.anchor(message.as_struct(), [], signature, {"from": relayer})


@pytest.mark.parametrize("foreign", ["chain", "contract"])
def test_given_a_signature_for_another_domain_when_relayed_here_then_it_recovers_no_oracle(
    ledger: Any,
    ledger_domain: SigningDomain,
    oracle: KeyedAccount,
    relayer: Any,
    merkle_log: MerkleLog,
    foreign: str,
) -> None:
    other_domain = (
        SigningDomain(ledger_domain.chain_id + 1, ledger_domain.verifying_contract)
        if foreign == "chain"
        else SigningDomain(ledger_domain.chain_id, "0x000000000000000000000000000000000000dEaD")
    )
    message, signature = signed_checkpoint(merkle_log, 2, oracle.private_key, other_domain)
    signer = recovered_signer(ledger_domain, message, signature)
    assert signer != oracle.address
    with reverts_with(ledger, "CarbonLedgerSignerNotOracle", LOG_ID, signer):
        ledger.anchor(message.as_struct(), [], signature, {"from": relayer})


def test_given_a_signed_checkpoint_when_a_field_is_altered_then_it_recovers_no_oracle(
    ledger: Any, ledger_domain: SigningDomain, oracle: KeyedAccount, relayer: Any, merkle_log: MerkleLog
) -> None:
    signed, signature = signed_checkpoint(merkle_log, 2, oracle.private_key, ledger_domain)
    altered = CheckpointMessage(signed.log_id, signed.tree_size, signed.root_hash, signed.timestamp, b"\x00" * 32)
    signer = recovered_signer(ledger_domain, altered, signature)
    with reverts_with(ledger, "CarbonLedgerSignerNotOracle", LOG_ID, signer):
        ledger.anchor(altered.as_struct(), [], signature, {"from": relayer})


def test_given_a_signature_of_wrong_length_when_anchoring_then_ecdsa_rejects_it(
    ledger: Any, ledger_domain: SigningDomain, oracle: KeyedAccount, relayer: Any, merkle_log: MerkleLog
) -> None:
    message, signature = signed_checkpoint(merkle_log, 2, oracle.private_key, ledger_domain)
    with reverts_with(ledger, "ECDSAInvalidSignatureLength", 64):
        ledger.anchor(message.as_struct(), [], signature[:64], {"from": relayer})


def test_given_a_malleated_high_s_signature_when_anchoring_then_ecdsa_rejects_it(
    ledger: Any, ledger_domain: SigningDomain, oracle: KeyedAccount, relayer: Any, merkle_log: MerkleLog
) -> None:
    message, signature = signed_checkpoint(merkle_log, 2, oracle.private_key, ledger_domain)
    high_s = SECP256K1_ORDER - int.from_bytes(signature[32:64])
    malleated = signature[:32] + high_s.to_bytes(32) + bytes([55 - signature[64]])
    with reverts_with(ledger, "ECDSAInvalidSignatureS", high_s.to_bytes(32)):
        ledger.anchor(message.as_struct(), [], malleated, {"from": relayer})


def test_given_an_anchored_head_when_the_next_comes_with_a_valid_consistency_proof_then_it_is_anchored(
    anchor: Callable[..., Any], ledger: Any, merkle_log: MerkleLog
) -> None:
    anchor(merkle_log, 5)
    tx = anchor(merkle_log, 13)
    assert [event["treeSize"] for event in event_args(tx, "CheckpointAnchored")] == [13]
    assert bytes(ledger.rootAt(LOG_ID, 5)) == merkle_log.tree_head(5).root_hash
    assert bytes(ledger.rootAt(LOG_ID, 13)) == merkle_log.tree_head(13).root_hash


def _anchor_with(
    ledger: Any, domain: SigningDomain, oracle: KeyedAccount, relayer: Any, message: CheckpointMessage, proof: list
) -> Any:
    return ledger.anchor(message.as_struct(), proof, sign(oracle.private_key, domain, message), {"from": relayer})


@pytest.mark.parametrize("mutation", ["flip_bit", "drop_last", "append_extra", "empty"])
def test_given_an_anchored_head_when_the_consistency_proof_is_mutated_then_it_is_rejected(
    anchor: Callable[..., Any],
    ledger: Any,
    ledger_domain: SigningDomain,
    oracle: KeyedAccount,
    relayer: Any,
    merkle_log: MerkleLog,
    mutation: str,
) -> None:
    anchor(merkle_log, 6)
    grow(merkle_log, 11)
    proof = merkle_log.consistency_proof(6, 11)
    mutated = {
        "flip_bit": [proof[0][:-1] + bytes([proof[0][-1] ^ 1])] + proof[1:],
        "drop_last": proof[:-1],
        "append_extra": proof + [b"\x07" * 32],
        "empty": [],
    }[mutation]
    with reverts_with(ledger, "CarbonLedgerInvalidConsistencyProof", LOG_ID, 6, 11):
        _anchor_with(ledger, ledger_domain, oracle, relayer, checkpoint_of(merkle_log, 11), mutated)


def test_given_an_anchored_head_when_a_rewritten_history_is_signed_then_no_proof_makes_it_consistent(
    anchor: Callable[..., Any],
    ledger: Any,
    ledger_domain: SigningDomain,
    oracle: KeyedAccount,
    relayer: Any,
    merkle_log: MerkleLog,
) -> None:
    anchor(merkle_log, 4)
    forked = MerkleLog(MemoryLogStore(), "carbonledger/forked")
    forked.append([b"rewritten"] + [f"record {index}".encode() for index in range(1, 9)])
    message = checkpoint_of(forked, 9)
    with reverts_with(ledger, "CarbonLedgerInvalidConsistencyProof", LOG_ID, 4, 9):
        _anchor_with(ledger, ledger_domain, oracle, relayer, message, forked.consistency_proof(4, 9))


def test_given_two_logs_when_anchored_then_their_heads_are_independent(
    anchor: Callable[..., Any],
    ledger: Any,
    ledger_domain: SigningDomain,
    admin: Any,
    rogue: KeyedAccount,
    relayer: Any,
    merkle_log: MerkleLog,
) -> None:
    other_id = log_id("carbonledger/other")
    ledger.grantRole(ledger.oracleRole(other_id), rogue.address, {"from": admin})
    anchor(merkle_log, 10)
    message = CheckpointMessage(other_id, 3, merkle_log.tree_head(3).root_hash, 1, METADATA_HASH)
    _anchor_with(ledger, ledger_domain, rogue, relayer, message, [])
    assert ledger.latestHead(LOG_ID)[0] == 10
    assert ledger.latestHead(other_id)[0] == 3


def test_given_an_unknown_size_when_its_root_is_read_then_it_reverts(
    anchor: Callable[..., Any], ledger: Any, merkle_log: MerkleLog
) -> None:
    anchor(merkle_log, 4)
    with reverts_with(ledger, "CarbonLedgerCheckpointNotAnchored", LOG_ID, 5):
        ledger.rootAt(LOG_ID, 5)


def test_given_an_unknown_log_when_its_head_is_read_then_it_is_all_zero(ledger: Any) -> None:
    tree_size, root_hash, timestamp = ledger.latestHead(log_id("nobody"))
    assert (tree_size, bytes(root_hash), timestamp) == (0, bytes(32), 0)


def test_given_an_anchored_root_when_inclusion_is_verified_then_every_leaf_verifies(
    anchor: Callable[..., Any], ledger: Any, merkle_log: MerkleLog
) -> None:
    anchor(merkle_log, 11)
    for leaf_index in range(11):
        leaf_hash = _leaf_hash(merkle_log, leaf_index)
        assert ledger.verifyInclusion(LOG_ID, 11, leaf_index, leaf_hash, merkle_log.inclusion_proof(leaf_index, 11))


def test_given_an_anchored_root_when_the_inclusion_proof_is_mutated_then_it_does_not_verify(
    anchor: Callable[..., Any], ledger: Any, merkle_log: MerkleLog
) -> None:
    anchor(merkle_log, 11)
    proof = merkle_log.inclusion_proof(6, 11)
    leaf_hash = _leaf_hash(merkle_log, 6)
    flipped = [proof[0], proof[1][:-1] + bytes([proof[1][-1] ^ 0x80])] + proof[2:]
    assert not ledger.verifyInclusion(LOG_ID, 11, 6, leaf_hash, flipped)
    assert not ledger.verifyInclusion(LOG_ID, 11, 7, leaf_hash, proof)
    assert not ledger.verifyInclusion(LOG_ID, 11, 6, leaf_hash, proof[:-1])
    assert not ledger.verifyInclusion(LOG_ID, 11, 6, b"\x00" * 32, proof)


def test_given_a_size_never_anchored_when_inclusion_is_verified_then_it_reverts(
    anchor: Callable[..., Any], ledger: Any, merkle_log: MerkleLog
) -> None:
    anchor(merkle_log, 11)
    with reverts_with(ledger, "CarbonLedgerCheckpointNotAnchored", LOG_ID, 10):
        ledger.verifyInclusion(LOG_ID, 10, 0, _leaf_hash(merkle_log, 0), merkle_log.inclusion_proof(0, 10))


def test_given_a_non_admin_when_granting_an_oracle_role_then_access_control_rejects_it(
    ledger: Any, stranger: Any
) -> None:
    role = ledger.oracleRole(LOG_ID)
    with reverts_with(ledger, "AccessControlUnauthorizedAccount", stranger.address, b"\x00" * 32):
        ledger.grantRole(role, stranger, {"from": stranger})


def test_given_an_admin_when_granting_an_oracle_role_then_role_granted_is_emitted(
    ledger: Any, admin: Any, stranger: Any
) -> None:
    role = ledger.oracleRole(LOG_ID)
    tx = ledger.grantRole(role, stranger, {"from": admin})
    assert event_args(tx, "RoleGranted") == [
        {"role": bytes(role), "account": stranger.address, "sender": admin.address}
    ]
    assert ledger.hasRole(role, stranger)


def _leaf_hash(log: MerkleLog, leaf_index: int) -> bytes:
    return hash_leaf(log.entries(leaf_index, leaf_index + 1)[0])


def test_given_the_oracle_role_when_derived_then_it_is_keccak_of_name_and_log_id(ledger: Any) -> None:
    expected = keccak(encode(["bytes32", "bytes32"], [keccak(text="ORACLE_ROLE"), LOG_ID]))
    assert bytes(ledger.oracleRole(LOG_ID)) == expected
