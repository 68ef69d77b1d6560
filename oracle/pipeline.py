"""The oracle's anchoring pipeline: checkpoint the log, sign, anchor on chain, post account totals.

Each step persists its state (oracle/pipeline_store.py) before it acts, so `run_once` after any crash
resumes exactly: a pending checkpoint gets signed, a signed one anchored (or found anchored already), an
anchored one gets its account postings planned once and sent once each. Every pass first makes sure the chain
is the one this database anchored on and takes back what a reorg removed: transactions go back to be sent
again and checkpoints the chain no longer holds go back to `signed`.

A batch closes when the log has grown by `max_records` since the last checkpoint, or when records past the
last checkpoint have been waiting `max_age_s` (measured from when this oracle first saw them).
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
from web3.exceptions import ContractLogicError

from ledger.log import MerkleLog
from oracle.account_totals import account_totals
from oracle.audit import AuditReport, ReconciliationError, audit, check_chain
from oracle.batch_totals import BatchTotals
from oracle.chain import ContractRevertError, TransactionSender
from oracle.chain_ids import account_id
from oracle.checkpoint import Checkpoint
from oracle.crash import crash_point
from oracle.eip712 import CheckpointMessage, SigningDomain, log_id, sign
from oracle.note import NoteSigner
from oracle.pipeline_store import CheckpointRow, CheckpointState, PipelineStore, PostingRow

logger = logging.getLogger(__name__)

# Entries are read in slices of this many when totalling a checkpoint's records per account and year.
_READ_SLICE = 50_000


@dataclass(frozen=True)
class BatchPolicy:
    """When a batch of records closes into a checkpoint: at `max_records` records, or after `max_age_s`."""

    max_records: int = 10_000
    max_age_s: float = 60.0

    def due(self, waiting_records: int, waited_s: float) -> bool:
        """Whether `waiting_records` records past the last checkpoint, waiting `waited_s`, make a batch."""
        return waiting_records >= self.max_records or waited_s >= self.max_age_s


@dataclass(frozen=True)
class OracleContracts:
    ledger: Any
    accounts: Any
    domain: SigningDomain


@dataclass(frozen=True)
class _Waiting:
    """Records past the checkpoint at `covered_size` were first seen at `since` (the oracle's clock)."""

    covered_size: int
    since: float


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
        self._waiting: _Waiting | None = None
        self._batch_totals = BatchTotals(store.engine, log.origin)

    def start(self) -> AuditReport:
        """Before the first pass: take back what reorgs removed, then check database, log and chain agree.

        Raises ChainResetError if the chain is not the one this database anchored on, ReconciliationError if
        they disagree otherwise.
        """
        self.recover_reorgs()
        return audit(self.log, self.store, self.sender.w3, self.contracts.ledger)

    def run_once(self, force: bool = False) -> list[CheckpointRow]:
        """One pass: resume unfinished work, close a batch if due (or `force`), and carry it to the chain."""
        self.recover_reorgs()
        self.sender.resume()
        self.checkpoint_if_due(force)
        for row in self.store.checkpoints(self.log.origin, CheckpointState.PENDING):
            self.sign(row)
        for row in self.store.checkpoints(self.log.origin, CheckpointState.SIGNED):
            self.anchor(row)
        for row in self.store.checkpoints_without_postings(self.log.origin):
            self.plan_postings(row)
        for posting in self.store.postings_to_send(self.log.origin):
            self.send_posting(posting)
        return self.store.checkpoints(self.log.origin)

    def recover_reorgs(self) -> None:
        """Stop on a reset chain; re-queue transactions reorged away; un-anchor checkpoints the chain lost."""
        check_chain(self.store, self.sender.w3, self.contracts.ledger, remember=True)
        self.sender.reorged()
        chain_size = self.contracts.ledger.functions.latestHead(self.log_id).call()[0]
        for row in self.store.checkpoints(self.log.origin, CheckpointState.ANCHORED):
            if row.tree_size > chain_size:
                logger.warning("checkpoint %s at size %d is no longer on chain (reorg); anchoring it again",
                               row.origin, row.tree_size)
                self.store.update_checkpoint(row.origin, row.tree_size, state=CheckpointState.SIGNED)

    def checkpoint_if_due(self, force: bool = False) -> CheckpointRow | None:
        head = self.log.tree_head()
        latest = self.store.latest_checkpoint(self.log.origin)
        covered = latest.tree_size if latest else 0
        waiting_records = head.tree_size - covered
        if waiting_records <= 0:
            self._waiting = None
            return None
        now = self.clock()
        if self._waiting is None or self._waiting.covered_size != covered:
            self._waiting = _Waiting(covered, now)
        if not force and not self.policy.due(waiting_records, now - self._waiting.since):
            return None
        body = Checkpoint.of(head).body()
        row = CheckpointRow(
            origin=self.log.origin,
            tree_size=head.tree_size,
            root_hash=head.root_hash,
            timestamp=int(now),
            metadata_hash=hashlib.sha256(body.encode()).digest(),
            state=CheckpointState.PENDING,
            signature=None,
            note=None,
            tx_subject=None,
        )
        crash_point("checkpoint-due")
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
        anchored_size = ledger.functions.latestHead(self.log_id).call()[0]
        if anchored_size >= row.tree_size:
            # Anchored already: by an earlier run that crashed before recording it, or by another relayer.
            self._check_root_on_chain(row)
            self._mark_anchored(row)
            return
        proof = self.log.consistency_proof(anchored_size, row.tree_size) if anchored_size else []
        subject = f"anchor:{row.origin}:{row.tree_size}"
        if row.tx_subject is None:
            self.store.update_checkpoint(row.origin, row.tree_size, tx_subject=subject)
            crash_point("anchor-subject-recorded")
        assert row.signature is not None
        call = ledger.functions.anchor(self.message(row).as_struct(), proof, row.signature)
        self.sender.send(subject, call)
        crash_point("anchor-confirmed")
        self._check_root_on_chain(row)
        self._mark_anchored(row)

    def _check_root_on_chain(self, row: CheckpointRow) -> None:
        try:
            on_chain = bytes(self.contracts.ledger.functions.rootAt(self.log_id, row.tree_size).call())
        except ContractLogicError as error:
            revert = self.sender.decoder.from_exception(error)
            raise ReconciliationError(f"size {row.tree_size} is not anchored on chain: {revert}") from error
        if on_chain != row.root_hash:
            raise ReconciliationError(f"root on chain at size {row.tree_size} differs from the local checkpoint")

    def _mark_anchored(self, row: CheckpointRow) -> None:
        self.store.update_checkpoint(row.origin, row.tree_size, state=CheckpointState.ANCHORED)
        logger.info("anchored %s at size %d", row.origin, row.tree_size)
        crash_point("checkpoint-anchored")

    def plan_postings(self, row: CheckpointRow) -> None:
        """Persist the account postings of an anchored checkpoint: its records' CO2e per account and year."""
        previous_size = max((other.tree_size for other in self.store.checkpoints(row.origin)
                             if other.tree_size < row.tree_size), default=0)
        planned = [
            PostingRow(row.origin, row.tree_size, account, year, co2e_g,
                       f"post:{row.origin}:{row.tree_size}:{account}:{year}")
            for (account, year), co2e_g in sorted(self.totals(previous_size, row.tree_size).items())
        ]
        self.store.add_postings(planned)
        crash_point("postings-planned")

    def send_posting(self, posting: PostingRow) -> None:
        call = self.contracts.accounts.functions.postEmissions(
            account_id(posting.account), posting.year, posting.co2e_g, self.log_id, posting.tree_size
        )
        try:
            self.sender.send(posting.tx_subject, call)
        except ContractRevertError as error:
            # E.g. an account not registered on chain yet: the posting stays planned and is tried next pass.
            logger.warning("posting %s held back: %s", posting.tx_subject, error)

    def totals(self, start: int, end: int) -> dict[tuple[str, int], int]:
        """CO2e grams per (account, year) over entries [start, end), of the records that count toward accounts:
        the totals the importer stored for its batches, the records read and totalled elsewhere."""
        return self._batch_totals.totals(start, end, self.read_totals)

    def read_totals(self, start: int, end: int) -> dict[tuple[str, int], int]:
        """As `totals`, from the records themselves."""
        totals: defaultdict[tuple[str, int], int] = defaultdict(int)
        for slice_start in range(start, end, _READ_SLICE):
            entries = self.log.entries(slice_start, min(slice_start + _READ_SLICE, end))
            for key, grams in account_totals(json.loads(entry) for entry in entries).items():
                totals[key] += grams
        return dict(totals)
