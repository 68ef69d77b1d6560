"""The oracle's anchoring pipeline: checkpoint the log, sign, anchor on chain, post account totals.

Each step persists its state (oracle/pipeline_store.py) before it acts, so `run_once` after any crash
resumes exactly: a pending checkpoint gets signed, a signed one anchored (or found anchored already), an
anchored one gets its account postings planned once and sent once each. A batch closes when the log has grown
by `max_records` since the last checkpoint, or when the oldest unanchored record has waited `max_age_s`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount

from ledger.log import MerkleLog
from oracle.account_totals import account_totals
from oracle.audit import ReconciliationError
from oracle.chain import ContractRevertError, TransactionSender
from oracle.chain_ids import account_id
from oracle.checkpoint import Checkpoint
from oracle.crash import crash_point
from oracle.eip712 import CheckpointMessage, SigningDomain, log_id, sign
from oracle.note import NoteSigner
from oracle.pipeline_store import CheckpointRow, CheckpointState, PipelineStore, PostingRow, TxState

logger = logging.getLogger(__name__)

# Entries are read in slices of this many when totalling a checkpoint's records per account and year.
_READ_SLICE = 50_000


@dataclass(frozen=True)
class BatchPolicy:
    max_records: int = 10_000
    max_age_s: float = 60.0


@dataclass(frozen=True)
class OracleContracts:
    ledger: Any
    accounts: Any
    domain: SigningDomain


class Oracle:
    """Anchors one log's checkpoints and posts its accounts' totals."""

    def __init__(
        self,
        log: MerkleLog,
        store: PipelineStore,
        sender: TransactionSender,
        contracts: OracleContracts,
        checkpoint_key: LocalAccount,
        note_signer: NoteSigner,
        policy: BatchPolicy = BatchPolicy(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.log = log
        self.store = store
        self.sender = sender
        self.contracts = contracts
        self.checkpoint_key = checkpoint_key
        self.note_signer = note_signer
        self.policy = policy
        self.clock = clock
        self.log_id = log_id(log.origin)

    def run_once(self, force: bool = False) -> list[CheckpointRow]:
        """One pass: resume unfinished work, close a batch if due (or `force`), and carry it to the chain."""
        self.sender.resume()
        self.checkpoint_if_due(force)
        for row in self.store.checkpoints(self.log.origin, CheckpointState.PENDING):
            self.sign(row)
        for row in self.store.checkpoints(self.log.origin, CheckpointState.SIGNED):
            self.anchor(row)
        anchored = self.store.checkpoints(self.log.origin, CheckpointState.ANCHORED)
        for previous, row in zip([None, *anchored[:-1]], anchored):
            self.post(row, previous.tree_size if previous else 0)
        return self.store.checkpoints(self.log.origin)

    def checkpoint_if_due(self, force: bool = False) -> CheckpointRow | None:
        head = self.log.tree_head()
        latest = self.store.latest_checkpoint(self.log.origin)
        covered = latest.tree_size if latest else 0
        if head.tree_size <= covered:
            return None
        waited_s = self.clock() - (latest.timestamp if latest else 0)
        if not force and head.tree_size - covered < self.policy.max_records and waited_s < self.policy.max_age_s:
            return None
        body = Checkpoint.of(head).body()
        row = CheckpointRow(
            origin=self.log.origin,
            tree_size=head.tree_size,
            root_hash=head.root_hash,
            timestamp=int(self.clock()),
            metadata_hash=hashlib.sha256(body.encode()).digest(),
            state=CheckpointState.PENDING,
            signature=None,
            note=None,
            tx_subject=None,
        )
        self.store.add_checkpoint(row)
        logger.info("checkpoint %s at size %d", self.log.origin, head.tree_size)
        crash_point("checkpoint-persisted")
        return row

    def message(self, row: CheckpointRow) -> CheckpointMessage:
        return CheckpointMessage(self.log_id, row.tree_size, row.root_hash, row.timestamp, row.metadata_hash)

    def sign(self, row: CheckpointRow) -> None:
        crash_point("before-sign")
        signature = sign(bytes(self.checkpoint_key.key), self.contracts.domain, self.message(row))
        note = Checkpoint(row.origin, row.tree_size, row.root_hash).signed([self.note_signer])
        self.store.update_checkpoint(row.origin, row.tree_size, state=CheckpointState.SIGNED,
                                     signature=signature, note=note)
        crash_point("checkpoint-signed")

    def anchor(self, row: CheckpointRow) -> None:
        ledger = self.contracts.ledger
        anchored_size, anchored_root, _ = ledger.functions.latestHead(self.log_id).call()
        if anchored_size >= row.tree_size:
            # Anchored already: by an earlier run that crashed before recording it, or by another relayer.
            on_chain = bytes(ledger.functions.rootAt(self.log_id, row.tree_size).call())
            if on_chain != row.root_hash:
                raise ReconciliationError(f"root on chain at size {row.tree_size} differs from the local checkpoint")
            self.store.update_checkpoint(row.origin, row.tree_size, state=CheckpointState.ANCHORED)
            return
        proof = self.log.consistency_proof(anchored_size, row.tree_size) if anchored_size else []
        subject = f"anchor:{row.origin}:{row.tree_size}"
        if row.tx_subject is None:
            self.store.update_checkpoint(row.origin, row.tree_size, tx_subject=subject)
        assert row.signature is not None or self.store.transaction(subject) is not None
        call = ledger.functions.anchor(self.message(row).as_struct(), proof, row.signature)
        self.sender.send(subject, call)
        crash_point("anchor-confirmed")
        self.store.update_checkpoint(row.origin, row.tree_size, state=CheckpointState.ANCHORED)
        logger.info("anchored %s at size %d", row.origin, row.tree_size)

    def post(self, row: CheckpointRow, previous_size: int) -> None:
        planned = self.store.postings(row.origin, row.tree_size)
        if not planned:
            planned = [
                PostingRow(row.origin, row.tree_size, account, year, co2e_g,
                           f"post:{row.origin}:{row.tree_size}:{account}:{year}")
                for (account, year), co2e_g in sorted(self.totals(previous_size, row.tree_size).items())
            ]
            self.store.add_postings(planned)
            crash_point("postings-planned")
        for posting in planned:
            sent = self.store.transaction(posting.tx_subject)
            if sent is not None and sent.state is TxState.CONFIRMED:
                continue
            call = self.contracts.accounts.functions.postEmissions(
                account_id(posting.account), posting.year, posting.co2e_g, self.log_id, posting.tree_size
            )
            try:
                self.sender.send(posting.tx_subject, call)
            except ContractRevertError as error:
                logger.warning("posting %s held back: %s", posting.tx_subject, error)

    def totals(self, start: int, end: int) -> dict[tuple[str, int], int]:
        """CO2e grams per (account, year) over entries [start, end), of the records that count toward accounts."""
        totals: defaultdict[tuple[str, int], int] = defaultdict(int)
        for slice_start in range(start, end, _READ_SLICE):
            entries = self.log.entries(slice_start, min(slice_start + _READ_SLICE, end))
            for key, grams in account_totals(json.loads(entry) for entry in entries).items():
                totals[key] += grams
        return dict(totals)
