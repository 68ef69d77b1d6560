"""Benchmark of activity file ingestion, on one generated CSV file, in three stages:

- check: `ingest --dry-run` (validated, calculated, deduplicated, each record's serial and so its 3D code fixed);
- build: all of that, then every record built (its values as canonical text, then its 3D code and canonical
  bytes, hashed and bundled for the log) and handed to a log that only counts what it is given, so the figure
  is ingestion alone, without storage;
- import: the same into a fresh SQLite ledger (the log appends in batches of 50,000, the default).

    .venv/bin/python scripts/bench_ingest.py [--rows 1000000] [--workers N] [--stages check,build,import] [--runs 1]
    .venv/bin/python scripts/bench_ingest.py --steps

Each stage runs in a child process of its own, so its peak memory (ru_maxrss of the child and of its largest
worker) is measured alone. Prints one line per stage and run, then the median of each stage over the runs.
`--steps` instead times the steps of building one record (the first of the file), in µs per call.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Iterator, Sequence
from pathlib import Path

from ledger.log import MerkleLog
from ledger.log_port import LogState
from ledger.prepared_entries import PreparedEntries
from ledger.memory_store import MemoryLogStore

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
# The kinds of row, each in turn: carbon content, grid location and market, heating value, blend, EPA GCV.
KINDS = [
    ("stationary-combustion/natural-gas", "万Nm³", "", "", ""),
    ("purchased-energy/electricity", "MWh", "", "location", ""),
    ("purchased-energy/electricity", "MWh", "", "market", ""),
    ("stationary-combustion/diesel", "t", "", "", ""),
    ("fugitive/r-410a", "kg", "", "", ""),
    ("stationary-combustion/diesel", "mmBtu", "GCV", "", "us-epa-ghg-hub/diesel"),
]
STAGES = ("check", "build", "import")


def write_activity_file(path: Path, rows: int, accounts: int) -> None:
    """`rows` distinct rows (no two share an identity), streamed to `path`: each of `accounts` accounts in turn,
    then the next month of 2025, then the next kind of row."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for index in range(rows):
            account_number, rest = index % accounts, index // accounts
            source, unit, basis, method, factor_id = KINDS[(rest // 12) % len(KINDS)]
            # (index mod 1000, index div 1000) differ for every index, so every quantity is distinct.
            quantity = f"{1 + index % 1000}.{index // 1000:04d}"
            account, period = f"AC{account_number:04d}", f"2025M{1 + rest % 12:02d}"
            writer.writerow([account, "F01", period, source, quantity, unit, basis, method, factor_id, "AR5"])


class CountingLog(MerkleLog):
    """A log that counts the entries given to it and stores nothing: what an import costs without storage."""

    def __init__(self) -> None:
        super().__init__(MemoryLogStore(), "bench/ingest")
        self.size = 0

    def bulk_append(self, expected_size: int | None = None) -> CountingBulk:  # type: ignore[override]
        return CountingBulk(self)


class CountingBulk:
    """A bulk append (ledger.bulk_append) that counts the prepared entries given to it."""

    def __init__(self, log: CountingLog) -> None:
        self.log = log
        self.batches: list[int] = []

    @property
    def size(self) -> int:
        return self.log.size + sum(self.batches)

    def add(self, pieces: Sequence[PreparedEntries]) -> None:
        self.batches.append(sum(piece.count for piece in pieces))

    def commit(self) -> Iterator[LogState]:
        for count in self.batches:
            self.log.size += count
            yield LogState(0, self.log.size, b"")
        self.batches = []


def run_stage(stage: str, path: Path, workers: int, database: Path) -> dict[str, float]:
    from ledger.calc.library import shipped_library
    from ledger.log_store import SqlLogStore
    from oracle.ingest.options import IngestOptions
    from oracle.ingest.pipeline import ingest

    options = IngestOptions(shipped_library(), workers=workers)
    log = CountingLog() if stage == "build" else MerkleLog(SqlLogStore.from_url(f"sqlite:///{database}"), "bench")
    started, cpu_started = time.perf_counter(), time.process_time()
    report = ingest(path, log, options, dry_run=stage == "check")
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "rows": report.rows,
        "records": report.new_records,
        "appended": report.appended,
        "seconds": seconds,
        "main_cpu_s": time.process_time() - cpu_started,
        "workers_cpu_s": children.ru_utime + children.ru_stime,
        "main_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "largest_worker_peak_mb": children.ru_maxrss / 1024,
    }


def step_timings() -> list[str]:
    """µs per call of each step of building a record, best of 9 rounds of 2,000 calls (CPU time)."""
    from ledger.calc.calculate import ActivityKind, Calculator
    from ledger.calc.gwp import gwp_set
    from ledger.calc.library import shipped_library
    from ledger.calc.receipt import quantity_paths
    from ledger.canonical import canonical_bytes, decimal_text
    from ledger.code import CodeStem, ThreeDCode, check_character
    from ledger.record import Record
    from ledger.record_template import RecordTemplate
    from oracle.ingest.options import IngestOptions
    from oracle.ingest.pipeline import ingest

    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as folder:
        path = Path(folder) / "activities.csv"
        write_activity_file(path, 1, 1)
        log = MerkleLog(MemoryLogStore(), "bench")
        ingest(path, log, IngestOptions(shipped_library(), workers=1))
    data = log.entries(0, 1)[0]
    record = Record.from_canonical_bytes(data)
    plain_json = json.loads(data)
    fields = {name: getattr(record, name) for name in record.__dataclass_fields__} | {"receipt": plain_json["receipt"]}
    code = ThreeDCode.parse(record.code)
    code_fields = [getattr(code, name) for name in code.__dataclass_fields__]
    payload, gas_mass_g = code.payload, next(iter(record.gases_g.values()))
    kind = ActivityKind(record.source, record.activity_unit)
    calculator = Calculator(shipped_library(), gwp_set(record.gwp_set))
    template, stem = RecordTemplate(record, quantity_paths(1)), CodeStem(code)
    emission, _, quantities = calculator.figures(kind, record.activity_quantity)
    leaf_values = (record.account, record.facility, record.period, record.activity_quantity, emission.gases_g,
                   emission.co2e_g, emission.biogenic_co2_g, quantities)
    leaves = template.leaves(*leaf_values)
    steps = {
        "canonical bytes of the record's JSON": lambda: canonical_bytes(plain_json),
        "Record(...) with its canonical bytes": lambda: Record(**fields),
        "calculation with its receipt (calculate_kind)": lambda: calculator.calculate_kind(kind, record.activity_quantity),
        "figures without the receipt (figures)": lambda: calculator.figures(kind, record.activity_quantity),
        "record's values as text (RecordTemplate.leaves)": lambda: template.leaves(*leaf_values),
        "record's bytes from them and its code (record_bytes)": lambda: template.record_bytes(record.code, leaves),
        "decimal_text of a gas mass": lambda: decimal_text(gas_mass_g),
        "check character of the code's payload": lambda: check_character(payload),
        "3D code text (ThreeDCode(...).text)": lambda: ThreeDCode(*code_fields).text,
        "3D code text from its stem (CodeStem.code)": lambda: stem.code(code.serial),
    }
    lines = [f"{len(data):,}-byte record {record.code}"]
    for name, step in steps.items():
        seconds = min(timeit.repeat(step, number=2000, repeat=9, timer=time.process_time)) / 2000
        lines.append(f"{name}: {seconds * 1e6:.2f} µs")
    return lines


def in_child(stage: str, path: Path, workers: int, database: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--stage", stage, "--file", str(path), "--workers", str(workers)]
    command += ["--database", str(database)]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def describe(stage: str, result: dict[str, float], workers: int) -> str:
    rate = result["rows"] / result["seconds"]
    worker_count = workers if result["largest_worker_peak_mb"] else 0
    peak = result["main_peak_mb"] + worker_count * result["largest_worker_peak_mb"]
    return (
        f"{stage}: {int(result['rows']):,} rows → {int(result['records']):,} records"
        f"{', ' + format(int(result['appended']), ',') + ' appended' if result['appended'] else ''} "
        f"in {result['seconds']:.1f} s = {rate:,.0f} rows/s; peak memory {peak:,.0f} MB "
        f"(main {result['main_peak_mb']:,.0f} MB, largest of {worker_count} workers "
        f"{result['largest_worker_peak_mb']:,.0f} MB); CPU main {result['main_cpu_s']:.1f} s, "
        f"workers {result['workers_cpu_s']:.1f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the generated file")
    parser.add_argument("--accounts", type=int, default=997, help="accounts the rows are spread over")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--stages", default=",".join(STAGES), help="comma-separated, of " + ", ".join(STAGES))
    parser.add_argument("--runs", type=int, default=1, help="runs of each stage (medians are printed last)")
    parser.add_argument("--steps", action="store_true", help="time the steps of building one record instead")
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.stage is not None:
        print(json.dumps(run_stage(arguments.stage, arguments.file, arguments.workers, arguments.database)))
        return 0
    if arguments.steps:
        print("\n".join(step_timings()))
        return 0
    stages = [stage.strip() for stage in arguments.stages.split(",") if stage.strip()]
    load = ", ".join(f"{average:.1f}" for average in os.getloadavg())
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, workers {arguments.workers}, load average {load}")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as folder:
        path = Path(folder) / "activities.csv"
        write_activity_file(path, arguments.rows, arguments.accounts)
        print(f"file: {arguments.rows:,} rows, {path.stat().st_size / 2**20:,.0f} MB")
        seconds: dict[str, list[float]] = {stage: [] for stage in stages}
        for run in range(arguments.runs):
            for stage in stages:
                database = Path(folder) / f"ledger-{run}-{stage}.db"
                result = in_child(stage, path, arguments.workers, database)
                database.unlink(missing_ok=True)
                seconds[stage].append(result["seconds"])
                print(describe(stage, result, arguments.workers), flush=True)
        for stage, times in seconds.items():
            median = statistics.median(times)
            print(f"median {stage}: {median:.1f} s = {arguments.rows / median:,.0f} rows/s over {len(times)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
