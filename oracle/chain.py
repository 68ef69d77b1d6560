"""The chain adapter: crash-safe transactions for the oracle, with reverts decoded into the contracts' errors.

A transaction is simulated, built, signed locally and stored (state `prepared`, with its raw bytes and hash)
before it is sent; then it is `submitted`, and `confirmed` once its receipt is `confirmations` blocks deep
(or `reverted`). A restart re-sends every stored transaction that is not mined, byte for byte and in nonce
order, so a crash anywhere neither loses nor doubles one.

- Nonces come from the store first (so a crashed run's prepared transactions keep theirs) and from the node
  otherwise. Sending a transaction first re-sends the sender's earlier stored ones that are not mined, so a
  nonce gap (a transaction prepared but never sent, or dropped by the node) cannot hold later ones back.
- EIP-1559 fees: max fee = 2 × the latest base fee + the node's priority tip.
- Every node call is retried with back-off while the node is unreachable (it may be restarting).
- A transaction the node forgot (dropped from its pool, lost in a restart) is sent again while awaited.
- A transaction whose nonce was taken by another one is `replaced`; its work is prepared again, new nonce.
- A mined transaction whose block left the canonical chain (a reorg) goes back to `submitted`, to be sent
  again by `resume`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from eth_abi import decode as abi_decode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.exceptions import BlockNotFound, ContractLogicError, TransactionNotFound, Web3RPCError

from oracle.anvil import ChainError
from oracle.crash import crash_point
from oracle.pipeline_store import PipelineStore, TxRow, TxState

logger = logging.getLogger(__name__)

T = TypeVar("T")

RETRY_DELAYS_S = (0.2, 0.5, 1.0, 2.0, 4.0)
# Transactions mined deeper than this below the head are taken as final when looking for reorgs.
REORG_WINDOW_BLOCKS = 256
# How often `send` prepares a subject's work again after its transaction was replaced, before giving up.
MAX_REPLACEMENTS = 3
# Node answers to a re-sent transaction that mean it is in the pool or mined already (or its nonce is taken,
# which `confirm` tells apart).
_SENT_ALREADY = ("already known", "already imported", "known transaction", "nonce too low",
                 "replacement transaction underpriced")
_UNSENT = (TxState.PREPARED, TxState.SUBMITTED)


class ContractRevertError(ChainError):
    """A call or transaction reverted; `name` and `arguments` are the contract's custom error, if known."""

    def __init__(self, name: str, arguments: Sequence[Any], data: bytes) -> None:
        shown = ", ".join(_show(argument) for argument in arguments)
        super().__init__(f"reverted: {name}({shown})")
        self.name = name
        self.arguments = tuple(arguments)
        self.data = data


class TransactionRevertedError(ContractRevertError):
    """A transaction was mined but reverted, with the custom error `name(arguments)`."""

    def __init__(self, subject: str, revert: ContractRevertError) -> None:
        super().__init__(revert.name, revert.arguments, revert.data)
        self.subject = subject
        self.args = (f"{subject}: transaction {revert}",)


class TransactionReplacedError(ChainError):
    """Another transaction took this one's nonce; it will never be mined."""


def _show(value: Any) -> str:
    return "0x" + value.hex() if isinstance(value, bytes) else repr(value)


class RevertDecoder:
    """Turns revert data into the custom error it encodes, from the ABIs of the contracts that may raise it."""

    def __init__(self, abis: Sequence[Sequence[Mapping[str, Any]]]) -> None:
        self._errors: dict[bytes, tuple[str, list[str]]] = {
            keccak(text="Error(string)")[:4]: ("Error", ["string"]),
            keccak(text="Panic(uint256)")[:4]: ("Panic", ["uint256"]),
        }
        for abi in abis:
            for item in abi:
                if item.get("type") == "error":
                    types = [_abi_type(component) for component in item.get("inputs", [])]
                    signature = f"{item['name']}({','.join(types)})"
                    self._errors[keccak(text=signature)[:4]] = (item["name"], types)

    def decode(self, data: bytes) -> ContractRevertError:
        if not data:
            return ContractRevertError("revert", ["no revert data"], data)
        selector, payload = data[:4], data[4:]
        known = self._errors.get(selector)
        if known is None:
            return ContractRevertError(f"unknown error 0x{selector.hex()}", [], data)
        name, types = known
        values = abi_decode(types, payload)
        # Addresses as their checksummed text, as web3 gives them everywhere else.
        return ContractRevertError(name, [to_checksum_address(value) if kind == "address" else value
                                          for kind, value in zip(types, values, strict=True)], data)

    def from_exception(self, error: Exception) -> ContractRevertError:
        data = getattr(error, "data", None)
        if isinstance(data, str) and data.startswith("0x"):
            return self.decode(bytes.fromhex(data[2:]))
        if isinstance(data, (bytes, bytearray)):
            return self.decode(bytes(data))
        return ContractRevertError("revert", [str(error)], b"")


def _abi_type(component: Mapping[str, Any]) -> str:
    if component["type"].startswith("tuple"):
        inner = ",".join(_abi_type(part) for part in component["components"])
        return f"({inner}){component['type'][5:]}"
    return str(component["type"])


def _kind(subject: str) -> str:
    """The kind of work a subject names (`anchor`, `post`, ...), which names its crash points."""
    return subject.split(":")[0]


@dataclass(frozen=True)
class ChainSettings:
    confirmations: int = 1
    receipt_timeout_s: float = 60.0
    poll_interval_s: float = 0.2


class TransactionSender:
    """Sends the oracle's transactions from `account`, keeping their state in `store`."""

    def __init__(
        self,
        w3: Web3,
        account: LocalAccount,
        store: PipelineStore,
        decoder: RevertDecoder,
        settings: ChainSettings = ChainSettings(),
    ) -> None:
        self.w3 = w3
        self.account = account
        self.store = store
        self.decoder = decoder
        self.settings = settings

    def prepare(self, subject: str, call: Any) -> TxRow:
        """Sign and store the transaction for `subject`, unless one is stored that may still take effect.

        Nothing is sent. The call is simulated first: a call that would revert raises ContractRevertError and
        stores nothing. A stored transaction that was replaced or reverted is prepared anew, with a new nonce.
        """
        existing = self.store.transaction(subject)
        if existing is not None and existing.state not in (TxState.REPLACED, TxState.REVERTED):
            return existing
        sender = self.account.address
        try:
            gas = self._node(lambda: call.estimate_gas({"from": sender}))
        except ContractLogicError as error:
            raise self.decoder.from_exception(error) from error
        base_fee = int(self._node(lambda: self.w3.eth.get_block("latest")).get("baseFeePerGas", 0))
        tip = int(self._node(lambda: self.w3.eth.max_priority_fee))
        stored_nonce = self.store.next_nonce(sender)
        chain_nonce = self._node(lambda: self.w3.eth.get_transaction_count(sender, "pending"))
        nonce = max(chain_nonce, stored_nonce or 0)
        transaction = call.build_transaction(
            {
                "from": sender,
                "nonce": nonce,
                "gas": gas * 12 // 10 + 10_000,
                "maxFeePerGas": 2 * base_fee + tip,
                "maxPriorityFeePerGas": tip,
                "chainId": self._node(lambda: self.w3.eth.chain_id),
            }
        )
        signed = self.account.sign_transaction(transaction)
        row = TxRow(subject, sender, nonce, bytes(signed.raw_transaction), bytes(signed.hash), TxState.PREPARED,
                    None, None, None)
        if existing is not None:
            logger.warning("%s: transaction %s was %s; preparing it again with nonce %d",
                           subject, existing.tx_hash.hex(), existing.state.value, nonce)
            self.store.update_transaction(subject, nonce=nonce, raw_tx=row.raw_tx, tx_hash=row.tx_hash,
                                          state=TxState.PREPARED, block_number=None, block_hash=None, error=None)
        else:
            self.store.add_transaction(row)
        crash_point(f"tx-prepared:{_kind(subject)}")
        return row

    def submit(self, row: TxRow) -> None:
        """Send the stored bytes, after the sender's earlier stored transactions that are not mined yet."""
        earlier = [
            stored for stored in self.store.transactions_in(_UNSENT, sender=row.sender) if stored.nonce < row.nonce
        ]
        for stored in [*earlier, row]:
            self._broadcast(stored)

    def confirm(self, row: TxRow) -> TxRow:
        """Wait until the transaction is `confirmations` deep; store the outcome and return the updated row.

        Raises TransactionReplacedError (after storing `replaced`) if another transaction took its nonce.
        """
        deadline = time.monotonic() + self.settings.receipt_timeout_s
        while True:
            receipt = self._receipt(row.tx_hash)
            if receipt is not None:
                depth = self._node(lambda: self.w3.eth.block_number) - receipt["blockNumber"] + 1
                if depth >= self.settings.confirmations:
                    break
            elif self._nonce(row.sender, "latest") > row.nonce:
                # The nonce is used; one more look for this transaction's receipt, which may have just come.
                if self._receipt(row.tx_hash) is None:
                    self.store.update_transaction(row.subject, state=TxState.REPLACED,
                                                  error="nonce used by another transaction")
                    raise TransactionReplacedError(
                        f"{row.subject}: transaction {row.tx_hash.hex()} was replaced (nonce {row.nonce} taken)"
                    )
                continue
            elif self._nonce(row.sender, "pending") <= row.nonce:
                # The node holds nothing at this nonce or at one before it: it dropped the transaction, lost its
                # pool in a restart, or an earlier one is missing.
                logger.warning("%s: the node does not hold transaction %s; sending it again",
                               row.subject, row.tx_hash.hex())
                self.submit(row)
            if time.monotonic() > deadline:
                waited_for = "no receipt" if receipt is None else f"not {self.settings.confirmations} blocks deep"
                raise ChainError(f"{row.subject}: transaction {row.tx_hash.hex()} {waited_for} within the timeout")
            time.sleep(self.settings.poll_interval_s)
        crash_point(f"tx-mined:{_kind(row.subject)}")
        if receipt["status"] == 1:
            state, error = TxState.CONFIRMED, None
        else:
            state, error = TxState.REVERTED, str(self._revert_reason(row, receipt["blockNumber"]))
        self.store.update_transaction(row.subject, state=state, block_number=receipt["blockNumber"],
                                      block_hash=bytes(receipt["blockHash"]), error=error)
        crash_point(f"tx-confirmed:{_kind(row.subject)}")
        updated = self.store.transaction(row.subject)
        assert updated is not None
        return updated

    def send(self, subject: str, call: Any) -> TxRow:
        """Prepare (or find), submit and confirm the transaction for `subject`.

        Raises ContractRevertError if the call would revert, TransactionRevertedError if it was mined but
        reverted. A replaced transaction is prepared again, up to MAX_REPLACEMENTS times.
        """
        replacements = 0
        while True:
            row = self.prepare(subject, call)
            if row.state in _UNSENT:
                self.submit(row)
                try:
                    row = self.confirm(row)
                except TransactionReplacedError as error:
                    replacements += 1
                    if replacements > MAX_REPLACEMENTS:
                        raise
                    logger.warning("%s; preparing it again", error)
                    continue
            if row.state is TxState.REVERTED:
                assert row.block_number is not None
                raise TransactionRevertedError(subject, self._revert_reason(row, row.block_number))
            return row

    def resume(self) -> list[TxRow]:
        """After a restart: send again, in nonce order, every transaction of ours not mined, and confirm it.

        A transaction found replaced is left `replaced`: its work is prepared again when next sent.
        """
        resumed = []
        for row in self.store.transactions_in(_UNSENT, sender=self.account.address):
            self.submit(row)
            try:
                resumed.append(self.confirm(row))
            except TransactionReplacedError as error:
                logger.warning("%s; its work will be prepared again", error)
        return resumed

    def reorged(self) -> list[TxRow]:
        """Our mined transactions whose block is no longer canonical: set back to submitted and returned.

        Only blocks within REORG_WINDOW_BLOCKS of the head are looked at.
        """
        head = self._node(lambda: self.w3.eth.block_number)
        mined = self.store.transactions_in([TxState.CONFIRMED, TxState.REVERTED], sender=self.account.address,
                                           from_block=max(head - REORG_WINDOW_BLOCKS, 0))
        moved = []
        for row in mined:
            assert row.block_number is not None
            if self._canonical_block_hash(row.block_number) != row.block_hash:
                logger.warning("%s: block %d left the canonical chain; sending %s again",
                               row.subject, row.block_number, row.tx_hash.hex())
                self.store.update_transaction(row.subject, state=TxState.SUBMITTED, block_number=None,
                                              block_hash=None, error=None)
                moved.append(row)
        return moved

    def _broadcast(self, row: TxRow) -> None:
        """Send one stored transaction's bytes; a node that already holds or mined them is fine."""
        try:
            self._node(lambda: self.w3.eth.send_raw_transaction(row.raw_tx))
        except Web3RPCError as error:
            if not any(answer in str(error).lower() for answer in _SENT_ALREADY):
                raise ChainError(f"{row.subject}: the node refused the transaction: {error}") from error
        crash_point(f"tx-sent:{_kind(row.subject)}")
        if row.state is TxState.PREPARED:
            self.store.update_transaction(row.subject, state=TxState.SUBMITTED)

    def _canonical_block_hash(self, block_number: int) -> bytes | None:
        try:
            return bytes(self._node(lambda: self.w3.eth.get_block(block_number))["hash"])
        except BlockNotFound:
            return None

    def _nonce(self, sender: str, block: str) -> int:
        return int(self._node(lambda: self.w3.eth.get_transaction_count(sender, block)))  # type: ignore[arg-type]

    def _receipt(self, tx_hash: bytes) -> Any:
        try:
            return self._node(lambda: self.w3.eth.get_transaction_receipt(tx_hash))
        except TransactionNotFound:
            return None

    def _revert_reason(self, row: TxRow, block_number: int) -> ContractRevertError:
        """The error a mined transaction reverted with: from the node's call trace, or else by replaying its
        call on the state before its block (which misses what earlier transactions of the block changed)."""
        trace = self._node(lambda: self.w3.provider.make_request(
            "debug_traceTransaction", ["0x" + row.tx_hash.hex(), {"tracer": "callTracer"}]  # type: ignore[arg-type]
        ))
        output = (trace.get("result") or {}).get("output")  # absent where the node does not trace
        if isinstance(output, str) and output.startswith("0x"):
            return self.decoder.decode(bytes.fromhex(output[2:]))
        transaction = self._node(lambda: self.w3.eth.get_transaction(row.tx_hash))
        try:
            self._node(lambda: self.w3.eth.call(
                {"from": transaction["from"], "to": transaction["to"], "data": transaction["input"]},
                block_number - 1,
            ))
        except ContractLogicError as error:
            return self.decoder.from_exception(error)
        return ContractRevertError("revert", ["the call succeeds when replayed; out of gas?"], b"")

    @staticmethod
    def _node(action: Callable[[], T]) -> T:
        """Run a node call, retrying with back-off while the node is unreachable."""
        for delay in RETRY_DELAYS_S:
            try:
                return action()
            except (ConnectionError, OSError) as error:
                logger.warning("node unreachable (%s); retrying in %.1f s", error, delay)
                time.sleep(delay)
        return action()
