"""A ledger driven through the real command line: a state folder with its own embedded chain, and the CLI run
in subprocesses against them, as an operator would.

`provision_ledger` builds one (low-cost test keys, `carbonledger deploy`, accounts registered on chain, records
ingested); `CliLedger.copy_to` clones it, chain state included, onto a chain of its own on a free port, so each
crash drill starts from the same state in a few hundred milliseconds and drills never share a chain.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3

from identity.keystore import Keystore
from ledger.calc.library import shipped_library
from ledger.log import MerkleLog
from ledger.log_store import SqlLogStore, create_store_engine
from oracle.anvil import EmbeddedChain
from oracle.chain import RevertDecoder, TransactionSender
from oracle.chain_ids import account_id, short_code
from oracle.contracts import Deployment, compile_contracts
from oracle.crash import CRASH_VARIABLE
from oracle.ingest.options import IngestOptions
from oracle.ingest.pipeline import ingest
from oracle.pipeline_store import PipelineStore
from tests.oracle.chain_fixture import INDUSTRY, REGION, free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "carbonledger.test/cli"
ACCOUNTS = ("QZ0001", "QZ0002", "HZ0001")
YEAR = 2025
# Test keys only: a fixed password and a light scrypt cost, so that each command opens its keys quickly.
KEY_PASSWORD = "test-only key password"
TEST_SCRYPT_N = 2**10
COMMAND_TIMEOUT_S = 300
KILLED = -signal.SIGKILL
# Account enterprise level and region level in CarbonAccounts.AccountLevel.
_REGION_LEVEL, _ENTERPRISE_LEVEL = 0, 2


@dataclass
class CliLedger:
    state_dir: Path
    chain: EmbeddedChain

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.state_dir / 'ledger.db'}"

    def environment(self, crash_at: str | None = None) -> dict[str, str]:
        environment = dict(
            os.environ,
            CARBONLEDGER_HOME=str(self.state_dir),
            CARBONLEDGER_DATABASE_URL=self.database_url,
            CARBONLEDGER_RPC_URL=self.chain.rpc_url,
            CARBONLEDGER_LOG_ORIGIN=ORIGIN,
            CARBONLEDGER_KEY_PASSWORD=KEY_PASSWORD,
        )
        environment.pop(CRASH_VARIABLE, None)
        if crash_at is not None:
            environment[CRASH_VARIABLE] = crash_at
        return environment

    def run(self, *arguments: str, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
        """`carbonledger <arguments>` in a subprocess; with `crash_at`, the crash point it must die at."""
        return subprocess.run([sys.executable, "-m", "oracle.cli", *arguments], cwd=REPO_ROOT,
                              env=self.environment(crash_at), capture_output=True, text=True,
                              timeout=COMMAND_TIMEOUT_S)

    def succeed(self, *arguments: str) -> str:
        result = self.run(*arguments)
        assert result.returncode == 0, f"carbonledger {' '.join(arguments)}: {result.stderr}"
        return result.stdout

    def crash(self, *arguments: str, at: str) -> None:
        result = self.run(*arguments, crash_at=at)
        assert result.returncode == KILLED, (
            f"carbonledger {' '.join(arguments)} did not die at {at} (exit {result.returncode}): {result.stderr}"
        )

    def w3(self) -> Web3:
        return Web3(HTTPProvider(self.chain.rpc_url))

    def deployment(self) -> Deployment:
        return Deployment.read(self.state_dir / "deployment.json")

    def contract(self, name: str) -> Any:
        address = self.deployment().contracts[name].address
        return self.w3().eth.contract(address=address, abi=compile_contracts()[name].abi)

    def log(self) -> MerkleLog:
        return MerkleLog(SqlLogStore.from_url(self.database_url), ORIGIN)

    def store(self) -> PipelineStore:
        return PipelineStore(create_store_engine(self.database_url))

    def key(self, label: str) -> LocalAccount:
        return Keystore.in_state_dir(self.state_dir).load(label, KEY_PASSWORD)

    def ingest(self, path: Path) -> None:
        ingest(path, self.log(), IngestOptions(library=shipped_library(), workers=1))

    def copy_to(self, directory: Path) -> CliLedger:
        """A clone of this (stopped) ledger in `directory`, its chain started from a copy of the chain state."""
        assert not self.chain.status().running, "stop the chain before copying its state"
        shutil.copytree(self.state_dir, directory, dirs_exist_ok=True)
        return CliLedger(directory, start_chain(directory / "chain"))

    @contextmanager
    def running_copy(self, directory: Path) -> Iterator[CliLedger]:
        """`copy_to`, with the clone's chain stopped when done."""
        clone = self.copy_to(directory)
        try:
            yield clone
        finally:
            clone.chain.down()


_port_choice = threading.Lock()


def start_chain(state_dir: Path) -> EmbeddedChain:
    """The chain of `state_dir` started on a free port, and surely on its own.

    A port is free when probed but taken only once Anvil binds it, so threads choose and bind one at a time;
    and a node of someone else's answering on the port (EmbeddedChain.up then starts none) means another try.
    """
    with _port_choice:
        for _ in range(5):
            chain = EmbeddedChain(state_dir, port=free_port())
            if chain.up().pid is not None:
                return chain
    raise RuntimeError("no free port for the chain")


def provision_ledger(state_dir: Path, activity_file: Path) -> CliLedger:
    """Keys, chain, deployment, the accounts registered on chain, and the file's records in the log.

    The chain is left stopped (its state written), ready for `copy_to`.
    """
    keystore = Keystore.in_state_dir(state_dir, scrypt_n=TEST_SCRYPT_N)
    for label in ("admin", "oracle"):
        keystore.create(label, KEY_PASSWORD)
    ledger = CliLedger(state_dir, start_chain(state_dir / "chain"))
    try:
        ledger.succeed("deploy")
        _register_accounts(ledger, state_dir / "provisioning.db")
        ledger.ingest(activity_file)
    finally:
        ledger.chain.down()
    return ledger


def _register_accounts(ledger: CliLedger, database: Path) -> None:
    admin = ledger.key("admin")
    abis = [compiled.abi for compiled in compile_contracts().values()]
    sender = TransactionSender(ledger.w3(), admin, PipelineStore(create_store_engine(f"sqlite:///{database}")),
                               RevertDecoder(abis))
    accounts = ledger.contract("CarbonAccounts")
    region, industry = short_code(REGION), short_code(INDUSTRY)
    sender.send("grant:regulator", accounts.functions.grantRole(accounts.functions.regulatorRole(region).call(),
                                                                admin.address))
    sender.send(f"register:{REGION}", accounts.functions.registerAccount(
        account_id(REGION), admin.address, _REGION_LEVEL, region, industry, bytes(32)))
    for account in ACCOUNTS:
        sender.send(f"register:{account}", accounts.functions.registerAccount(
            account_id(account), admin.address, _ENTERPRISE_LEVEL, region, industry, account_id(REGION)))


def monthly_rows(months: Iterable[int]) -> Iterator[dict[str, str]]:
    """Scope 1 activity (all of it counts toward the accounts) of each account in `months` of YEAR."""
    for month in months:
        for number, account in enumerate(ACCOUNTS, start=1):
            period = f"{YEAR}M{month:02d}"
            yield {"account": account, "period": period, "source": "stationary-combustion/natural-gas",
                   "activity_quantity": str(Decimal(number * 10 + month) / 4), "activity_unit": "万Nm³"}
            yield {"account": account, "period": period, "source": "mobile-combustion/diesel",
                   "activity_quantity": str(number * 3 + month), "activity_unit": "t"}


def daily_rows(count: int) -> Iterator[dict[str, str]]:
    """`count` rows of daily gas use, spread over the accounts' facilities F000..F049 from 1 January YEAR."""
    facilities = [(account, f"F{number:03d}") for account in ACCOUNTS for number in range(50)]
    for index in range(count):
        account, facility = facilities[index % len(facilities)]
        day = date(YEAR, 1, 1) + timedelta(days=index // len(facilities))
        yield {"account": account, "facility": facility, "period": day.strftime("%Y%m%d"),
               "source": "stationary-combustion/natural-gas", "activity_quantity": str(1 + index % 7),
               "activity_unit": "Nm3"}


def write_activity(path: Path, rows: Iterable[dict[str, str]]) -> Path:
    """An activity CSV that `carbonledger ingest` reads."""
    rows = list(rows)
    columns = sorted({column for row in rows for column in row})
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path
