"""What the oracle persists before it acts: checkpoints, the transactions that carry them, account postings.

Every step writes its state here before it touches the chain, so a restart resumes exactly where the last run
stopped: a checkpoint is pending, then signed, then anchored; a transaction is prepared (signed raw bytes and
hash stored, nothing sent), then submitted, then confirmed, reverted or replaced (another transaction took
its nonce). The chain the transactions went to is remembered by its id and the hash of its block 1, so a
reset chain cannot pass for it. The tables live in the ledger's database beside the log.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    Select,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)

metadata = MetaData()


class CheckpointState(str, enum.Enum):
    PENDING = "pending"
    SIGNED = "signed"
    ANCHORED = "anchored"


class TxState(str, enum.Enum):
    PREPARED = "prepared"
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    REVERTED = "reverted"
    REPLACED = "replaced"


checkpoints = Table(
    "oracle_checkpoints",
    metadata,
    Column("origin", String(255), primary_key=True),
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("metadata_hash", LargeBinary(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("signature", LargeBinary, nullable=True),
    Column("note", Text, nullable=True),
    Column("tx_subject", String(255), nullable=True),
)

transactions = Table(
    "oracle_transactions",
    metadata,
    Column("subject", String(255), primary_key=True),
    Column("sender", String(42), nullable=False),
    Column("nonce", BigInteger, nullable=False),
    Column("raw_tx", LargeBinary, nullable=False),
    Column("tx_hash", LargeBinary(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("block_number", BigInteger, nullable=True),
    Column("block_hash", LargeBinary(32), nullable=True),
    Column("error", Text, nullable=True),
)

chains = Table(
    "oracle_chain",
    metadata,
    Column("chain_id", BigInteger, primary_key=True, autoincrement=False),
    Column("block_one_hash", LargeBinary(32), nullable=False),
)

postings = Table(
    "oracle_postings",
    metadata,
    Column("origin", String(255), primary_key=True),
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("account", String(64), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("co2e_g", BigInteger, nullable=False),
    Column("tx_subject", String(255), nullable=False),
)


@dataclass(frozen=True)
class ChainIdentity:
    """Which chain: its id and the hash of its block 1, which a chain started afresh does not share.

    Not the genesis block: Anvil makes a new genesis block each time it loads a saved state, so block 1 is
    the oldest block that stays the same.
    """

    chain_id: int
    block_one_hash: bytes


@dataclass(frozen=True)
class CheckpointRow:
    origin: str
    tree_size: int
    root_hash: bytes
    timestamp: int
    metadata_hash: bytes
    state: CheckpointState
    signature: bytes | None
    note: str | None
    tx_subject: str | None


@dataclass(frozen=True)
class TxRow:
    subject: str
    sender: str
    nonce: int
    raw_tx: bytes
    tx_hash: bytes
    state: TxState
    block_number: int | None
    block_hash: bytes | None
    error: str | None


@dataclass(frozen=True)
class PostingRow:
    origin: str
    tree_size: int
    account: str
    year: int
    co2e_g: int
    tx_subject: str


def _checkpoint(row: Any) -> CheckpointRow:
    return CheckpointRow(
        row.origin, row.tree_size, bytes(row.root_hash), row.timestamp, bytes(row.metadata_hash),
        CheckpointState(row.state), None if row.signature is None else bytes(row.signature), row.note, row.tx_subject,
    )


def _tx(row: Any) -> TxRow:
    return TxRow(
        row.subject, row.sender, row.nonce, bytes(row.raw_tx), bytes(row.tx_hash), TxState(row.state),
        row.block_number, None if row.block_hash is None else bytes(row.block_hash), row.error,
    )


class PipelineStore:
    """The oracle's persistent state, in the ledger's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    # Checkpoints

    def add_checkpoint(self, row: CheckpointRow) -> None:
        with self.engine.begin() as connection:
            connection.execute(insert(checkpoints).values(dict(row.__dict__, state=row.state.value)))

    def checkpoints(self, origin: str, state: CheckpointState | None = None) -> list[CheckpointRow]:
        query = select(checkpoints).where(checkpoints.c.origin == origin).order_by(checkpoints.c.tree_size)
        if state is not None:
            query = query.where(checkpoints.c.state == state.value)
        with self.engine.connect() as connection:
            return [_checkpoint(row) for row in connection.execute(query)]

    def latest_checkpoint(self, origin: str) -> CheckpointRow | None:
        query = (
            select(checkpoints).where(checkpoints.c.origin == origin).order_by(checkpoints.c.tree_size.desc()).limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else _checkpoint(row)

    def update_checkpoint(self, origin: str, tree_size: int, **values: Any) -> None:
        if "state" in values:
            values["state"] = CheckpointState(values["state"]).value
        with self.engine.begin() as connection:
            connection.execute(
                update(checkpoints)
                .where(checkpoints.c.origin == origin, checkpoints.c.tree_size == tree_size)
                .values(**values)
            )

    # Transactions

    def add_transaction(self, row: TxRow) -> None:
        with self.engine.begin() as connection:
            connection.execute(insert(transactions).values(dict(row.__dict__, state=row.state.value)))

    def transaction(self, subject: str) -> TxRow | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(transactions).where(transactions.c.subject == subject)).first()
        return None if row is None else _tx(row)

    def transactions_in(
        self, states: Sequence[TxState], sender: str | None = None, from_block: int | None = None
    ) -> list[TxRow]:
        """The transactions in `states` (of `sender`, mined in `from_block` or later, if given) by sender and nonce."""
        query = select(transactions).where(transactions.c.state.in_([state.value for state in states]))
        if sender is not None:
            query = query.where(transactions.c.sender == sender)
        if from_block is not None:
            query = query.where(transactions.c.block_number >= from_block)
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(transactions.c.sender, transactions.c.nonce))
            return [_tx(row) for row in rows]

    def update_transaction(self, subject: str, **values: Any) -> None:
        if "state" in values:
            values["state"] = TxState(values["state"]).value
        with self.engine.begin() as connection:
            connection.execute(update(transactions).where(transactions.c.subject == subject).values(**values))

    def next_nonce(self, sender: str) -> int | None:
        """One past the highest nonce this store has used for `sender` in a transaction still standing."""
        with self.engine.connect() as connection:
            highest = connection.execute(
                select(func.max(transactions.c.nonce)).where(
                    transactions.c.sender == sender,
                    transactions.c.state != TxState.REPLACED.value,
                )
            ).scalar()
        return None if highest is None else int(highest) + 1

    # The chain

    def chain_identity(self) -> ChainIdentity | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(chains)).first()
        return None if row is None else ChainIdentity(row.chain_id, bytes(row.block_one_hash))

    def remember_chain(self, identity: ChainIdentity) -> None:
        with self.engine.begin() as connection:
            connection.execute(insert(chains).values(chain_id=identity.chain_id,
                                                     block_one_hash=identity.block_one_hash))

    # Postings

    def add_postings(self, rows: Sequence[PostingRow]) -> None:
        if not rows:
            return
        with self.engine.begin() as connection:
            connection.execute(insert(postings), [row.__dict__ for row in rows])

    def postings(self, origin: str, tree_size: int | None = None) -> list[PostingRow]:
        query = select(postings).where(postings.c.origin == origin)
        if tree_size is not None:
            query = query.where(postings.c.tree_size == tree_size)
        return [posting for posting, _ in self._postings_with_states(query)]

    def postings_with_states(self, origin: str) -> list[tuple[PostingRow, TxState | None]]:
        """Every posting of the log with the state of its transaction (None: not prepared yet)."""
        return self._postings_with_states(select(postings).where(postings.c.origin == origin))

    def postings_to_send(self, origin: str) -> list[PostingRow]:
        """The postings of anchored checkpoints whose transaction is not confirmed (or not prepared yet)."""
        query = (
            select(postings)
            .join(checkpoints, (checkpoints.c.origin == postings.c.origin)
                  & (checkpoints.c.tree_size == postings.c.tree_size))
            .where(postings.c.origin == origin, checkpoints.c.state == CheckpointState.ANCHORED.value)
            .where((transactions.c.state.is_(None)) | (transactions.c.state != TxState.CONFIRMED.value))
        )
        return [posting for posting, _ in self._postings_with_states(query)]

    def checkpoints_without_postings(self, origin: str) -> list[CheckpointRow]:
        """The anchored checkpoints whose postings are not planned yet."""
        planned = select(postings.c.tree_size).where(
            postings.c.origin == checkpoints.c.origin, postings.c.tree_size == checkpoints.c.tree_size
        )
        query = (
            select(checkpoints)
            .where(checkpoints.c.origin == origin, checkpoints.c.state == CheckpointState.ANCHORED.value)
            .where(~planned.exists())
            .order_by(checkpoints.c.tree_size)
        )
        with self.engine.connect() as connection:
            return [_checkpoint(row) for row in connection.execute(query)]

    def _postings_with_states(self, query: Select[Any]) -> list[tuple[PostingRow, TxState | None]]:
        joined = (
            query.add_columns(transactions.c.state.label("tx_state"))
            .outerjoin(transactions, transactions.c.subject == postings.c.tx_subject)
            .order_by(postings.c.tree_size, postings.c.account, postings.c.year)
        )
        with self.engine.connect() as connection:
            return [
                (PostingRow(row.origin, row.tree_size, row.account, row.year, row.co2e_g, row.tx_subject),
                 None if row.tx_state is None else TxState(row.tx_state))
                for row in connection.execute(joined)
            ]
