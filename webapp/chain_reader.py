"""Read-only access to the chain for the explorer's pages: contract views and events, with a small cache.

The reader connects on first use to RPC_URL, with the deployment recorded in DEPLOYMENT_FILE, and checks that
the node is the deployment's chain, that the contracts are there and that their ABIs are the ones compiled
here. Answers are cached per block: the block number is asked at most once every BLOCK_TTL_S seconds, and a
view or an event query is answered from the cache while the block has not moved (the CACHE_ENTRIES most recent
answers are kept). Events are read with eth_getLogs from the deployment's first block.

When the node does not answer, or no deployment is configured, reads raise ChainUnavailableError and the reader
does not ask again for RETRY_AFTER_S seconds, so a page without the chain renders at once with a note.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web3 import HTTPProvider, Web3
from web3.exceptions import (
    ContractCustomError,
    ContractLogicError,
    ProviderConnectionError,
    Web3RPCError,
)

from ledger.errors import ChainUnavailableError, DeploymentError
from oracle.chain import RevertDecoder
from oracle.contracts import Deployment, abi_sha256, compile_contracts

logger = logging.getLogger(__name__)

TIMEOUT_S = 3.0
BLOCK_TTL_S = 2.0
RETRY_AFTER_S = 5.0
CACHE_ENTRIES = 512


@dataclass(frozen=True)
class _Connection:
    w3: Web3
    deployment: Deployment
    contracts: dict[str, Any]
    decoder: RevertDecoder


class ChainReader:
    """Cached contract views and events of one deployment; ChainUnavailableError when the chain is away."""

    def __init__(self, rpc_url: str, deployment_file: Path) -> None:
        self.rpc_url = rpc_url
        self.deployment_file = deployment_file
        self._lock = threading.RLock()
        self._connection: _Connection | None = None
        self._down_until = 0.0
        self._down_reason = ""
        self._block: tuple[float, int] | None = None
        self._cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Turn a node that does not answer into ChainUnavailableError, and stop asking it for a while."""
        if time.monotonic() < self._down_until:
            raise ChainUnavailableError(self._down_reason)
        try:
            yield
        except ChainUnavailableError:
            raise
        except (OSError, Web3RPCError, ProviderConnectionError) as error:
            raise self._went_down(f"the chain at {self.rpc_url} does not answer ({type(error).__name__})") from error

    def _went_down(self, reason: str) -> ChainUnavailableError:
        with self._lock:
            logger.warning("chain unavailable: %s", reason)
            self._connection, self._block = None, None
            self._down_until, self._down_reason = time.monotonic() + RETRY_AFTER_S, reason
        return ChainUnavailableError(reason)

    def _connect(self) -> _Connection:
        with self._lock:
            if self._connection is not None:
                return self._connection
            if not self.deployment_file.is_file():
                raise self._went_down(f"no contracts are deployed: {self.deployment_file} does not exist")
            try:
                deployment = Deployment.read(self.deployment_file)
                compiled = compile_contracts()
            except DeploymentError as error:
                raise self._went_down(str(error)) from error
            w3 = Web3(HTTPProvider(self.rpc_url, request_kwargs={"timeout": TIMEOUT_S}))
            with self.reading():
                if w3.eth.chain_id != deployment.chain_id:
                    raise self._went_down(
                        f"{self.rpc_url} is not chain {deployment.chain_id} of {self.deployment_file}")
                for name, deployed in deployment.contracts.items():
                    if abi_sha256(compiled[name].abi) != deployed.abi_sha256:
                        raise self._went_down(f"{name} at {deployed.address} was built from other sources than these")
                    if not bytes(w3.eth.get_code(deployed.address)):
                        raise self._went_down(f"chain {deployment.chain_id} holds no {name} at {deployed.address}: "
                                              "it was reset since the deployment")
            contracts = {name: w3.eth.contract(address=deployed.address, abi=compiled[name].abi)
                         for name, deployed in deployment.contracts.items()}
            decoder = RevertDecoder([compiled[name].abi for name in deployment.contracts])
            self._connection = _Connection(w3, deployment, contracts, decoder)
            return self._connection

    @property
    def w3(self) -> Web3:
        return self._connect().w3

    @property
    def deployment(self) -> Deployment:
        return self._connect().deployment

    @property
    def decoder(self) -> RevertDecoder:
        return self._connect().decoder

    def contract(self, name: str) -> Any:
        return self._connect().contracts[name]

    def block_number(self) -> int:
        with self._lock:
            now = time.monotonic()
            if self._block is None or now - self._block[0] > BLOCK_TTL_S:
                with self.reading():
                    self._block = (now, int(self._connect().w3.eth.block_number))
            return self._block[1]

    def view(self, contract_name: str, function: str, *arguments: Any) -> Any:
        """The value of a view function; a revert raises the contract's decoded error (ContractRevertError)."""
        def read() -> Any:
            try:
                return self.contract(contract_name).functions[function](*arguments).call()
            except (ContractCustomError, ContractLogicError) as error:
                raise self.decoder.from_exception(error) from error

        return self._cached(("view", contract_name, function, arguments), read)

    def events(self, contract_name: str, event: str, **argument_filters: Any) -> list[dict[str, Any]]:
        """The contract's `event`s since the deployment, filtered on indexed arguments (a list means any of)."""
        def read() -> list[dict[str, Any]]:
            found = self.contract(contract_name).events[event]().get_logs(
                argument_filters=argument_filters or None, from_block=self.deployment.block_number)
            return [{"event": event, "args": dict(log["args"]), "block_number": int(log["blockNumber"]),
                     "log_index": int(log["logIndex"]), "tx_hash": "0x" + bytes(log["transactionHash"]).hex()}
                    for log in found]

        frozen = tuple(sorted((name, tuple(value) if isinstance(value, list) else value)
                              for name, value in argument_filters.items()))
        result: list[dict[str, Any]] = self._cached(("events", contract_name, event, frozen), read)
        return result

    def invalidate(self) -> None:
        """Forget cached answers, after this app changed the chain."""
        with self._lock:
            self._block = None
            self._cache.clear()

    def _cached(self, key: tuple[Any, ...], read: Any) -> Any:
        block_key = (self.block_number(), *key)
        with self._lock:
            if block_key in self._cache:
                self._cache.move_to_end(block_key)
                return self._cache[block_key]
        with self.reading():
            value = read()
        with self._lock:
            self._cache[block_key] = value
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return value
