"""The chain adapter: crash-safe transactions for the oracle, with reverts decoded into the contracts' errors.

A transaction is built, signed locally and stored (state `prepared`, with its raw bytes and hash) before it is
sent; then it is `submitted`, and `confirmed` once its receipt is `confirmations` blocks deep. A restart
re-sends every stored transaction that is not confirmed, byte for byte, so a crash anywhere neither loses
nor doubles one. Nonces come from the store first (so a crashed run's prepared transactions keep theirs)
and from the node otherwise. EIP-1559 fees: max fee = 2 × the latest base fee + the node's priority tip.
A confirmed transaction whose block left the canonical chain (a reorg) goes back to `submitted`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError, TransactionNotFound, Web3RPCError

from oracle.anvil import ChainError
from oracle.crash import crash_point
from oracle.pipeline_store import PipelineStore, TxRow, TxState

logger = logging.getLogger(__name__)

RETRY_DELAYS_S = (0.2, 0.5, 1.0, 2.0, 4.0)


class ContractRevertError(ChainError):
    """A call or transaction reverted; `name` and `arguments` are the contract's custom error, if known."""

    def __init__(self, name: str, arguments: Sequence[Any], data: bytes) -> None:
        shown = ", ".join(_show(argument) for argument in arguments)
        super().__init__(f"reverted: {name}({shown})")
        self.name = name
        self.arguments = tuple(arguments)
        self.data = data


def _show(value: Any) -> str:
    return "0x" + value.hex() if isinstance(value, bytes) else repr(value)


class RevertDecoder:
    """Turns revert data into the custom error it encodes, from the ABIs of the contracts that may raise it."""

    def __init__(self, abis: Sequence[Sequence[Mapping[str, Any]]]) -> None:
        self._errors: dict[bytes, tuple[str, list[str]]] = {}
        for abi in abis:
            for item in abi:
                if item.get("type") == "error":
                    types = [_abi_type(component) for component in item.get("inputs", [])]
                    signature = f"{item['name']}({','.join(types)})"
                    self._errors[keccak(text=signature)[:4]] = (item["name"], types)

    def decode(self, data: bytes) -> ContractRevertError:
        selector, payload = data[:4], data[4:]
        if selector == keccak(text="Error(string)")[:4]:
            return ContractRevertError("Error", abi_decode(["string"], payload), data)
        known = self._errors.get(selector)
        if known is None:
            return ContractRevertError(f"unknown error 0x{selector.hex()}", [], data)
        name, types = known
        return ContractRevertError(name, list(abi_decode(types, payload)), data)

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
        """Sign and store the transaction for `subject`, unless it is stored already; nothing is sent.

        The call is simulated first: a call that would revert raises ContractRevertError and stores nothing.
        """
        existing = self.store.transaction(subject)
        if existing is not None and existing.state is not TxState.REPLACED:
            return existing
        sender = self.account.address
        try:
            gas = call.estimate_gas({"from": sender})
        except (ContractCustomError, ContractLogicError) as error:
            raise self.decoder.from_exception(error) from error
        base_fee = int(self.w3.eth.get_block("latest").get("baseFeePerGas", 0))
        tip = int(self._retry(lambda: self.w3.eth.max_priority_fee))
        stored_nonce = self.store.next_nonce(sender)
        chain_nonce = self.w3.eth.get_transaction_count(sender, "pending")
        nonce = max(chain_nonce, stored_nonce or 0)
        transaction = call.build_transaction(
            {
                "from": sender,
                "nonce": nonce,
                "gas": gas * 12 // 10 + 10_000,
                "maxFeePerGas": 2 * base_fee + tip,
                "maxPriorityFeePerGas": tip,
                "chainId": self.w3.eth.chain_id,
            }
        )
        signed = self.account.sign_transaction(transaction)
        row = TxRow(subject, sender, nonce, bytes(signed.raw_transaction), bytes(signed.hash), TxState.PREPARED,
                    None, None, None)
        if existing is not None:
            self.store.update_transaction(subject, nonce=nonce, raw_tx=row.raw_tx, tx_hash=row.tx_hash,
                                          state=TxState.PREPARED, block_number=None, block_hash=None, error=None)
        else:
            self.store.add_transaction(row)
        crash_point(f"tx-prepared:{subject.split(':')[0]}")
        return row

    def submit(self, row: TxRow) -> None:
        """Send the stored bytes; a node that already knows them, or mined them, is fine."""
        try:
            self._retry(lambda: self.w3.eth.send_raw_transaction(row.raw_tx))
        except Web3RPCError as error:
            message = str(error).lower()
            if "already known" not in message and "nonce too low" not in message:
                raise ChainError(f"{row.subject}: the node refused the transaction: {error}") from error
        crash_point(f"tx-sent:{row.subject.split(':')[0]}")
        if row.state is TxState.PREPARED:
            self.store.update_transaction(row.subject, state=TxState.SUBMITTED)

    def confirm(self, row: TxRow) -> TxRow:
        """Wait until the transaction is `confirmations` deep; store the outcome and return the updated row."""
        deadline = time.monotonic() + self.settings.receipt_timeout_s
        while True:
            receipt = self._receipt(row.tx_hash)
            if receipt is not None:
                depth = self.w3.eth.block_number - receipt["blockNumber"] + 1
                if depth >= self.settings.confirmations:
                    break
            elif self._nonce_used_by_another(row):
                self.store.update_transaction(row.subject, state=TxState.REPLACED,
                                              error="nonce used by another transaction")
                raise ChainError(f"{row.subject}: transaction {row.tx_hash.hex()} was replaced")
            if time.monotonic() > deadline:
                raise ChainError(f"{row.subject}: no receipt for {row.tx_hash.hex()} within the timeout")
            time.sleep(self.settings.poll_interval_s)
        crash_point(f"tx-mined:{row.subject.split(':')[0]}")
        if receipt["status"] == 1:
            state, error = TxState.CONFIRMED, None
        else:
            state, error = TxState.REVERTED, str(self._revert_reason(row, receipt["blockNumber"]))
        self.store.update_transaction(row.subject, state=state, block_number=receipt["blockNumber"],
                                      block_hash=bytes(receipt["blockHash"]), error=error)
        updated = self.store.transaction(row.subject)
        assert updated is not None
        return updated

    def send(self, subject: str, call: Any) -> TxRow:
        """Prepare (or find), submit and confirm the transaction for `subject`."""
        row = self.prepare(subject, call)
        if row.state in (TxState.PREPARED, TxState.SUBMITTED):
            self.submit(row)
            row = self.confirm(row)
        if row.state is TxState.REVERTED:
            raise ChainError(f"{subject}: transaction reverted: {row.error}")
        return row

    def resume(self) -> list[TxRow]:
        """After a restart: re-send, in nonce order, every transaction that was not confirmed, and confirm it."""
        resumed = []
        for row in self.store.transactions_in([TxState.PREPARED, TxState.SUBMITTED]):
            if row.sender != self.account.address:
                continue
            self.submit(row)
            resumed.append(self.confirm(row))
        return resumed

    def reorged(self) -> list[TxRow]:
        """Confirmed transactions whose block is no longer canonical: set back to submitted and returned."""
        moved = []
        for row in self.store.transactions_in([TxState.CONFIRMED]):
            assert row.block_number is not None
            if row.block_number > self.w3.eth.block_number or bytes(
                self.w3.eth.get_block(row.block_number)["hash"]
            ) != row.block_hash:
                logger.warning("%s: block %d left the canonical chain; re-sending", row.subject, row.block_number)
                self.store.update_transaction(row.subject, state=TxState.SUBMITTED, block_number=None,
                                              block_hash=None)
                moved.append(row)
        return moved

    def _receipt(self, tx_hash: bytes) -> Any:
        try:
            return self.w3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            return None

    def _nonce_used_by_another(self, row: TxRow) -> bool:
        return bool(self.w3.eth.get_transaction_count(row.sender, "latest") > row.nonce
                    and self._receipt(row.tx_hash) is None)

    def _revert_reason(self, row: TxRow, block_number: int) -> ContractRevertError | str:
        transaction = self.w3.eth.get_transaction(row.tx_hash)
        try:
            self.w3.eth.call(
                {"from": transaction["from"], "to": transaction["to"], "data": transaction["input"]},
                block_number - 1,
            )
        except (ContractCustomError, ContractLogicError) as error:
            return self.decoder.from_exception(error)
        return "reverted without data"

    @staticmethod
    def _retry(action: Callable[[], Any]) -> Any:
        """Retry a node call with back-off while the node is unreachable."""
        for delay in RETRY_DELAYS_S:
            try:
                return action()
            except (ConnectionError, OSError) as error:
                logger.warning("node unreachable (%s); retrying in %.1f s", error, delay)
                time.sleep(delay)
        return action()
