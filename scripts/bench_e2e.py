"""End-to-end benchmark: activity rows calculated, logged, stored, signed and anchored.

    .venv/bin/python scripts/bench_e2e.py [--rows 1000000] [--accounts 24] [--runs 1]

Each run starts from nothing: a state folder with keys (created at a low scrypt cost, this being a benchmark),
a fresh embedded chain (Anvil) on a free port with the contracts deployed, the oracle's role granted and the
accounts registered (so their postings go through), and a fresh SQLite ledger. Then, timed:

1. generate: a CSV of `--rows` distinct rows, the accounts each in every month of 2025, six kinds of row
   (scripts/bench_ingest.py writes it);
2. ingest: `carbonledger ingest FILE` into the ledger (a process of its own, with its workers);
3. anchor: `Runtime.oracle().run_once(force=True)` (a process of its own): one checkpoint over the whole log,
   signed, anchored on chain, and each account's totals for the year posted.

Prints each stage's time, rows per second and the peak memory (VmHWM) of each of its processes, then the gas of
the anchor transaction (and per record) and of the postings, and medians over the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_explorer import free_port
from bench_ingest import write_activity_file

ORIGIN = "bench.carbonledger/e2e"
KEY_PASSWORD = "benchmark-only key password"
LOW_SCRYPT_N = 2**10
REGION, INDUSTRY = "ZJ", "C26"
REGION_LEVEL, ENTERPRISE_LEVEL = 0, 2


@dataclass
class Stage:
    """One timed stage: its seconds and the peak memory of each process it ran, by process name and id."""

    name: str
    seconds: float
    peaks_mb: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


class PeakMemory:
    """Watches a process and its descendants (read from /proc), keeping the highest high-water mark (VmHWM)
    read of each."""

    def __init__(self, pid: int, interval_s: float = 0.1) -> None:
        self.pid = pid
        self.interval_s = interval_s
        self.peaks_kb: dict[str, int] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._done.is_set():
            statuses = _statuses()
            family = {self.pid}
            for _ in range(3):  # the importer, its workers, and what they start
                family |= {pid for pid, status in statuses.items() if int(status.get("PPid", "0")) in family}
            for pid in family & statuses.keys():
                name = "main" if pid == self.pid else f"worker {pid}"
                peak_kb = int(statuses[pid].get("VmHWM", "0 kB").split()[0])
                self.peaks_kb[name] = max(self.peaks_kb.get(name, 0), peak_kb)
            self._done.wait(self.interval_s)

    def stop(self) -> dict[str, float]:
        self._done.set()
        self._thread.join()
        return {name: kb / 1024 for name, kb in self.peaks_kb.items()}


def _statuses() -> dict[int, dict[str, str]]:
    """/proc/<pid>/status of every process, as fields."""
    statuses = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                lines = (entry / "status").read_text().splitlines()
            except OSError:
                continue  # ended meanwhile
            statuses[int(entry.name)] = dict(line.split(":\t", 1) for line in lines if ":\t" in line)
    return statuses


def timed_process(name: str, command: list[str]) -> tuple[Stage, str]:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watch = PeakMemory(process.pid)
    output, errors = process.communicate()
    seconds = time.perf_counter() - started
    peaks = watch.stop()
    if process.returncode != 0:
        raise RuntimeError(f"{name} failed ({process.returncode}):\n{errors}")
    return Stage(name, seconds, peaks), output


def prepare_chain(state_dir: Path, database_url: str, rpc_url: str, accounts: list[str]) -> None:
    """Keys, deployment, the oracle's role, and the region and accounts registered on chain."""
    from identity.keystore import Keystore
    from oracle.chain_ids import account_id, short_code
    from oracle.deployer import ensure_deployed
    from oracle.runtime import ADMIN_KEY, ORACLE_KEY, Runtime

    keystore = Keystore.in_state_dir(state_dir, scrypt_n=LOW_SCRYPT_N)
    for label in (ADMIN_KEY, ORACLE_KEY):
        keystore.create(label, KEY_PASSWORD)
    runtime = Runtime(state_dir, database_url, ORIGIN, rpc_url)
    ensure_deployed(runtime)
    admin, sender = runtime.account(ADMIN_KEY), runtime.sender(ADMIN_KEY)
    carbon_accounts = runtime.contract("CarbonAccounts")
    region, industry = short_code(REGION), short_code(INDUSTRY)
    regulator_role = carbon_accounts.functions.regulatorRole(region).call()
    sender.send("bench:regulator", carbon_accounts.functions.grantRole(regulator_role, admin.address))
    sender.send(f"bench:register:{REGION}", carbon_accounts.functions.registerAccount(
        account_id(REGION), admin.address, REGION_LEVEL, region, industry, bytes(32)))
    for account in accounts:
        sender.send(f"bench:register:{account}", carbon_accounts.functions.registerAccount(
            account_id(account), admin.address, ENTERPRISE_LEVEL, region, industry, account_id(REGION)))


def anchor_stage(state_dir: Path, database_url: str, rpc_url: str) -> dict[str, Any]:
    """In its own process: one oracle pass; the anchored size and the gas of its transactions."""
    from hexbytes import HexBytes

    from oracle.runtime import Runtime

    runtime = Runtime(state_dir, database_url, ORIGIN, rpc_url)
    oracle = runtime.oracle()
    rows = oracle.run_once(force=True)
    anchored = [row for row in rows if row.tx_subject is not None]

    def gas_of(subject: str) -> int:
        transaction = runtime.store.transaction(subject)
        if transaction is None:
            raise RuntimeError(f"no transaction {subject}")
        return int(runtime.w3.eth.get_transaction_receipt(HexBytes(transaction.tx_hash))["gasUsed"])

    # Postings the contract refused (held back by the oracle) were never sent: only those sent count.
    postings = [posting for posting in runtime.store.postings(ORIGIN) if runtime.store.transaction(posting.tx_subject)]
    return {
        "tree_size": anchored[-1].tree_size if anchored else 0,
        "anchor_gas": sum(gas_of(row.tx_subject) for row in anchored if row.tx_subject),
        "postings": len(postings),
        "posting_gas": sum(gas_of(posting.tx_subject) for posting in postings),
    }


def one_run(rows: int, account_count: int, folder: Path) -> list[Stage]:
    from oracle.anvil import EmbeddedChain

    accounts = [f"AC{number:04d}" for number in range(account_count)]
    state_dir = folder / "state"
    database_url = f"sqlite:///{state_dir / 'ledger.db'}"
    state_dir.mkdir()
    chain = EmbeddedChain(state_dir / "chain", port=free_port())
    chain.up()
    try:
        prepare_chain(state_dir, database_url, chain.rpc_url, accounts)
        activity_file = folder / "activities.csv"
        started = time.perf_counter()
        write_activity_file(activity_file, rows, account_count)
        stages = [Stage("generate", time.perf_counter() - started)]
        ledger_flags = ["--database-url", database_url, "--origin", ORIGIN]
        ingest, output = timed_process(
            "ingest", [sys.executable, "-m", "oracle.cli", "ingest", str(activity_file), *ledger_flags]
        )
        ingest.details["summary"] = output.splitlines()[0]
        anchor_command = [sys.executable, __file__, "--anchor-stage", str(state_dir), database_url, chain.rpc_url]
        anchor, output = timed_process("anchor", anchor_command)
        anchor.details = json.loads(output.strip().splitlines()[-1])
        if anchor.details["tree_size"] != rows:
            raise RuntimeError(f"anchored {anchor.details['tree_size']} records, not {rows}")
        return [*stages, ingest, anchor]
    finally:
        chain.down()


def describe(stage: Stage, rows: int) -> str:
    peaks = ", ".join(f"{name} {mb:,.0f} MB" for name, mb in sorted(stage.peaks_mb.items()))
    line = f"{stage.name}: {stage.seconds:.1f} s = {rows / stage.seconds:,.0f} rows/s"
    if peaks:
        line += f"; peak RSS {peaks}"
    if stage.name == "anchor":
        details = stage.details
        line += (
            f"\n  anchor transaction: {details['anchor_gas']:,} gas for {details['tree_size']:,} records = "
            f"{details['anchor_gas'] / details['tree_size']:.4f} gas per record; "
            f"{details['postings']} postings: {details['posting_gas']:,} gas"
        )
    elif "summary" in stage.details:
        line += f"\n  {stage.details['summary']}"
    return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=24)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--anchor-stage", nargs=3, metavar=("STATE", "DATABASE", "RPC"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.anchor_stage is not None:
        state_dir, database_url, rpc_url = arguments.anchor_stage
        print(json.dumps(anchor_stage(Path(state_dir), database_url, rpc_url)))
        return 0
    os.environ["CARBONLEDGER_KEY_PASSWORD"] = KEY_PASSWORD  # for this process and the stages it starts
    load = ", ".join(f"{average:.1f}" for average in os.getloadavg())
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {load}")
    totals: list[float] = []
    by_stage: dict[str, list[float]] = {}
    for run in range(arguments.runs):
        with tempfile.TemporaryDirectory(prefix="bench-e2e-") as folder:
            stages = one_run(arguments.rows, arguments.accounts, Path(folder))
        print(f"run {run + 1}:")
        for stage in stages:
            print("  " + describe(stage, arguments.rows).replace("\n", "\n  "), flush=True)
            by_stage.setdefault(stage.name, []).append(stage.seconds)
        ingest_and_anchor = sum(stage.seconds for stage in stages if stage.name != "generate")
        totals.append(ingest_and_anchor)
        print(f"  ingest + anchor: {ingest_and_anchor:.1f} s = {arguments.rows / ingest_and_anchor:,.0f} rows/s")
    for name, seconds in by_stage.items():
        print(f"median {name}: {statistics.median(seconds):.1f} s over {len(seconds)} runs")
    print(f"median ingest + anchor: {statistics.median(totals):.1f} s over {len(totals)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
