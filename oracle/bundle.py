"""Proof bundles: one record with everything needed to check it against the chain, and that check.

A bundle holds the record as the exact canonical JSON that was hashed, its leaf index and hash, and the
inclusion proof to a tree head. Once a checkpoint covering the record is anchored, the tree head is that
checkpoint's and the bundle also carries the checkpoint with both its signatures (EIP-712 for the contract, a
C2SP signed note with its verifier key for offline tools) and where it is anchored: chain id, CarbonLedger
address, log id, the anchoring transaction and its block. The anchor data comes from the oracle's store
(oracle/pipeline_store.py); nothing in a bundle is taken on trust by `verify_bundle`.

`verify_bundle` runs every check and reports each by name, passed, failed (with the reason) or skipped:
- record: the record is a version 1 record in canonical JSON (RFC 8785), exactly as the ledger hashes it;
- hex_twins: the hex twins of the hashes (`leaf_hash_hex`, `tree_head.root_hash_hex`) state the same hashes as
  the base64 values the checks use;
- leaf_hash: SHA-256(0x00 || record) is the bundle's leaf hash;
- serial: the serial of the record's 3D code is its leaf index + 1;
- inclusion: the inclusion proof leads from the recomputed leaf hash to the bundle's root;
- chain: the RPC endpoint serves the bundle's chain id, a contract is deployed at its CarbonLedger address (the
  verifier's own, when given), and its log id is keccak256 of the log's origin;
- trusted_root: `rootAt(logId, treeSize)`, read from the contract by eth_call, is the bundle's root;
- inclusion_on_chain: the contract's `verifyInclusion` view accepts the leaf and proof at that size;
- oracle_signature: the EIP-712 signature of the checkpoint recovers to an address that held the log's oracle
  role at the anchoring block;
- anchor_tx: the anchoring transaction succeeded in that block, the block is on the chain, and the contract
  emitted CheckpointAnchored for exactly this checkpoint in it;
- signed_note: the C2SP note verifies with the bundle's verifier key, states this tree head, and its SHA-256 is
  the checkpoint's metadata hash (so the Ed25519 note and the on-chain checkpoint are one statement).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_keys.exceptions import BadSignature
from eth_utils.address import is_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractLogicError, Web3Exception
from web3.logs import DISCARD

from ledger.code import ThreeDCode
from ledger.errors import (
    BundleFormatError,
    CodeError,
    EntryNotFoundError,
    LedgerError,
    NoAnchoredCheckpointError,
    ProofError,
    RecordError,
)
from ledger.hasher import HASH_SIZE, hash_leaf
from ledger.log import MerkleLog, TreeHead
from ledger.record import Record
from ledger.verify import verify_inclusion
from oracle.chain import RevertDecoder
from oracle.checkpoint import Checkpoint
from oracle.contracts import Deployment
from oracle.eip712 import CheckpointMessage, SigningDomain, log_id, typed_data
from oracle.note import NoteError, NoteVerifier, open_note
from oracle.pipeline_store import CheckpointState, PipelineStore, TxState

BUNDLE_FORMAT = "carbonledger-proof-bundle/2"
LEDGER_CONTRACT = "CarbonLedger"
MAX_UINT64 = 2**64 - 1
EIP712_SIGNATURE_SIZE = 65

CHAIN_CHECKS = ("chain", "trusted_root", "inclusion_on_chain", "oracle_signature", "anchor_tx")

# The part of CarbonLedger's ABI the checks use (tests hold it to the compiled contract's), so a verifier needs
# neither the Solidity sources nor a compiler.
_BYTES32 = {"name": "", "type": "bytes32"}
LEDGER_ABI: list[dict[str, Any]] = [
    {"type": "function", "name": "rootAt", "stateMutability": "view",
     "inputs": [{"name": "logId", "type": "bytes32"}, {"name": "treeSize", "type": "uint64"}],
     "outputs": [{"name": "rootHash", "type": "bytes32"}]},
    {"type": "function", "name": "verifyInclusion", "stateMutability": "view",
     "inputs": [{"name": "logId", "type": "bytes32"}, {"name": "treeSize", "type": "uint64"},
                {"name": "leafIndex", "type": "uint64"}, {"name": "leafHash", "type": "bytes32"},
                {"name": "proof", "type": "bytes32[]"}],
     "outputs": [{"name": "", "type": "bool"}]},
    {"type": "function", "name": "oracleRole", "stateMutability": "pure",
     "inputs": [{"name": "logId", "type": "bytes32"}], "outputs": [_BYTES32]},
    {"type": "function", "name": "hasRole", "stateMutability": "view",
     "inputs": [{"name": "role", "type": "bytes32"}, {"name": "account", "type": "address"}],
     "outputs": [{"name": "", "type": "bool"}]},
    {"type": "error", "name": "CarbonLedgerCheckpointNotAnchored",
     "inputs": [{"name": "logId", "type": "bytes32"}, {"name": "treeSize", "type": "uint64"}]},
    {"type": "event", "name": "CheckpointAnchored", "anonymous": False,
     "inputs": [{"name": "logId", "type": "bytes32", "indexed": True},
                {"name": "treeSize", "type": "uint64", "indexed": True},
                {"name": "rootHash", "type": "bytes32", "indexed": False},
                {"name": "timestamp", "type": "uint64", "indexed": False},
                {"name": "metadataHash", "type": "bytes32", "indexed": False},
                {"name": "oracle", "type": "address", "indexed": True}]},
]
_REVERTS = RevertDecoder([LEDGER_ABI])
_CHAIN_HEX = re.compile(r"0x(?:[0-9a-fA-F]{2})*")
_HEX_HASH = re.compile(r"[0-9a-fA-F]{64}")

Status = Literal["pass", "fail", "skip"]


# --- values ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedCheckpoint:
    """A tree head as the oracle signed it: the rest of the EIP-712 checkpoint and both signatures."""

    timestamp: int
    """Unix seconds at signing."""
    metadata_hash: bytes
    """SHA-256 of the checkpoint note's text."""
    eip712_signature: bytes
    note: str
    """The C2SP signed note of the tree head."""
    note_verifier_key: str | None
    """The Ed25519 key that verifies the note (`<name>+<key id>+<key>`), when the builder held it."""


@dataclass(frozen=True)
class ChainAnchor:
    """Where a checkpoint is anchored: the chain, the CarbonLedger contract, the log's id there, the transaction."""

    chain_id: int
    contract: str
    log_id: bytes
    tx_hash: bytes
    block_number: int
    block_hash: bytes


@dataclass(frozen=True)
class AnchoredCheckpoint:
    tree_head: TreeHead
    signed: SignedCheckpoint
    anchor: ChainAnchor

    def to_json(self) -> dict[str, Any]:
        return {
            "tree_head": _tree_head_json(self.tree_head),
            "checkpoint": _signed_json(self.signed),
            "anchor": _anchor_json(self.anchor),
        }


@dataclass(frozen=True)
class ProofBundle:
    entry: bytes
    """The log entry: UTF-8 of the record's canonical JSON."""
    leaf_index: int
    leaf_hash: bytes
    inclusion: tuple[bytes, ...]
    tree_head: TreeHead
    checkpoint: SignedCheckpoint | None
    anchor: ChainAnchor | None
    hex_twin_mismatches: tuple[str, ...] = ()
    """Read from a document: the `*_hex` fields that state a different hash than their base64 twin."""

    def to_json(self) -> dict[str, Any]:
        return {
            "format": BUNDLE_FORMAT,
            "record": self.entry.decode("utf-8"),
            "leaf_index": self.leaf_index,
            **_hash_json("leaf_hash", self.leaf_hash),
            "inclusion": [_base64(element) for element in self.inclusion],
            "tree_head": _tree_head_json(self.tree_head),
            "checkpoint": None if self.checkpoint is None else _signed_json(self.checkpoint),
            "anchor": None if self.anchor is None else _anchor_json(self.anchor),
        }

    @classmethod
    def from_json(cls, document: object) -> ProofBundle:
        """Read a bundle as `to_json` writes it; BundleFormatError names the first field that is wrong.

        Hashes of the log may be base64 or 64 hex digits and their hex twins may be left out; chain values are
        0x-prefixed hex. Only the shape is checked here: whether the parts fit is `verify_bundle`'s business.
        """
        bundle = _object("bundle", document)
        if bundle.get("format") != BUNDLE_FORMAT:
            raise BundleFormatError("format", f"must be {BUNDLE_FORMAT!r}")
        record_text = _string("record", bundle.get("record"))
        try:
            entry = record_text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise BundleFormatError("record", "holds a lone surrogate, which is not Unicode text") from error
        inclusion = bundle.get("inclusion")
        if not isinstance(inclusion, list):
            raise BundleFormatError("inclusion", "must be a list of base64 hashes")
        tree_head = _object("tree_head", bundle.get("tree_head"))
        leaf_hash = _log_hash("leaf_hash", bundle.get("leaf_hash"))
        root_hash = _log_hash("tree_head.root_hash", tree_head.get("root_hash"))
        return cls(
            entry=entry,
            leaf_index=_index("leaf_index", bundle.get("leaf_index")),
            leaf_hash=leaf_hash,
            inclusion=tuple(_base64_bytes(f"inclusion[{i}]", element) for i, element in enumerate(inclusion)),
            tree_head=TreeHead(
                origin=_string("tree_head.origin", tree_head.get("origin")),
                tree_size=_index("tree_head.tree_size", tree_head.get("tree_size")),
                root_hash=root_hash,
            ),
            checkpoint=_optional("checkpoint", bundle.get("checkpoint"), _signed_from_json),
            anchor=_optional("anchor", bundle.get("anchor"), _anchor_from_json),
            hex_twin_mismatches=tuple(
                field
                for field, twin, value in (
                    ("leaf_hash_hex", bundle.get("leaf_hash_hex"), leaf_hash),
                    ("tree_head.root_hash_hex", tree_head.get("root_hash_hex"), root_hash),
                )
                if twin is not None and _string(field, twin).lower() != value.hex()
            ),
        )


# --- building -------------------------------------------------------------------------------------------


def anchored_checkpoints(
    store: PipelineStore, origin: str, deployment: Deployment, note_verifier_key: str | None
) -> list[AnchoredCheckpoint]:
    """The log's anchored checkpoints, oldest first, each with its confirmed anchoring transaction.

    A checkpoint found anchored by another relayer has no transaction in this store and is left out.
    """
    contract = deployment.contracts[LEDGER_CONTRACT].address
    anchored = []
    for row in store.checkpoints(origin, CheckpointState.ANCHORED):
        tx = None if row.tx_subject is None else store.transaction(row.tx_subject)
        if (tx is None or tx.state is not TxState.CONFIRMED or tx.block_number is None or tx.block_hash is None
                or row.signature is None or row.note is None):
            continue
        anchored.append(AnchoredCheckpoint(
            TreeHead(origin, row.tree_size, row.root_hash),
            SignedCheckpoint(row.timestamp, row.metadata_hash, row.signature, row.note, note_verifier_key),
            ChainAnchor(deployment.chain_id, contract, log_id(origin), tx.tx_hash, tx.block_number, tx.block_hash),
        ))
    return anchored


def build_bundle(log: MerkleLog, leaf_index: int, anchored: AnchoredCheckpoint | None) -> ProofBundle:
    """The bundle of the entry at `leaf_index`: proved to `anchored` (the latest anchored checkpoint) if that
    covers the entry, else to the log's latest tree head, without checkpoint and anchor."""
    covering = anchored if anchored is not None and leaf_index < anchored.tree_head.tree_size else None
    head = log.tree_head() if covering is None else covering.tree_head
    if leaf_index >= head.tree_size:
        raise EntryNotFoundError(f"no entry {leaf_index}: the log holds {head.tree_size} entries")
    entry = log.entries(leaf_index, leaf_index + 1)[0]
    return ProofBundle(
        entry=entry,
        leaf_index=leaf_index,
        leaf_hash=hash_leaf(entry),
        inclusion=tuple(log.inclusion_proof(leaf_index, head.tree_size)),
        tree_head=head,
        checkpoint=None if covering is None else covering.signed,
        anchor=None if covering is None else covering.anchor,
    )


def anchored_bundle(log: MerkleLog, code_text: str, anchored: AnchoredCheckpoint | None) -> ProofBundle:
    """The bundle of the record with 3D code `code_text`; NoAnchoredCheckpointError unless `anchored` covers it."""
    code = ThreeDCode.parse(code_text)
    leaf_index = code.serial - 1
    if anchored is None or leaf_index >= anchored.tree_head.tree_size:
        size = 0 if anchored is None else anchored.tree_head.tree_size
        raise NoAnchoredCheckpointError(
            f"record {code.text} (leaf {leaf_index}) is not covered by an anchored checkpoint yet (anchored tree "
            f"size {size}): anchor the log first"
        )
    bundle = build_bundle(log, leaf_index, anchored)
    stored_code = _record_code(bundle.entry)
    if stored_code != code.text:
        raise EntryNotFoundError(f"no record {code.text}: the entry with serial {code.serial} is {stored_code}")
    return bundle


def _record_code(entry: bytes) -> str:
    try:
        return Record.from_canonical_bytes(entry).code
    except RecordError:
        return "not a record"


# --- checking -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    check: str
    status: Status
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"check": self.check, "status": self.status, "detail": self.detail}


def verify_bundle(bundle: ProofBundle, w3: Web3, trusted_contract: str | None = None) -> list[CheckResult]:
    """Every check of `bundle` against the chain `w3` reaches; the bundle holds when none failed.

    `trusted_contract` is the CarbonLedger address the verifier trusts; without it the bundle's own address is
    used, and the `chain` check's detail names it so the reader sees which contract vouched.
    """
    leaf_hash = hash_leaf(bundle.entry)
    checks = offline_checks(bundle, leaf_hash)
    if bundle.anchor is None or bundle.checkpoint is None:
        missing = "the bundle carries no anchored checkpoint: its tree head is not anchored on chain"
        checks.append(CheckResult("chain", "fail", missing))
        checks += [CheckResult(name, "skip", "no anchor to check against") for name in CHAIN_CHECKS[1:]]
    else:
        chain = _ChainChecks(bundle, bundle.anchor, bundle.checkpoint, w3, leaf_hash)
        checks += [
            _guarded("chain", lambda: chain.chain(trusted_contract)),
            _guarded("trusted_root", chain.trusted_root),
            _guarded("inclusion_on_chain", chain.inclusion_on_chain),
            _guarded("oracle_signature", chain.oracle_signature),
            _guarded("anchor_tx", chain.anchor_tx),
        ]
    checks.append(check_signed_note(bundle))
    return checks


def offline_checks(bundle: ProofBundle, leaf_hash: bytes) -> list[CheckResult]:
    """The checks that need nothing but the bundle: record, hex_twins, leaf_hash, serial, inclusion."""
    record, record_check = _check_record(bundle.entry)
    return [
        record_check,
        _check_hex_twins(bundle.hex_twin_mismatches),
        _check_leaf_hash(leaf_hash, bundle.leaf_hash),
        _check_serial(record, bundle.leaf_index),
        _check_inclusion(leaf_hash, bundle),
    ]


def root_check(head: TreeHead, trusted_root: bytes, source: str) -> CheckResult:
    """The trusted_root check: `trusted_root`, read from `source`, is the root of `head`."""
    if trusted_root != head.root_hash:
        gives = f"{source} gives root {trusted_root.hex()} at size {head.tree_size}"
        return CheckResult("trusted_root", "fail", f"{gives}, the bundle says {head.root_hash.hex()}")
    return CheckResult("trusted_root", "pass", f"root {trusted_root.hex()} at size {head.tree_size}, from {source}")


def check_signed_note(bundle: ProofBundle) -> CheckResult:
    signed = bundle.checkpoint
    if signed is None:
        return CheckResult("signed_note", "skip", "the bundle carries no signed checkpoint")
    if signed.note_verifier_key is None:
        return CheckResult("signed_note", "skip", "the bundle carries no key to check the note with")
    try:
        verifier = NoteVerifier.from_key_string(signed.note_verifier_key)
        text, _ = open_note(signed.note, [verifier])
        stated = Checkpoint.parse(text)
    except NoteError as error:
        return CheckResult("signed_note", "fail", str(error))
    if stated != Checkpoint.of(bundle.tree_head):
        return CheckResult("signed_note", "fail", "the signed note states a different tree head than the bundle")
    if hashlib.sha256(text.encode()).digest() != signed.metadata_hash:
        return CheckResult("signed_note", "fail", "the note's SHA-256 is not the checkpoint's metadata hash")
    return CheckResult("signed_note", "pass", f"signed by {verifier.name} (key in the bundle); states this tree head")


def _check_record(entry: bytes) -> tuple[Record | None, CheckResult]:
    try:
        record = Record.from_canonical_bytes(entry)
    except RecordError as error:
        return None, CheckResult("record", "fail", str(error))
    return record, CheckResult("record", "pass", f"record {record.code} in canonical JSON")


def _check_hex_twins(mismatches: tuple[str, ...]) -> CheckResult:
    if mismatches:
        return CheckResult("hex_twins", "fail", f"hex twin differs from its base64 hash: {', '.join(mismatches)}")
    return CheckResult("hex_twins", "pass", "every hex twin states the same hash as its base64 value")


def _check_leaf_hash(computed: bytes, stated: bytes) -> CheckResult:
    if computed != stated:
        detail = f"the record hashes to {computed.hex()}, the bundle says {stated.hex()}"
        return CheckResult("leaf_hash", "fail", detail)
    return CheckResult("leaf_hash", "pass", f"SHA-256(0x00 || record) = {computed.hex()}")


def _check_serial(record: Record | None, leaf_index: int) -> CheckResult:
    if record is None:
        return CheckResult("serial", "skip", "no record to read the 3D code from")
    try:
        serial = ThreeDCode.parse(record.code).serial
    except CodeError as error:
        return CheckResult("serial", "fail", f"the record's 3D code {record.code!r} is malformed: {error}")
    if serial != leaf_index + 1:
        return CheckResult("serial", "fail", f"serial {serial} does not fit leaf index {leaf_index}")
    return CheckResult("serial", "pass", f"serial {serial} = leaf index {leaf_index} + 1")


def _check_inclusion(leaf_hash: bytes, bundle: ProofBundle) -> CheckResult:
    head = bundle.tree_head
    try:
        verify_inclusion(leaf_hash, bundle.leaf_index, head.tree_size, bundle.inclusion, head.root_hash)
    except ProofError as error:
        return CheckResult("inclusion", "fail", str(error))
    return CheckResult(
        "inclusion", "pass", f"leaf {bundle.leaf_index} is in the tree of size {head.tree_size} with that root"
    )


def _guarded(name: str, check: Callable[[], CheckResult]) -> CheckResult:
    """Run a chain check; a revert, an unreachable node or an unencodable value fails it, saying which."""
    try:
        return check()
    except ContractLogicError as error:
        return CheckResult(name, "fail", str(_REVERTS.from_exception(error)))
    except (Web3Exception, OSError, ValueError, LedgerError) as error:
        return CheckResult(name, "fail", f"{type(error).__name__}: {error}")


class _ChainChecks:
    """The checks that ask the chain, each reading only what it needs over JSON-RPC."""

    def __init__(
        self, bundle: ProofBundle, anchor: ChainAnchor, signed: SignedCheckpoint, w3: Web3, leaf_hash: bytes
    ) -> None:
        self.bundle = bundle
        self.anchor = anchor
        self.signed = signed
        self.w3 = w3
        self.leaf_hash = leaf_hash
        self.ledger = w3.eth.contract(address=Web3.to_checksum_address(anchor.contract), abi=LEDGER_ABI)
        self.head = bundle.tree_head

    def chain(self, trusted_contract: str | None) -> CheckResult:
        anchor = self.anchor
        problems: list[str] = []
        served_chain_id = self.w3.eth.chain_id
        if served_chain_id != anchor.chain_id:
            problems.append(f"the RPC endpoint serves chain {served_chain_id}, the bundle names {anchor.chain_id}")
        if trusted_contract is not None and trusted_contract.lower() != anchor.contract.lower():
            problems.append(f"the bundle names contract {anchor.contract}, not the trusted {trusted_contract}")
        if not bytes(self.w3.eth.get_code(self.ledger.address)):
            problems.append(f"no contract is deployed at {anchor.contract}")
        expected = log_id(self.head.origin)
        if anchor.log_id != expected:
            origin = self.head.origin
            problems.append(f"log id 0x{anchor.log_id.hex()} is not 0x{expected.hex()}, keccak256({origin!r})")
        if problems:
            return CheckResult("chain", "fail", "; ".join(problems))
        vouched = "the trusted contract" if trusted_contract is not None else "the contract the bundle names"
        return CheckResult("chain", "pass", f"chain {served_chain_id}, CarbonLedger {anchor.contract} ({vouched}), "
                                            f"log id 0x{anchor.log_id.hex()}")

    def trusted_root(self) -> CheckResult:
        root = bytes(self.ledger.functions.rootAt(self.anchor.log_id, self.head.tree_size).call())
        source = f"rootAt(0x{self.anchor.log_id.hex()[:8]}…, {self.head.tree_size}) on chain {self.anchor.chain_id}"
        return root_check(self.head, root, source)

    def inclusion_on_chain(self) -> CheckResult:
        accepted = self.ledger.functions.verifyInclusion(
            self.anchor.log_id, self.head.tree_size, self.bundle.leaf_index, self.leaf_hash, list(self.bundle.inclusion)
        ).call()
        if not accepted:
            return CheckResult("inclusion_on_chain", "fail",
                               "the contract's verifyInclusion rejects the recomputed leaf hash with this proof")
        return CheckResult("inclusion_on_chain", "pass",
                           f"verifyInclusion(…, {self.head.tree_size}, {self.bundle.leaf_index}, …) is true")

    def oracle_signature(self) -> CheckResult:
        anchor, signed = self.anchor, self.signed
        size = len(signed.eip712_signature)
        if size != EIP712_SIGNATURE_SIZE:
            detail = f"an EIP-712 signature has {EIP712_SIGNATURE_SIZE} bytes, not {size}"
            return CheckResult("oracle_signature", "fail", detail)
        message = CheckpointMessage(anchor.log_id, self.head.tree_size, self.head.root_hash, signed.timestamp,
                                    signed.metadata_hash)
        signable = encode_typed_data(full_message=typed_data(SigningDomain(anchor.chain_id, anchor.contract), message))
        try:
            signer = Account.recover_message(signable, signature=signed.eip712_signature)
        except BadSignature as error:
            return CheckResult("oracle_signature", "fail", f"the signature recovers to no key: {error}")
        role = self.ledger.functions.oracleRole(anchor.log_id).call()
        # The role may have been revoked since; what counts is who held it when the checkpoint was accepted. Reading
        # state at an old block needs a node that keeps it (an archive node, for anchors deep in the past).
        if not self.ledger.functions.hasRole(role, signer).call(block_identifier=anchor.block_number):
            detail = f"signed by {signer}, who held no oracle role for the log at block {anchor.block_number}"
            return CheckResult("oracle_signature", "fail", detail)
        return CheckResult("oracle_signature", "pass",
                           f"signed by {signer}, an oracle of the log at block {anchor.block_number}")

    def anchor_tx(self) -> CheckResult:
        anchor, signed = self.anchor, self.signed
        receipt = self.w3.eth.get_transaction_receipt(HexBytes(anchor.tx_hash))
        problems: list[str] = []
        if receipt["status"] != 1:
            problems.append("the transaction reverted")
        if receipt["blockNumber"] != anchor.block_number or bytes(receipt["blockHash"]) != anchor.block_hash:
            problems.append(f"it is in block {receipt['blockNumber']} 0x{bytes(receipt['blockHash']).hex()}, the "
                            f"bundle says {anchor.block_number} 0x{anchor.block_hash.hex()}")
        canonical_hash = bytes(self.w3.eth.get_block(anchor.block_number)["hash"])
        if canonical_hash != anchor.block_hash:
            problems.append(f"block {anchor.block_number} of this chain is 0x{canonical_hash.hex()}")
        wanted = (anchor.log_id, self.head.tree_size, self.head.root_hash, signed.timestamp, signed.metadata_hash)
        events = self.ledger.events.CheckpointAnchored().process_receipt(receipt, errors=DISCARD)
        if not any(
            event["address"] == self.ledger.address
            and (bytes(event["args"]["logId"]), event["args"]["treeSize"], bytes(event["args"]["rootHash"]),
                 event["args"]["timestamp"], bytes(event["args"]["metadataHash"])) == wanted
            for event in events
        ):
            problems.append("it emitted no CheckpointAnchored event for this checkpoint")
        if problems:
            return CheckResult("anchor_tx", "fail", f"transaction 0x{anchor.tx_hash.hex()}: " + "; ".join(problems))
        return CheckResult("anchor_tx", "pass", f"transaction 0x{anchor.tx_hash.hex()} in block {anchor.block_number} "
                                                f"emitted CheckpointAnchored for size {self.head.tree_size}")


# --- JSON -----------------------------------------------------------------------------------------------


def _base64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _hash_json(name: str, value: bytes) -> dict[str, str]:
    return {name: _base64(value), f"{name}_hex": value.hex()}


def _chain_hex(value: bytes) -> str:
    return "0x" + value.hex()


def _tree_head_json(head: TreeHead) -> dict[str, Any]:
    return {"origin": head.origin, "tree_size": head.tree_size, **_hash_json("root_hash", head.root_hash)}


def _signed_json(signed: SignedCheckpoint) -> dict[str, Any]:
    return {
        "timestamp": signed.timestamp,
        "metadata_hash": _chain_hex(signed.metadata_hash),
        "eip712_signature": _chain_hex(signed.eip712_signature),
        "note": signed.note,
        "note_verifier_key": signed.note_verifier_key,
    }


def _anchor_json(anchor: ChainAnchor) -> dict[str, Any]:
    return {
        "chain_id": anchor.chain_id,
        "contract": anchor.contract,
        "log_id": _chain_hex(anchor.log_id),
        "tx_hash": _chain_hex(anchor.tx_hash),
        "block_number": anchor.block_number,
        "block_hash": _chain_hex(anchor.block_hash),
    }


def _signed_from_json(field: str, document: Mapping[str, Any]) -> SignedCheckpoint:
    key = document.get("note_verifier_key")
    return SignedCheckpoint(
        timestamp=_uint64(f"{field}.timestamp", document.get("timestamp")),
        metadata_hash=_chain_bytes(f"{field}.metadata_hash", document.get("metadata_hash"), HASH_SIZE),
        eip712_signature=_chain_bytes(f"{field}.eip712_signature", document.get("eip712_signature")),
        note=_string(f"{field}.note", document.get("note")),
        note_verifier_key=None if key is None else _string(f"{field}.note_verifier_key", key),
    )


def _anchor_from_json(field: str, document: Mapping[str, Any]) -> ChainAnchor:
    contract = _string(f"{field}.contract", document.get("contract"))
    if not is_checksum_address(contract):
        raise BundleFormatError(f"{field}.contract", "must be a checksummed 20-byte hex address")
    return ChainAnchor(
        chain_id=_index(f"{field}.chain_id", document.get("chain_id")),
        contract=contract,
        log_id=_chain_bytes(f"{field}.log_id", document.get("log_id"), HASH_SIZE),
        tx_hash=_chain_bytes(f"{field}.tx_hash", document.get("tx_hash"), HASH_SIZE),
        block_number=_index(f"{field}.block_number", document.get("block_number")),
        block_hash=_chain_bytes(f"{field}.block_hash", document.get("block_hash"), HASH_SIZE),
    )


def _optional(field: str, value: object, read: Callable[[str, Mapping[str, Any]], Any]) -> Any:
    return None if value is None else read(field, _object(field, value))


def _object(field: str, value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise BundleFormatError(field, "must be a JSON object")
    return value


def _string(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise BundleFormatError(field, "must be a string")
    return value


def _index(field: str, value: object) -> int:
    # Sizes and indices are stored as signed 64-bit integers.
    maximum = 2**63 - 1
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise BundleFormatError(field, f"must be a whole number in 0..{maximum}")
    return value


def _uint64(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_UINT64:
        raise BundleFormatError(field, "must be a whole number in 0..2**64-1")
    return value


def _base64_bytes(field: str, text: object) -> bytes:
    if not isinstance(text, str):
        raise BundleFormatError(field, "must be a base64 string")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as error:  # binascii.Error, or characters outside ASCII
        raise BundleFormatError(field, "is not valid base64") from error


def _log_hash(field: str, text: object) -> bytes:
    """A hash of the log, as 64 hex digits or standard base64 (the two cannot be confused)."""
    value = _string(field, text)
    decoded = bytes.fromhex(value) if _HEX_HASH.fullmatch(value) else _base64_bytes(field, value)
    if len(decoded) != HASH_SIZE:
        raise BundleFormatError(field, f"must be a {HASH_SIZE}-byte hash as 64 hex digits or base64")
    return decoded


def _chain_bytes(field: str, text: object, size: int | None = None) -> bytes:
    value = _string(field, text)
    if not _CHAIN_HEX.fullmatch(value):
        raise BundleFormatError(field, "must be 0x-prefixed hex")
    decoded = binascii.unhexlify(value[2:])
    if size is not None and len(decoded) != size:
        raise BundleFormatError(field, f"must be {size} bytes, not {len(decoded)}")
    return decoded
