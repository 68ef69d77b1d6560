"""Benchmark of the explorer at a million records: record page and proof API under load, region view latency.

1. Builds (once; reused when it exists) a SQLite ledger of RECORDS real records: the demo world's enterprises
   over twelve months, each record calculated with the shipped factors and coded with its serial, appended
   in batches, and the explorer's record index caught up.
2. Serves the explorer with gunicorn (2 workers, the production way) on 127.0.0.1.
3. Runs wrk (Debian package `wrk`) against the record page, the record API and the inclusion-proof API, each
   request for a random record, and prints wrk's latency distribution and requests/s.
4. Times the region view (median of repeated requests).

Usage: python scripts/bench_explorer.py [--records 1000000] [--database /tmp/carbonledger-bench-explorer.db]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

from ledger.calc.calculate import Activity, Calculator
from ledger.calc.gwp import gwp_set
from ledger.calc.library import shipped_library
from ledger.calc.sources import source
from ledger.code import ThreeDCode
from ledger.log import MerkleLog
from ledger.log_store import SqlLogStore, create_store_engine
from ledger.period import Period
from ledger.record import Record
from oracle.account_registry import AccountRegistry
from oracle.demo_world import directory, enterprises
from oracle.record_index import RecordIndex

ORIGIN = "carbonledger.bench/explorer"
BATCH = 20_000
ACTIVITIES = (
    ("stationary-combustion/natural-gas", "12.5", "万Nm³", None),
    ("mobile-combustion/diesel", "40", "t", None),
    ("purchased-energy/electricity", "850", "MWh", "location"),
    ("purchased-energy/electricity", "850", "MWh", "market"),
)


def build_ledger(database: Path, count: int) -> None:
    url = f"sqlite:///{database}"
    log = MerkleLog(SqlLogStore.from_url(url), ORIGIN)
    calculator = Calculator(shipped_library(), gwp_set("AR5"))
    calculations = [
        (slug, Decimal(quantity), unit, method,
         calculator.calculate(Activity(source=slug, quantity=Decimal(quantity), unit=unit, scope2_method=method)))
        for slug, quantity, unit, method in ACTIVITIES
    ]
    accounts = [(enterprise.account, facility) for enterprise in enterprises() for facility in enterprise.facilities]
    start = log.tree_head().tree_size
    started = time.perf_counter()
    for batch_start in range(start, count, BATCH):
        entries = []
        for leaf_index in range(batch_start, min(batch_start + BATCH, count)):
            account, facility = accounts[leaf_index % len(accounts)]
            slug, quantity, unit, method, calculation = calculations[(leaf_index // len(accounts)) % len(calculations)]
            period = f"{2020 + (leaf_index // 400_000) % 6}M{(leaf_index // 7) % 12 + 1:02d}"
            where = source(slug)
            code = ThreeDCode(account, facility, Period.parse(period), where.category.scope, where.category.token,
                              where.token, leaf_index + 1)
            entries.append(Record(
                code=code.text, account=account, facility=facility, period=period, scope=where.category.scope,
                scope3_category=None, iso_category=where.category.iso_category, source=slug,
                activity_quantity=quantity, activity_unit=unit, scope2_method=method, gwp_set="AR5",
                gases_g=calculation.emission.gases_g, co2e_g=calculation.emission.co2e_g,
                biogenic_co2_g=calculation.emission.biogenic_co2_g, receipt=calculation.receipt,
            ).canonical_bytes())
        log.append(entries, expected_size=batch_start)
        print(f"  built {batch_start + len(entries):,} records ({time.perf_counter() - started:.0f} s)", flush=True)
    engine = create_store_engine(url)
    # The regions' directory, so the region view has its 60 accounts to rank (owners are placeholders).
    AccountRegistry(engine).save_accounts(directory(lambda account: "0x" + "11" * 20))
    RecordIndex(engine, ORIGIN).catch_up(log)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


def wrk(base_url: str, paths: list[str], seconds: int) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("paths = {" + ",".join(f'"{path}"' for path in paths) + "}\n")
        script.write("request = function()\n  return wrk.format(nil, paths[math.random(#paths)])\nend\n")
    result = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-s", script.name, base_url],
                            capture_output=True, text=True, check=True)
    os.unlink(script.name)
    return result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--database", type=Path, default=Path("/tmp/carbonledger-bench-explorer.db"))
    parser.add_argument("--seconds", type=int, default=20)
    arguments = parser.parse_args()
    build_ledger(arguments.database, arguments.records)

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    environment = dict(os.environ, CARBONLEDGER_DATABASE_URL=f"sqlite:///{arguments.database}",
                       CARBONLEDGER_LOG_ORIGIN=ORIGIN, CARBONLEDGER_HOME=tempfile.mkdtemp())
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         "webapp:create_app()"], env=environment, start_new_session=True)
    try:
        wait_for(f"{base_url}/api/v1/log/tree-head")
        picks = random.Random(7).sample(range(arguments.records), 2000)
        log = MerkleLog(SqlLogStore.from_url(f"sqlite:///{arguments.database}"), ORIGIN)
        codes = [Record.from_canonical_bytes(log.entries(index, index + 1)[0]).code for index in picks[:500]]
        size = log.tree_head().tree_size
        for name, paths in (
            ("record page", [f"/records/{code}" for code in codes]),
            ("record API", [f"/api/v1/records/{code}" for code in codes]),
            ("inclusion proof API", [f"/api/v1/log/proof?leaf_index={index}&tree_size={size}" for index in picks]),
        ):
            print(f"== {name} at {size:,} records (wrk -t2 -c8 -d{arguments.seconds}s, gunicorn 2 workers)")
            print(wrk(base_url, paths, arguments.seconds))
        for path in ("/regions/ZJ", "/regions/JS"):
            timings = []
            for _ in range(20):
                started = time.perf_counter()
                with urllib.request.urlopen(base_url + path, timeout=30) as response:
                    response.read()
                    status = response.status
                timings.append((time.perf_counter() - started) * 1000)
            print(f"== region view {path}: status {status}, median {statistics.median(timings):.1f} ms, "
                  f"max {max(timings):.1f} ms over {len(timings)} requests")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()


if __name__ == "__main__":
    main()
