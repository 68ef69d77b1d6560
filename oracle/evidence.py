"""The evidence pack of an account-year: what a verifier needs to check an inventory without trusting the server.

A pack holds the account's records of the year as the exact bytes the log hashed, each with its leaf index,
leaf hash and RFC 9162 inclusion proof in the tree of the latest checkpoint anchored on chain, and that
checkpoint: origin, tree size, root hash, the oracle's EIP-712 signature with the fields it signed, the C2SP
signed note (Ed25519), the anchoring transaction, and (when known) the chain and contract it was anchored in.
Records appended after that checkpoint cannot be proved against an anchored root yet: the pack leaves them
out and counts them.

An account "QZ0001" takes the enterprise's records (all its facilities); "QZ0001.F01" one facility's. The year
is the first four digits of a record's period. Hashes are hex throughout.

As a ZIP (the same pack always gives the same bytes):

    manifest.json                        everything but the record bytes, with each record's file name
    records/<leaf index>-<3D code>.json  a record's canonical JSON, byte for byte as hashed
    checkpoint.note                      the signed note, as `carbonledger` and witnesses check it
    README.txt                           how to check the pack

The log is read in slices of READ_SLICE entries; the scan helpers here also serve the explorer's views.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ledger.errors import NoAnchoredCheckpointError
from ledger.hasher import hash_leaf
from ledger.log import MerkleLog
from oracle.contracts import Deployment
from oracle.eip712 import log_id
from oracle.pipeline_store import CheckpointRow, CheckpointState, PipelineStore

EVIDENCE_FORMAT = "carbonledger-evidence-pack/1"
READ_SLICE = 10_000
# ZIP entries carry a time; a fixed one makes the archive a function of its content.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_README = """carbon-ledger evidence pack ({format})

Account {account}, year {year}: {count} record(s) proved against checkpoint {tree_size} of log {origin}.

To check it:
1. For each record file, leaf hash = SHA-256(0x00 || file bytes) must equal the manifest's leaf_hash.
2. The inclusion proof (RFC 9162, hashes in hex, leaf end first) from that leaf hash at leaf_index must lead
   to the checkpoint's root_hash for tree_size.
3. The root must be the one anchored on chain: CarbonLedger.rootAt(log_id, tree_size) at the contract in
   manifest.checkpoint.anchor, or check the oracle's EIP-712 signature and the signed note checkpoint.note.
4. Each record's co2e_g can be recomputed from its calculation receipt (`carbonledger recompute`).
"""


def account_matches(account: str, record_account: str, record_facility: str | None) -> bool:
    """Whether a record of `record_account` (at `record_facility`) is one of `account`'s: an enterprise id takes
    all its facilities' records, "ENTERPRISE.FACILITY" one facility's."""
    enterprise, separator, facility = account.partition(".")
    return record_account == enterprise and (not separator or record_facility == facility)


def record_year(record: dict[str, Any]) -> int:
    return int(str(record["period"])[:4])


def logged_records(log: MerkleLog, start: int, end: int) -> Iterator[tuple[int, bytes, dict[str, Any]]]:
    """(leaf index, entry bytes, parsed record) for the log's entries [start, end), read in slices."""
    for slice_start in range(start, end, READ_SLICE):
        entries = log.entries(slice_start, min(slice_start + READ_SLICE, end))
        for offset, entry in enumerate(entries):
            yield slice_start + offset, entry, json.loads(entry)


@dataclass(frozen=True)
class EvidenceRecord:
    leaf_index: int
    code: str
    entry: bytes
    leaf_hash: bytes
    inclusion: tuple[bytes, ...]

    @property
    def file_name(self) -> str:
        return f"records/{self.leaf_index}-{self.code}.json"

    def manifest_entry(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "code": self.code,
            "leaf_index": self.leaf_index,
            "leaf_hash": self.leaf_hash.hex(),
            "inclusion": [element.hex() for element in self.inclusion],
        }


@dataclass(frozen=True)
class EvidencePack:
    account: str
    year: int
    checkpoint: CheckpointRow
    anchor: dict[str, Any] | None
    records: tuple[EvidenceRecord, ...]
    records_after_checkpoint: int

    def manifest(self) -> dict[str, Any]:
        checkpoint = self.checkpoint
        return {
            "format": EVIDENCE_FORMAT,
            "account": self.account,
            "year": self.year,
            "checkpoint": {
                "origin": checkpoint.origin,
                "log_id": log_id(checkpoint.origin).hex(),
                "tree_size": checkpoint.tree_size,
                "root_hash": checkpoint.root_hash.hex(),
                "eip712": {
                    "timestamp": checkpoint.timestamp,
                    "metadata_hash": checkpoint.metadata_hash.hex(),
                    "signature": None if checkpoint.signature is None else checkpoint.signature.hex(),
                },
                "note": checkpoint.note,
                "anchor": self.anchor,
            },
            "records": [record.manifest_entry() for record in self.records],
            "records_after_checkpoint": self.records_after_checkpoint,
        }

    def to_json(self) -> dict[str, Any]:
        """The manifest with each record's canonical JSON inline, as text."""
        manifest = self.manifest()
        for entry, record in zip(manifest["records"], self.records, strict=True):
            entry["record"] = record.entry.decode("utf-8")
        return manifest

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            def add(name: str, data: bytes) -> None:
                archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), data, zipfile.ZIP_DEFLATED)

            add("manifest.json", (json.dumps(self.manifest(), indent=2, sort_keys=True) + "\n").encode())
            add("README.txt", _README.format(
                format=EVIDENCE_FORMAT, account=self.account, year=self.year, count=len(self.records),
                tree_size=self.checkpoint.tree_size, origin=self.checkpoint.origin).encode())
            if self.checkpoint.note is not None:
                add("checkpoint.note", self.checkpoint.note.encode())
            for record in self.records:
                add(record.file_name, record.entry)
        return buffer.getvalue()


def latest_anchored_checkpoint(store: PipelineStore, origin: str) -> CheckpointRow:
    anchored = store.checkpoints(origin, CheckpointState.ANCHORED)
    if not anchored:
        raise NoAnchoredCheckpointError(f"no checkpoint of log {origin!r} is anchored on chain yet")
    return anchored[-1]


def anchor_of(store: PipelineStore, checkpoint: CheckpointRow, deployment: Deployment | None) -> dict[str, Any] | None:
    """Where the checkpoint was anchored: chain, CarbonLedger address, transaction (what is known of them)."""
    transaction = None if checkpoint.tx_subject is None else store.transaction(checkpoint.tx_subject)
    if deployment is None and transaction is None:
        return None
    return {
        "chain_id": None if deployment is None else deployment.chain_id,
        "ledger_contract": None if deployment is None else deployment.contracts["CarbonLedger"].address,
        "tx_hash": None if transaction is None else "0x" + transaction.tx_hash.hex(),
        "block_number": None if transaction is None else transaction.block_number,
    }


def evidence_pack(log: MerkleLog, store: PipelineStore, account: str, year: int,
                  deployment: Deployment | None = None) -> EvidencePack:
    """The evidence pack of `account`'s records of `year`, proved against the latest anchored checkpoint."""
    checkpoint = latest_anchored_checkpoint(store, log.origin)
    records: list[EvidenceRecord] = []
    later = 0
    for leaf_index, entry, record in logged_records(log, 0, log.tree_head().tree_size):
        if record_year(record) != year or not account_matches(account, record["account"], record.get("facility")):
            continue
        if leaf_index >= checkpoint.tree_size:
            later += 1
            continue
        inclusion = tuple(log.inclusion_proof(leaf_index, checkpoint.tree_size))
        records.append(EvidenceRecord(leaf_index, str(record["code"]), entry, hash_leaf(entry), inclusion))
    return EvidencePack(account, year, checkpoint, anchor_of(store, checkpoint, deployment), tuple(records), later)
