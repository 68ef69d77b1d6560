"""Compiling the contracts with py-solc-x and deploying them with web3 to an Anvil chain this module starts."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from web3 import HTTPProvider, Web3
from web3.contract import Contract

from ledger.errors import DeploymentError
from ledger.log import MerkleLog
from ledger.memory_store import MemoryLogStore
from oracle.contracts import (
    DEPLOYED_CONTRACTS,
    REPO_ROOT,
    CompiledContract,
    Deployment,
    abi_sha256,
    compile_contracts,
    deploy,
)
from oracle.eip712 import CheckpointMessage, SigningDomain, log_id, sign

ANVIL = REPO_ROOT / "node_modules" / ".bin" / "anvil"
ANVIL_CHAIN_ID = 31337
STARTUP_TIMEOUT_S = 30
# Anvil's first development account (from its well-known test mnemonic), unlocked by the node.
ANVIL_FIRST_ACCOUNT = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def w3() -> Iterator[Web3]:
    """A fresh Anvil chain on a free local port, stopped when the module's tests are done."""
    port = free_port()
    process = subprocess.Popen(
        [str(ANVIL), "--host", "127.0.0.1", "--port", str(port), "--hardfork", "prague", "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    web3 = Web3(HTTPProvider(f"http://127.0.0.1:{port}"))
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not web3.is_connected():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"anvil did not start on port {port}")
            time.sleep(0.1)
        yield web3
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def compiled() -> dict[str, CompiledContract]:
    return compile_contracts()


@pytest.fixture(scope="module")
def deployment(w3: Web3, compiled: dict[str, CompiledContract], tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    path = tmp_path_factory.mktemp("deployment") / "deployment.json"
    return deploy(w3, ANVIL_FIRST_ACCOUNT, deployment_path=path, compiled=compiled)


def contract(w3: Web3, deployment: Deployment, compiled: dict[str, CompiledContract], name: str) -> Contract:
    return w3.eth.contract(address=deployment.contracts[name].address, abi=compiled[name].abi)


def test_given_the_sources_when_compiled_twice_then_the_second_run_reads_the_same_output_from_cache(
    tmp_path: Path,
) -> None:
    first = compile_contracts(cache_dir=tmp_path)
    cached = list(tmp_path.iterdir())
    second = compile_contracts(cache_dir=tmp_path)
    assert len(cached) == 1
    assert list(tmp_path.iterdir()) == cached
    assert first == second
    assert set(DEPLOYED_CONTRACTS) <= set(first)
    assert all(first[name].abi and first[name].bytecode for name in DEPLOYED_CONTRACTS)


def test_given_a_chain_when_deployed_then_the_file_records_chain_block_deployer_and_each_contract(
    w3: Web3, deployment: Deployment, compiled: dict[str, CompiledContract]
) -> None:
    ledger_receipt = w3.eth.get_transaction_receipt(deployment.contracts["CarbonLedger"].tx)
    assert deployment.chain_id == ANVIL_CHAIN_ID
    assert deployment.block_number == ledger_receipt["blockNumber"]
    assert deployment.deployer == ANVIL_FIRST_ACCOUNT
    assert sorted(deployment.contracts) == sorted(DEPLOYED_CONTRACTS)
    for name, deployed in deployment.contracts.items():
        assert w3.eth.get_code(deployed.address), name
        assert deployed.abi_sha256 == abi_sha256(compiled[name].abi)
        assert w3.eth.get_transaction_receipt(deployed.tx)["contractAddress"] == deployed.address


def test_given_a_deployment_file_when_read_back_then_it_equals_the_deployment(
    w3: Web3, compiled: dict[str, CompiledContract], tmp_path: Path
) -> None:
    path = tmp_path / "nested" / "deployment.json"
    written = deploy(w3, ANVIL_FIRST_ACCOUNT, deployment_path=path, compiled=compiled)
    assert Deployment.read(path) == written
    assert sorted(json.loads(path.read_text()).keys()) == ["block_number", "chain_id", "contracts", "deployer"]
    assert [entry.name for entry in path.parent.iterdir()] == ["deployment.json"]


def test_given_a_deployment_when_inspected_then_the_contracts_are_wired_together(
    w3: Web3, deployment: Deployment, compiled: dict[str, CompiledContract]
) -> None:
    accounts = contract(w3, deployment, compiled, "CarbonAccounts")
    offsets = contract(w3, deployment, compiled, "CarbonOffsets")
    ledger_address = deployment.contracts["CarbonLedger"].address
    assert accounts.functions.ledger().call() == ledger_address
    assert offsets.functions.accounts().call() == deployment.contracts["CarbonAccounts"].address
    offsets_role = accounts.functions.OFFSETS_ROLE().call()
    assert accounts.functions.hasRole(offsets_role, deployment.contracts["CarbonOffsets"].address).call()
    for name in DEPLOYED_CONTRACTS:
        assert contract(w3, deployment, compiled, name).functions.hasRole(bytes(32), ANVIL_FIRST_ACCOUNT).call()


def test_given_a_private_key_when_deploying_then_transactions_are_signed_locally(
    w3: Web3, compiled: dict[str, CompiledContract]
) -> None:
    key_holder = Account.from_key(b"\x5a" * 32)
    w3.provider.make_request("anvil_setBalance", [key_holder.address, hex(10**20)])  # type: ignore[arg-type]
    deployed = deploy(w3, key_holder, compiled=compiled)
    assert deployed.deployer == key_holder.address
    assert w3.eth.get_transaction(deployed.contracts["CarbonLedger"].tx)["from"] == key_holder.address


def test_given_an_admin_other_than_the_deployer_when_deploying_then_the_admin_holds_the_roles(
    w3: Web3, compiled: dict[str, CompiledContract]
) -> None:
    admin = Account.from_key(b"\x6b" * 32).address
    deployed = deploy(w3, ANVIL_FIRST_ACCOUNT, admin=admin, compiled=compiled)
    ledger = contract(w3, deployed, compiled, "CarbonLedger")
    assert ledger.functions.hasRole(bytes(32), admin).call()
    assert not ledger.functions.hasRole(bytes(32), ANVIL_FIRST_ACCOUNT).call()


def test_given_a_deployment_when_a_python_signed_checkpoint_is_relayed_then_its_root_is_anchored(
    w3: Web3, deployment: Deployment, compiled: dict[str, CompiledContract]
) -> None:
    ledger = contract(w3, deployment, compiled, "CarbonLedger")
    oracle = Account.from_key(b"\x7c" * 32)
    logid = log_id("carbonledger/deploy-test")
    ledger.functions.grantRole(ledger.functions.oracleRole(logid).call(), oracle.address).transact(
        {"from": ANVIL_FIRST_ACCOUNT}
    )
    log = MerkleLog(MemoryLogStore(), "carbonledger/deploy-test")
    head = log.append([b"first record", b"second record", b"third record"])
    message = CheckpointMessage(logid, head.tree_size, head.root_hash, 1_767_225_600, bytes(32))
    signature = sign(bytes(oracle.key), SigningDomain(deployment.chain_id, ledger.address), message)
    tx_hash = ledger.functions.anchor(message.as_struct(), [], signature).transact({"from": ANVIL_FIRST_ACCOUNT})
    assert w3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 1
    assert ledger.functions.rootAt(logid, head.tree_size).call() == head.root_hash


@pytest.mark.parametrize(
    "content",
    ["not json", "{}", '{"chain_id": "1", "block_number": 1, "deployer": "0x", "contracts": {}}'],
)
def test_given_a_malformed_deployment_file_when_read_then_it_is_a_deployment_error(
    tmp_path: Path, content: str
) -> None:
    path = tmp_path / "deployment.json"
    path.write_text(content)
    with pytest.raises(DeploymentError):
        Deployment.read(path)


def test_given_no_deployment_file_when_read_then_it_is_a_deployment_error(tmp_path: Path) -> None:
    with pytest.raises(DeploymentError, match="deployment file"):
        Deployment.read(tmp_path / "missing.json")


def test_given_an_existing_file_when_a_deployment_is_written_then_it_is_replaced_whole(
    deployment: Deployment, tmp_path: Path
) -> None:
    path = tmp_path / "deployment.json"
    path.write_text("old")
    deployment.write(path)
    assert Deployment.read(path) == deployment
    assert os.listdir(tmp_path) == ["deployment.json"]
