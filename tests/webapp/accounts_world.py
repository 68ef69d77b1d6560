"""Carbon accounts on a real embedded chain, for the chain-backed tests of the account, region and verifier views.

Two regions: ZJ (enterprises QZ0001 with facility QZ0001.F01, QZ0002, QZ0003) and JS (JS0001). Built in the
order a ledger lives: contracts deployed, accounts registered in the directory and on chain, 2025 allowances
set (QZ0002's well below what it emits), the records of tests/data/webapp/accounts-activity.csv ingested and
anchored by the oracle run in-process, which posts the totals (so QZ0002's warnings fire), 1,000 offsets issued
and 300 retired for QZ0002, and a verifier accredited in ZJ by its regulator. The explorer's relayer key is in
the state folder's keystore. Tests take `fresh_database` to work on their own copy of the ledger database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eth_account import Account
from eth_account.signers.local import LocalAccount

from identity.keystore import Keystore
from ledger.calc.library import shipped_library
from ledger.log import MerkleLog, TreeHead
from ledger.log_store import SqlLogStore, create_store_engine
from oracle.account_registry import (
    AccountEntry,
    AccountLevel,
    AccountRegistry,
    OutputEntry,
)
from oracle.chain import RevertDecoder, TransactionSender
from oracle.chain_ids import account_id, short_code
from oracle.eip712 import SigningDomain
from oracle.ingest.options import IngestOptions
from oracle.ingest.pipeline import ingest
from oracle.note import NoteSigner
from oracle.pipeline import BatchPolicy, Oracle, OracleContracts
from oracle.pipeline_store import PipelineStore
from tests.oracle.chain_fixture import ADMIN, ChainWorld, chain_world, transact

ORIGIN = "carbonledger.test/accounts"
ACTIVITY = Path(__file__).resolve().parents[1] / "data" / "webapp" / "accounts-activity.csv"
YEAR = 2025
KEY_PASSWORD = "test-only relayer password"
LIGHT_SCRYPT_N = 2**10
RELAYER_LABEL = "relayer"
OFFSETS_ISSUED, OFFSETS_RETIRED = 1_000, 300
GRAMS_PER_TONNE = 1_000_000

DIRECTORY = (
    AccountEntry("ZJ", "Zhejiang", AccountLevel.REGION, "ZJ", "-", None, ADMIN),
    AccountEntry("QZ0001", "Quzhou Chemicals", AccountLevel.ENTERPRISE, "ZJ", "C26", "ZJ", ADMIN),
    AccountEntry("QZ0001.F01", "Quzhou Chemicals, plant 1", AccountLevel.FACILITY, "ZJ", "C26", "QZ0001", ADMIN),
    AccountEntry("QZ0002", "Quzhou Glass", AccountLevel.ENTERPRISE, "ZJ", "C30", "ZJ", ADMIN),
    AccountEntry("QZ0003", "Quzhou Instruments", AccountLevel.ENTERPRISE, "ZJ", "C99", "ZJ", ADMIN),
    AccountEntry("JS", "Jiangsu", AccountLevel.REGION, "JS", "-", None, ADMIN),
    AccountEntry("JS0001", "Suzhou Steel", AccountLevel.ENTERPRISE, "JS", "C31", "JS", ADMIN),
)
OUTPUTS = (OutputEntry("QZ0001", YEAR, Decimal("1500"), "t product"),
           OutputEntry("QZ0002", YEAR, Decimal("2000"), "t product"),
           OutputEntry("JS0001", YEAR, Decimal("100"), "t product"))
ALLOWANCES_G = {"QZ0001": 5_000 * GRAMS_PER_TONNE, "QZ0002": 1_000 * GRAMS_PER_TONNE}


@dataclass(frozen=True)
class AccountsWorld:
    world: ChainWorld
    state_dir: Path
    head: TreeHead
    verifier: LocalAccount
    relayer: str

    @property
    def database(self) -> Path:
        return self.state_dir / "ledger.db"

    def contract(self, name: str) -> Any:
        return self.world.contract(name)

    def fresh_database(self, directory: Path) -> str:
        """A copy of the world's ledger database in `directory`, as a database URL."""
        copy = directory / "ledger.db"
        # SQLite's backup API copies what is committed, including what still sits in the write-ahead log.
        with closing(sqlite3.connect(self.database)) as source, closing(sqlite3.connect(copy)) as target:
            source.backup(target)
        return f"sqlite:///{copy}"

    def app_config(self, database_url: str) -> dict[str, Any]:
        return {
            "DATABASE_URL": database_url,
            "LOG_ORIGIN": ORIGIN,
            "CHECKPOINT_KEY_FILE": str(self.state_dir / "keys" / "checkpoint-ed25519.pem"),
            "DEPLOYMENT_FILE": str(self.state_dir / "deployment.json"),
            "RPC_URL": self.world.chain.rpc_url,
            "KEYSTORE_DIR": str(self.state_dir / "keys"),
            "SECRET_KEY": "test-only session key",
        }


def write_directory(url: str) -> None:
    """The account directory and the 2025 outputs, in the database at `url`."""
    engine = create_store_engine(url)
    registry = AccountRegistry(engine)
    registry.save_accounts(list(DIRECTORY))
    registry.save_outputs(list(OUTPUTS))
    engine.dispose()


def ingest_activity(url: str) -> MerkleLog:
    """The log at `url` holding the records of the activity file."""
    log = MerkleLog(SqlLogStore.from_url(url), ORIGIN)
    ingest(ACTIVITY, log, IngestOptions(shipped_library(), workers=1))
    return log


def accounts_world(state_dir: Path) -> Iterator[AccountsWorld]:
    for world in chain_world(state_dir, ORIGIN, []):
        url = f"sqlite:///{state_dir / 'ledger.db'}"
        write_directory(url)
        _register(world)
        for account, allowance_g in ALLOWANCES_G.items():
            transact(world.w3, world.contract("CarbonAccounts").functions.setAllowance(
                account_id(account), YEAR, allowance_g))
        head = _ingest_and_anchor(world, url)
        _retire_offsets(world)
        verifier = Account.create()
        transact(world.w3, world.contract("CarbonAttestations").functions.accreditVerifier(
            short_code("ZJ"), verifier.address))
        relayer = Keystore.in_state_dir(state_dir, scrypt_n=LIGHT_SCRYPT_N).create(RELAYER_LABEL, KEY_PASSWORD)
        world.w3.eth.wait_for_transaction_receipt(world.w3.eth.send_transaction(
            {"from": ADMIN, "to": relayer.address, "value": world.w3.to_wei(10, "ether")}))
        yield AccountsWorld(world, state_dir, head, verifier, relayer.address)


def _register(world: ChainWorld) -> None:
    """On chain, every account of the directory that the fixture chain has not registered."""
    carbon_accounts = world.contract("CarbonAccounts")
    js = short_code("JS")
    transact(world.w3, carbon_accounts.functions.grantRole(carbon_accounts.functions.regulatorRole(js).call(), ADMIN))
    for entry in DIRECTORY:
        if entry.account == "ZJ":
            continue
        parent = bytes(32) if entry.parent is None else account_id(entry.parent)
        transact(world.w3, carbon_accounts.functions.registerAccount(
            account_id(entry.account), ADMIN, int(entry.level), short_code(entry.region),
            short_code(entry.industry), parent))


def _ingest_and_anchor(world: ChainWorld, url: str) -> TreeHead:
    log = ingest_activity(url)
    pipeline_store = PipelineStore(create_store_engine(url))
    ledger = world.contract("CarbonLedger")
    oracle = Oracle(
        log, pipeline_store,
        TransactionSender(world.w3, world.oracle, pipeline_store, RevertDecoder(list(world.abis.values()))),
        OracleContracts(ledger, world.contract("CarbonAccounts"), SigningDomain(world.w3.eth.chain_id, ledger.address)),
        world.oracle, NoteSigner(ORIGIN, Ed25519PrivateKey.generate()), BatchPolicy(),
    )
    oracle.run_once(force=True)
    pipeline_store.engine.dispose()
    return log.tree_head()


def _retire_offsets(world: ChainWorld) -> None:
    offsets = world.contract("CarbonOffsets")
    transact(world.w3, offsets.functions.grantRole(offsets.functions.REGISTRY_ROLE().call(), ADMIN))
    transact(world.w3, offsets.functions.issueOffsets(bytes(32), YEAR - 1, OFFSETS_ISSUED, ADMIN))
    transact(world.w3, offsets.functions.retireOffsets(1, 1, OFFSETS_RETIRED, account_id("QZ0002"), YEAR))
