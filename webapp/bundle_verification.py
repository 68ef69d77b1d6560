"""Checking a proof bundle link by link, so whoever verifies sees which link holds and which one breaks.

The checks, in order (webapp/static/verify.js runs the same ones in the browser, under the same names):
- record: the record is a version 1 record in canonical JSON (RFC 8785), exactly as the ledger hashes it;
- hex_twins: the hex twins of the hashes (`leaf_hash_hex`, `tree_head.root_hash_hex`), which people read,
  state the same hashes as the base64 values, which the checks use;
- leaf_hash: SHA-256(0x00 || record) is the bundle's leaf hash;
- serial: the serial of the record's 3D code is its leaf index + 1;
- inclusion: the inclusion proof leads from that leaf hash to the root of the bundle's tree head;
- trusted_root: that root is the one the trusted source gives for the log at that size (for now this
  server's log; once anchoring is wired, the root read from the chain);
- checkpoint: the bundle's signed note states its tree head and is signed by the log's checkpoint key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ledger.code import ThreeDCode
from ledger.errors import CodeError, LedgerError, ProofError, RecordError
from ledger.hasher import hash_leaf
from ledger.log import TreeHead
from ledger.record import Record
from ledger.verify import verify_inclusion
from oracle.checkpoint import Checkpoint
from oracle.note import NoteError, NoteVerifier, open_note
from webapp.error_responses import error_text
from webapp.proof_bundle import ProofBundle

Status = Literal["pass", "fail", "skip"]


@dataclass(frozen=True)
class CheckResult:
    check: str
    status: Status
    detail: str


TrustedRoot = Callable[[TreeHead], bytes]
"""The trusted root of the log `head.origin` at `head.tree_size`; raises LedgerError saying why there is none."""


def verify_bundle(
    bundle: ProofBundle, trusted_root: TrustedRoot, checkpoint_verifier: NoteVerifier | None
) -> list[CheckResult]:
    """Every check's result; the bundle holds when none failed."""
    record, record_check = _check_record(bundle.entry)
    leaf_hash = hash_leaf(bundle.entry)
    return [
        record_check,
        _check_hex_twins(bundle.hex_twin_mismatches),
        _check_leaf_hash(leaf_hash, bundle.leaf_hash),
        _check_serial(record, bundle.leaf_index),
        _check_inclusion(leaf_hash, bundle),
        _check_trusted_root(bundle.tree_head, trusted_root),
        _check_checkpoint(bundle, checkpoint_verifier),
    ]


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


def _check_trusted_root(head: TreeHead, trusted_root: TrustedRoot) -> CheckResult:
    try:
        trusted = trusted_root(head)
    except LedgerError as error:
        return CheckResult("trusted_root", "fail", f"no trusted root for this tree head: {error_text(error)}")
    if trusted != head.root_hash:
        return CheckResult(
            "trusted_root",
            "fail",
            f"the trusted root at size {head.tree_size} is {trusted.hex()}, the bundle says {head.root_hash.hex()}",
        )
    return CheckResult("trusted_root", "pass", f"root {trusted.hex()} is the trusted root at size {head.tree_size}")


def _check_checkpoint(bundle: ProofBundle, verifier: NoteVerifier | None) -> CheckResult:
    if bundle.checkpoint is None:
        return CheckResult("checkpoint", "skip", "the bundle carries no signed checkpoint")
    if verifier is None:
        return CheckResult("checkpoint", "skip", "no checkpoint key here to check the signature with")
    try:
        text, _ = open_note(bundle.checkpoint, [verifier])
        signed = Checkpoint.parse(text)
    except NoteError as error:
        return CheckResult("checkpoint", "fail", str(error))
    if signed != Checkpoint.of(bundle.tree_head):
        return CheckResult("checkpoint", "fail", "the signed note states a different tree head than the bundle")
    return CheckResult("checkpoint", "pass", f"signed by {verifier.name}")
