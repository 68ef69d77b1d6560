"""The demo ledger anchored on a real embedded chain, for the explorer's chain-backed and browser tests.

The 27 demo records are anchored in two checkpoints, at FIRST_ANCHORED_SIZE and at 27 entries, so the second
one carries a consistency proof. Everything lives where the command line looks for it in a state folder:
the ledger database, the deployment file and the checkpoint note key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from identity.note_key import load_or_create_note_signer
from ledger.log import MerkleLog, TreeHead
from ledger.log_store import SqlLogStore, create_store_engine
from ledger.record import Record
from oracle.chain import RevertDecoder, TransactionSender
from oracle.eip712 import SigningDomain
from oracle.note import NoteSigner
from oracle.pipeline import BatchPolicy, Oracle, OracleContracts
from oracle.pipeline_store import PipelineStore
from tests.oracle.chain_fixture import ChainWorld, chain_world
from tests.webapp.demo_records import DEMO_ACCOUNTS, load_demo

ORIGIN = "carbonledger.test/anchored"
FIRST_ANCHORED_SIZE = 20


@dataclass(frozen=True)
class AnchoredLedger:
    world: ChainWorld
    state_dir: Path
    log: MerkleLog
    store: PipelineStore
    note_signer: NoteSigner
    head: TreeHead

    @property
    def url(self) -> str:
        return f"sqlite:///{self.state_dir / 'ledger.db'}"

    @property
    def key_file(self) -> Path:
        return self.state_dir / "keys" / "checkpoint-ed25519.pem"

    @property
    def deployment_file(self) -> Path:
        return self.state_dir / "deployment.json"

    @property
    def ledger_address(self) -> str:
        return str(self.world.deployment.contracts["CarbonLedger"].address)

    def record(self, leaf_index: int) -> Record:
        return Record.from_canonical_bytes(self.log.entries(leaf_index, leaf_index + 1)[0])

    def app_config(self, database_url: str | None = None) -> dict[str, Any]:
        """The explorer's configuration over this ledger (or another database) and this chain."""
        return {
            "DATABASE_URL": database_url or self.url,
            "LOG_ORIGIN": ORIGIN,
            "CHECKPOINT_KEY_FILE": str(self.key_file),
            "DEPLOYMENT_FILE": str(self.deployment_file),
            "RPC_URL": self.world.chain.rpc_url,
        }


def anchored_ledger(state_dir: Path) -> Iterator[AnchoredLedger]:
    for world in chain_world(state_dir, ORIGIN, list(DEMO_ACCOUNTS)):
        url = f"sqlite:///{state_dir / 'ledger.db'}"
        log = MerkleLog(SqlLogStore.from_url(url), ORIGIN)
        store = PipelineStore(create_store_engine(url))
        note_signer = load_or_create_note_signer(state_dir / "keys" / "checkpoint-ed25519.pem", ORIGIN)
        ledger = world.contract("CarbonLedger")
        sender = TransactionSender(world.w3, world.oracle, store, RevertDecoder(list(world.abis.values())))
        domain = SigningDomain(world.w3.eth.chain_id, ledger.address)
        contracts = OracleContracts(ledger, world.contract("CarbonAccounts"), domain)
        oracle = Oracle(log, store, sender, contracts, world.oracle, note_signer, BatchPolicy())
        load_demo(log, FIRST_ANCHORED_SIZE)
        oracle.run_once(force=True)
        head = load_demo(log)
        oracle.run_once(force=True)
        yield AnchoredLedger(world, state_dir, log, store, note_signer, head)
