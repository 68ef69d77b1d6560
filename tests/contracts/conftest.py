"""Fixtures for the contract tests: accounts with known keys, deployed contracts, a Python log to anchor.

Actors: `admin` deploys and holds every admin role; `regulator` regulates REGION; `registry` issues offsets;
`oracle` signs checkpoints of LOG_ID and posts emissions; `verifier` is accredited in REGION; `relayer` sends
signed messages; `stranger` and `rogue` hold no role.

Every test runs in its own chain snapshot (brownie's `fn_isolation`), so state never leaks between tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import brownie
import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector, keccak

from ledger.log import MerkleLog
from ledger.memory_store import MemoryLogStore
from oracle.eip712 import CheckpointMessage, SigningDomain, log_id, sign

LOG_ORIGIN = "carbonledger/test"
LOG_ID = log_id(LOG_ORIGIN)
CHECKPOINT_TIMESTAMP = 1_767_225_600  # 2026-01-01T00:00:00Z
METADATA_HASH = keccak(text="checkpoint metadata")
ANCHORED_SIZE = 8
REGION = b"330800\0\0"
OTHER_REGION = b"330500\0\0"
INDUSTRY = b"C2611\0\0\0"
YEAR = 2025

# The test chain listens apart from 8545 so it never meets a running demo chain, on the hardfork the gas figures
# assume. brownie 1.22 cannot take these from brownie-config.yaml (it merges project cmd_settings into a null
# default and fails), so they are set here, before brownie launches Anvil at the end of collection. (brownie's
# compiled submodules are reached through `brownie.` because brownie hashes the sources a conftest imports.)
brownie._config.CONFIG.networks["development"]["cmd_settings"].update(port=8555, evm_version="prague")


class KeyedAccount:
    """A funded brownie account whose private key the test knows, so it can sign EIP-712 messages."""

    def __init__(self, private_key: bytes, funder: Any) -> None:
        self.private_key = private_key
        self.account = brownie.accounts.add(private_key)
        funder.transfer(self.account, "10 ether")

    @property
    def address(self) -> str:
        return str(self.account.address)


def _keyed(seed: str, funder: Any) -> KeyedAccount:
    return KeyedAccount(keccak(text=seed), funder)


@pytest.fixture(autouse=True)
def isolation(fn_isolation: None) -> None:
    """Each test starts from the module's deployed state."""


@pytest.fixture(scope="module")
def admin() -> Any:
    return brownie.accounts[0]


@pytest.fixture(scope="module")
def relayer() -> Any:
    return brownie.accounts[1]


@pytest.fixture(scope="module")
def stranger() -> Any:
    return brownie.accounts[2]


@pytest.fixture(scope="module")
def oracle(admin: Any) -> KeyedAccount:
    return _keyed("oracle", admin)


@pytest.fixture(scope="module")
def rogue(admin: Any) -> KeyedAccount:
    """A keyed account that holds no role anywhere."""
    return _keyed("rogue", admin)


@pytest.fixture(scope="module")
def ledger(admin: Any, oracle: KeyedAccount) -> Any:
    contract = brownie.CarbonLedger.deploy(admin, {"from": admin})
    contract.grantRole(contract.oracleRole(LOG_ID), oracle.address, {"from": admin})
    return contract


@pytest.fixture(scope="module")
def ledger_domain(ledger: Any) -> SigningDomain:
    return SigningDomain(brownie.chain.id, str(ledger.address))


@pytest.fixture(scope="module")
def regulator() -> Any:
    return brownie.accounts[3]


@pytest.fixture(scope="module")
def registry() -> Any:
    return brownie.accounts[4]


@pytest.fixture(scope="module")
def holder() -> Any:
    return brownie.accounts[5]


@pytest.fixture(scope="module")
def verifier(admin: Any) -> KeyedAccount:
    return _keyed("verifier", admin)


@pytest.fixture(scope="module")
def carbon_accounts(admin: Any, ledger: Any, regulator: Any) -> Any:
    contract = brownie.CarbonAccounts.deploy(admin, ledger, {"from": admin})
    contract.grantRole(contract.regulatorRole(REGION), regulator, {"from": admin})
    return contract


@pytest.fixture(scope="module")
def offsets(admin: Any, carbon_accounts: Any, registry: Any) -> Any:
    contract = brownie.CarbonOffsets.deploy(admin, carbon_accounts, {"from": admin})
    contract.grantRole(contract.REGISTRY_ROLE(), registry, {"from": admin})
    carbon_accounts.grantRole(carbon_accounts.OFFSETS_ROLE(), contract, {"from": admin})
    return contract


@pytest.fixture(scope="module")
def attestations(admin: Any, ledger: Any, carbon_accounts: Any, regulator: Any, verifier: KeyedAccount) -> Any:
    contract = brownie.CarbonAttestations.deploy(admin, ledger, carbon_accounts, {"from": admin})
    contract.accreditVerifier(REGION, verifier.address, {"from": regulator})
    return contract


@pytest.fixture(scope="module")
def anchored_log(ledger: Any, ledger_domain: SigningDomain, oracle: KeyedAccount, relayer: Any) -> MerkleLog:
    """The test log, anchored once at ANCHORED_SIZE before the module's tests run."""
    log = MerkleLog(MemoryLogStore(), LOG_ORIGIN)
    message, signature = signed_checkpoint(log, ANCHORED_SIZE, oracle.private_key, ledger_domain)
    ledger.anchor(message.as_struct(), [], signature, {"from": relayer})
    return log


def account_id(name: str) -> bytes:
    """The bytes32 account id the tests use for a named account."""
    return keccak(text=f"account:{name}")


@pytest.fixture(scope="module")
def hierarchy(carbon_accounts: Any, regulator: Any, holder: Any) -> dict[str, bytes]:
    """Registered accounts of REGION: region -> park -> enterprise -> facility, all owned by `holder`."""
    levels = [("region", 0, b""), ("park", 1, "region"), ("enterprise", 2, "park"), ("facility", 3, "enterprise")]
    for name, level, parent in levels:
        parent_id = account_id(parent) if parent else bytes(32)
        carbon_accounts.registerAccount(
            account_id(name), holder, level, REGION, INDUSTRY, parent_id, {"from": regulator}
        )
    return {name: account_id(name) for name, _, _ in levels}


@pytest.fixture
def merkle_log() -> MerkleLog:
    return MerkleLog(MemoryLogStore(), LOG_ORIGIN)


def grow(log: MerkleLog, new_size: int) -> None:
    """Append distinct entries to `log` until it holds `new_size` of them."""
    start = log.tree_head().tree_size
    log.append([f"record {index}".encode() for index in range(start, new_size)])


def checkpoint_of(log: MerkleLog, tree_size: int, logid: bytes = LOG_ID) -> CheckpointMessage:
    """The checkpoint of `log` at `tree_size`, as its oracle would sign it."""
    return CheckpointMessage(
        log_id=logid,
        tree_size=tree_size,
        root_hash=log.tree_head(tree_size).root_hash,
        timestamp=CHECKPOINT_TIMESTAMP + tree_size,
        metadata_hash=METADATA_HASH,
    )


def signed_checkpoint(
    log: MerkleLog, tree_size: int, private_key: bytes, domain: SigningDomain
) -> tuple[CheckpointMessage, bytes]:
    """Grow `log` to `tree_size` and sign its checkpoint there with `private_key` in `domain`."""
    grow(log, tree_size)
    message = checkpoint_of(log, tree_size)
    return message, sign(private_key, domain, message)


@pytest.fixture
def anchor(ledger: Any, ledger_domain: SigningDomain, oracle: KeyedAccount, relayer: Any) -> Callable[..., Any]:
    """Anchors `log` at `tree_size`, signed by the oracle and relayed, with the proof from the anchored head."""

    def anchor_at(log: MerkleLog, tree_size: int) -> Any:
        message, signature = signed_checkpoint(log, tree_size, oracle.private_key, ledger_domain)
        anchored_size = ledger.latestHead(LOG_ID)[0]
        proof = log.consistency_proof(anchored_size, tree_size) if anchored_size else []
        return ledger.anchor(message.as_struct(), proof, signature, {"from": relayer})

    return anchor_at


def error_message(contract: Any, name: str, *args: Any) -> str:
    """The revert message brownie shows for the custom error `name(args)` declared in `contract`'s ABI."""
    entry = next(item for item in contract.abi if item["type"] == "error" and item["name"] == name)
    types = [parameter["type"] for parameter in entry["inputs"]]
    selector = function_signature_to_4byte_selector(f"{name}({','.join(types)})")
    return brownie.exceptions.decode_typed_error("0x" + (selector + encode(types, list(args))).hex())


@contextmanager
def reverts_with(contract: Any, name: str, *args: Any) -> Iterator[None]:
    """Asserts that the block reverts with exactly the custom error `name(args)`."""
    with brownie.reverts(error_message(contract, name, *args)):
        yield


def plain(value: Any) -> Any:
    """A brownie return value or event argument as plain Python: tuples, bytes, int, str."""
    if isinstance(value, (list, tuple)):
        return tuple(plain(item) for item in value)
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str(value)
    return value


def event_args(tx: Any, name: str) -> list[dict[str, Any]]:
    """The arguments of every `name` event that `tx` emitted, in order, as plain Python values."""
    if name not in tx.events:
        return []
    return [{key: plain(value) for key, value in event.items()} for event in tx.events[name]]


def event_names(tx: Any) -> list[str]:
    """The names of the events `tx` emitted, in order."""
    return [event.name for event in tx.events]
