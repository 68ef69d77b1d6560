"""Benchmark of activity file ingestion: a generated CSV checked as `ingest --dry-run` does (validated,
calculated, deduplicated, each record's serial and so its 3D code fixed), and a full import of a smaller file
into a fresh SQLite ledger (code texts, records, canonical bytes, log appends).

    .venv/bin/python scripts/bench_ingest.py [--rows 1000000] [--import-rows 100000] [--workers N]

Each stage runs in a child process of its own, so its peak memory (ru_maxrss of the child and of its largest
worker) is measured alone. Prints one line per stage.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = [
    "account",
    "facility",
    "period",
    "source",
    "activity_quantity",
    "activity_unit",
    "calorific_basis",
    "scope2_method",
    "factor_id",
    "gwp_set",
]
# One row of each kind in turn: carbon content, grid location and market, heating value, blend, EPA GCV.
KINDS = [
    ("stationary-combustion/natural-gas", "万Nm³", "", "", ""),
    ("purchased-energy/electricity", "MWh", "", "location", ""),
    ("purchased-energy/electricity", "MWh", "", "market", ""),
    ("stationary-combustion/diesel", "t", "", "", ""),
    ("fugitive/r-410a", "kg", "", "", ""),
    ("stationary-combustion/diesel", "mmBtu", "GCV", "", "us-epa-ghg-hub/diesel"),
]


def write_activity_file(path: Path, rows: int) -> None:
    """`rows` distinct rows (no two share an identity), streamed to `path`."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for index in range(rows):
            source, unit, basis, method, factor_id = KINDS[index % len(KINDS)]
            # (index mod 1000, index div 1000) differ for every index, so every quantity is distinct.
            quantity = f"{1 + index % 1000}.{index // 1000:04d}"
            account = f"AC{index % 997:04d}"
            period = f"2025M{1 + index % 12:02d}"
            writer.writerow([account, "F01", period, source, quantity, unit, basis, method, factor_id, "AR5"])


def run_stage(stage: str, path: Path, workers: int, database: Path | None) -> dict[str, float]:
    from ledger.calc.library import shipped_library
    from ledger.log import MerkleLog
    from ledger.log_store import SqlLogStore
    from oracle.ingest.options import IngestOptions
    from oracle.ingest.pipeline import ingest

    options = IngestOptions(shipped_library(), workers=workers)
    log = None if database is None else MerkleLog(SqlLogStore.from_url(f"sqlite:///{database}"), "bench/ingest")
    started = time.perf_counter()
    report = ingest(path, log, options, dry_run=stage == "check")
    seconds = time.perf_counter() - started
    return {
        "rows": report.rows,
        "records": report.new_records,
        "appended": report.appended,
        "seconds": seconds,
        "main_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "largest_worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def in_child(stage: str, path: Path, workers: int, database: Path | None) -> dict[str, float]:
    command = [sys.executable, __file__, "--stage", stage, "--file", str(path), "--workers", str(workers)]
    if database is not None:
        command += ["--database", str(database)]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def describe(name: str, result: dict[str, float], workers: int) -> str:
    rate = result["rows"] / result["seconds"]
    peak = (
        result["main_peak_mb"] + workers * result["largest_worker_peak_mb"] if workers > 1 else result["main_peak_mb"]
    )
    return (
        f"{name}: {int(result['rows']):,} rows → {int(result['records']):,} records"
        f"{', ' + format(int(result['appended']), ',') + ' appended' if result['appended'] else ''} "
        f"in {result['seconds']:.1f} s = {rate:,.0f} rows/s; peak memory {peak:,.0f} MB "
        f"(main {result['main_peak_mb']:,.0f} MB, largest worker {result['largest_worker_peak_mb']:,.0f} MB)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the checked file")
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows imported into SQLite (0: skip)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--stage", choices=("check", "import"), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.stage is not None:
        print(json.dumps(run_stage(arguments.stage, arguments.file, arguments.workers, arguments.database)))
        return 0
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, workers {arguments.workers}")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as folder:
        checked = Path(folder) / "activities.csv"
        write_activity_file(checked, arguments.rows)
        print(f"file: {checked.stat().st_size / 2**20:,.0f} MB")
        result = in_child("check", checked, arguments.workers, None)
        print(
            describe(
                "ingest --dry-run (validated, calculated, serials and so 3D codes fixed)", result, arguments.workers
            )
        )
        if arguments.import_rows:
            imported = Path(folder) / "import.csv"
            write_activity_file(imported, arguments.import_rows)
            result = in_child("import", imported, arguments.workers, Path(folder) / "ledger.db")
            print(
                describe("ingest into SQLite (+ code texts, records, canonical bytes, log)", result, arguments.workers)
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
