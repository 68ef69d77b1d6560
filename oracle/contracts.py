"""Compile the Solidity contracts and deploy them with web3, recording where they live in a deployment file.

Compilation runs py-solc-x on the solc-js bridge (`scripts/solc`) with the compiler settings of
brownie-config.yaml, so brownie and Python build the same contracts; the output is cached under build/ keyed by
the hash of every input. A deployment creates CarbonLedger, CarbonAccounts, CarbonOffsets and CarbonAttestations,
wires them together (the offsets contract may credit retirements to accounts) and writes a JSON deployment file:

    {"chain_id": 31337, "block_number": 1, "deployer": "0x...",
     "contracts": {"CarbonLedger": {"address": "0x...", "abi_sha256": "<hex>", "tx": "0x..."}, ...}}

`block_number` is the block of the first deployment transaction, where log scans can start; `abi_sha256` is the
SHA-256 of the ABI as compact JSON with sorted keys (`abi_sha256()`), so a reader can check its ABI matches.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import solcx
import yaml  # type: ignore[import-untyped]
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress, HexStr
from web3 import Web3
from web3.types import TxReceipt

from ledger.errors import DeploymentError
from oracle import settings

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
CONTRACTS_DIR = REPO_ROOT / "contracts"
SOLC_BINARY = REPO_ROOT / "scripts" / "solc"
BROWNIE_CONFIG = REPO_ROOT / "brownie-config.yaml"
OPENZEPPELIN_PACKAGE = REPO_ROOT / "node_modules" / "@openzeppelin" / "contracts" / "package.json"
COMPILE_CACHE_DIR = REPO_ROOT / "build" / "py-solc-x"
DEFAULT_DEPLOYMENT_PATH = settings.STATE_DIR / "deployment.json"

DEPLOYED_CONTRACTS = ("CarbonLedger", "CarbonAccounts", "CarbonOffsets", "CarbonAttestations")
RECEIPT_TIMEOUT_S = 120

JSON = dict[str, Any]


class CompiledContract(NamedTuple):
    """A contract's ABI and creation bytecode."""

    abi: list[JSON]
    bytecode: bytes


@dataclass(frozen=True)
class DeployedContract:
    address: ChecksumAddress
    abi_sha256: str
    tx: HexStr


@dataclass(frozen=True)
class Deployment:
    """Where one deployment of the contracts lives, as the deployment file records it."""

    chain_id: int
    block_number: int
    deployer: ChecksumAddress
    contracts: Mapping[str, DeployedContract]

    def to_json(self) -> JSON:
        return {
            "chain_id": self.chain_id,
            "block_number": self.block_number,
            "deployer": self.deployer,
            "contracts": {
                name: {"address": contract.address, "abi_sha256": contract.abi_sha256, "tx": contract.tx}
                for name, contract in self.contracts.items()
            },
        }

    @classmethod
    def from_json(cls, document: Any) -> Deployment:
        try:
            return cls(
                chain_id=_int_field(document, "chain_id"),
                block_number=_int_field(document, "block_number"),
                deployer=Web3.to_checksum_address(_str_field(document, "deployer")),
                contracts={
                    str(name): DeployedContract(
                        address=Web3.to_checksum_address(_str_field(entry, "address")),
                        abi_sha256=_str_field(entry, "abi_sha256"),
                        tx=HexStr(_str_field(entry, "tx")),
                    )
                    for name, entry in document["contracts"].items()
                },
            )
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            raise DeploymentError(f"deployment file: missing or malformed field {error}") from error

    def write(self, path: Path) -> None:
        """Write the deployment file atomically: readers see the old file or the new one, never a part."""
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                json.dump(self.to_json(), stream, indent=2, sort_keys=True)
                stream.write("\n")
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @classmethod
    def read(cls, path: Path) -> Deployment:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise DeploymentError(f"deployment file {path}: {error}") from error
        return cls.from_json(document)


def abi_sha256(abi: Sequence[Mapping[str, Any]]) -> str:
    """The hex SHA-256 of an ABI as compact JSON with sorted keys."""
    return hashlib.sha256(json.dumps(abi, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def compile_contracts(
    cache_dir: Path = COMPILE_CACHE_DIR, solc_binary: Path = SOLC_BINARY
) -> dict[str, CompiledContract]:
    """Compile every contract under contracts/ and return each one's ABI and creation bytecode by name.

    The result is cached in `cache_dir` under the hash of the compiler input (sources, settings, compiler
    version and OpenZeppelin version), so an unchanged tree compiles once.
    """
    standard_input = _standard_input()
    key = hashlib.sha256(
        json.dumps(standard_input, sort_keys=True).encode()
        + solc_binary.read_bytes()
        + OPENZEPPELIN_PACKAGE.read_bytes()
    ).hexdigest()
    cache_file = cache_dir / f"{key}.json"
    if cache_file.exists():
        output = json.loads(cache_file.read_text(encoding="utf-8"))
    else:
        logger.info("compiling %d sources with %s", len(standard_input["sources"]), solc_binary)
        try:
            output = solcx.compile_standard(
                standard_input, base_path=REPO_ROOT, allow_paths=[REPO_ROOT], solc_binary=solc_binary
            )
        except solcx.exceptions.SolcError as error:
            raise DeploymentError(f"solc failed: {error}") from error
        cache_dir.mkdir(parents=True, exist_ok=True)
        # Written whole under a temporary name, then renamed: a concurrent reader never sees half a file.
        with tempfile.NamedTemporaryFile("w", dir=cache_dir, suffix=".tmp", delete=False, encoding="utf-8") as part:
            part.write(json.dumps(output))
        os.replace(part.name, cache_file)
    return {
        name: CompiledContract(contract["abi"], bytes.fromhex(contract["evm"]["bytecode"]["object"]))
        for source in output["contracts"].values()
        for name, contract in source.items()
        if contract["evm"]["bytecode"]["object"]
    }


def deploy(
    w3: Web3,
    deployer: LocalAccount | str,
    *,
    admin: str | None = None,
    deployment_path: Path | None = None,
    compiled: Mapping[str, CompiledContract] | None = None,
) -> Deployment:
    """Deploy and wire the four contracts, sending from `deployer` (a key, or an address the node unlocks).

    `admin` (default: the deployer) receives every contract's DEFAULT_ADMIN_ROLE. If `deployment_path` is given,
    the deployment file is written there. `compiled` defaults to `compile_contracts()`.
    """
    contracts = compiled if compiled is not None else compile_contracts()
    deployer_address = deployer.address if isinstance(deployer, LocalAccount) else Web3.to_checksum_address(deployer)
    admin_address = Web3.to_checksum_address(admin) if admin is not None else deployer_address

    receipts: dict[str, TxReceipt] = {}
    addresses: dict[str, ChecksumAddress] = {}

    def create(name: str, *arguments: Any) -> ChecksumAddress:
        factory = w3.eth.contract(abi=contracts[name].abi, bytecode=contracts[name].bytecode)
        receipts[name] = _transact(w3, deployer, factory.constructor(*arguments))
        created = receipts[name]["contractAddress"]
        if created is None:
            raise DeploymentError(f"deploying {name} created no contract")
        addresses[name] = Web3.to_checksum_address(created)
        logger.info("deployed %s at %s", name, addresses[name])
        return addresses[name]

    ledger = create("CarbonLedger", admin_address)
    accounts = create("CarbonAccounts", admin_address, ledger)
    offsets = create("CarbonOffsets", admin_address, accounts)
    create("CarbonAttestations", admin_address, ledger, accounts)
    if admin_address == deployer_address:
        accounts_contract = w3.eth.contract(address=accounts, abi=contracts["CarbonAccounts"].abi)
        offsets_role = accounts_contract.functions.OFFSETS_ROLE().call()
        _transact(w3, deployer, accounts_contract.functions.grantRole(offsets_role, offsets))
    else:
        logger.warning("admin %s must grant OFFSETS_ROLE in CarbonAccounts to %s", admin_address, offsets)

    deployment = Deployment(
        chain_id=w3.eth.chain_id,
        block_number=receipts["CarbonLedger"]["blockNumber"],
        deployer=deployer_address,
        contracts={
            name: DeployedContract(
                address=addresses[name],
                abi_sha256=abi_sha256(contracts[name].abi),
                tx=HexStr("0x" + bytes(receipts[name]["transactionHash"]).hex()),
            )
            for name in DEPLOYED_CONTRACTS
        },
    )
    if deployment_path is not None:
        deployment.write(deployment_path)
    return deployment


def _transact(w3: Web3, sender: LocalAccount | str, call: Any) -> TxReceipt:
    """Send a contract constructor or function call and wait for it; a reverted transaction is an error."""
    sender_address = sender.address if isinstance(sender, LocalAccount) else sender
    transaction = call.build_transaction({"from": sender_address})
    if isinstance(sender, LocalAccount):
        transaction["nonce"] = w3.eth.get_transaction_count(sender.address, "pending")
        tx_hash = w3.eth.send_raw_transaction(sender.sign_transaction(transaction).raw_transaction)
    else:
        tx_hash = w3.eth.send_transaction(transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT_S)
    if receipt["status"] != 1:
        raise DeploymentError(f"transaction {tx_hash.hex()} reverted")
    return receipt


def _standard_input() -> JSON:
    """The solc standard-JSON input: every source under contracts/ and brownie-config.yaml's settings."""
    config = yaml.safe_load(BROWNIE_CONFIG.read_text(encoding="utf-8"))["compiler"]
    sources = {
        path.relative_to(REPO_ROOT).as_posix(): {"content": path.read_text(encoding="utf-8")}
        for path in sorted(CONTRACTS_DIR.rglob("*.sol"))
    }
    return {
        "language": "Solidity",
        "sources": sources,
        "settings": {
            "optimizer": config["solc"]["optimizer"],
            "evmVersion": config["evm_version"],
            "remappings": config["solc"]["remappings"],
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
        },
    }


def _int_field(document: Any, name: str) -> int:
    value = document[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise DeploymentError(f"deployment file: {name} must be an integer")
    return value


def _str_field(document: Any, name: str) -> str:
    value = document[name]
    if not isinstance(value, str):
        raise DeploymentError(f"deployment file: {name} must be a string")
    return value
