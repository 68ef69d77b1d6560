"""Assembles the oracle's parts from its settings: chain, deployment, contracts, keys, log and state store.

Commands build one Runtime and take what they need from it; nothing connects or decrypts until asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3

from identity.keystore import Keystore
from identity.note_key import load_or_create_note_signer
from identity.password import key_password
from ledger.log import MerkleLog
from ledger.log_store import SqlLogStore, create_store_engine
from oracle.anvil import ChainError
from oracle.chain import ChainSettings, RevertDecoder, TransactionSender
from oracle.contracts import Deployment, compile_contracts
from oracle.eip712 import SigningDomain
from oracle.note import NoteSigner
from oracle.pipeline import BatchPolicy, Oracle, OracleContracts
from oracle.pipeline_store import PipelineStore

ORACLE_KEY = "oracle"
ADMIN_KEY = "admin"


@dataclass
class Runtime:
    state_dir: Path
    database_url: str
    origin: str
    rpc_url: str
    confirmations: int = 1
    _accounts: dict[str, LocalAccount] = field(default_factory=dict)

    @property
    def deployment_path(self) -> Path:
        return self.state_dir / "deployment.json"

    @cached_property
    def w3(self) -> Web3:
        w3 = Web3(HTTPProvider(self.rpc_url, request_kwargs={"timeout": 30}))
        if not w3.is_connected():
            raise ChainError(f"no chain answers at {self.rpc_url}: start it with `carbonledger chain up`")
        return w3

    @cached_property
    def deployment(self) -> Deployment:
        if not self.deployment_path.exists():
            raise ChainError(f"{self.deployment_path} does not exist: deploy with `carbonledger deploy`")
        deployment = Deployment.read(self.deployment_path)
        if deployment.chain_id != self.w3.eth.chain_id:
            raise ChainError(
                f"{self.deployment_path} is for chain {deployment.chain_id}, but {self.rpc_url} is chain {self.w3.eth.chain_id}"
            )
        return deployment

    @cached_property
    def abis(self) -> dict[str, list[dict[str, Any]]]:
        return {name: compiled.abi for name, compiled in compile_contracts().items()}

    def contract(self, name: str) -> Any:
        return self.w3.eth.contract(address=self.deployment.contracts[name].address, abi=self.abis[name])

    @cached_property
    def keystore(self) -> Keystore:
        return Keystore.in_state_dir(self.state_dir)

    def account(self, label: str) -> LocalAccount:
        if label not in self._accounts:
            self._accounts[label] = self.keystore.load(label, key_password())
        return self._accounts[label]

    @cached_property
    def log(self) -> MerkleLog:
        return MerkleLog(SqlLogStore.from_url(self.database_url), self.origin)

    @cached_property
    def store(self) -> PipelineStore:
        return PipelineStore(create_store_engine(self.database_url))

    @cached_property
    def note_signer(self) -> NoteSigner:
        return load_or_create_note_signer(self.state_dir / "keys" / "checkpoint-ed25519.pem", self.origin)

    def sender(self, label: str) -> TransactionSender:
        return TransactionSender(
            self.w3, self.account(label), self.store, RevertDecoder(list(self.abis.values())),
            ChainSettings(confirmations=self.confirmations),
        )

    def oracle(self, policy: BatchPolicy = BatchPolicy()) -> Oracle:
        ledger = self.contract("CarbonLedger")
        contracts = OracleContracts(ledger, self.contract("CarbonAccounts"), SigningDomain(self.w3.eth.chain_id, ledger.address))
        return Oracle(self.log, self.store, self.sender(ORACLE_KEY), contracts, self.account(ORACLE_KEY),
                      self.note_signer, policy)
