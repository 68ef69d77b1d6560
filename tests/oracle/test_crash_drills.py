"""Crash drills: the oracle is killed with SIGKILL at each crash point, restarted, and nothing is lost or doubled.

Each drill clones a provisioned ledger (its own chain), runs the real command line with CARBONLEDGER_CRASH_AT
set until it dies there (a drill whose point is never reached fails: the exit must be SIGKILL), runs it again
without, and proves with `carbonledger audit` and direct checks that every record is in the log once, every
checkpoint anchored once, the chain's head is the log's, and each account's postings are its records' totals.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.oracle.cli_ledger import ORIGIN, CliLedger, daily_rows, monthly_rows, provision_ledger, write_activity
from tests.oracle.ledger_agreement import assert_oracle_recovers

FIRST_MONTHS = (1, 2, 3)
LATER_MONTHS = (4, 5)
RECORDS_PER_MONTH = 6
# More than one ingest batch (10,000 records), so that an import can die between its batches.
LARGE_FILE_ROWS = 10_050
DRILL_WORKERS = min(max(os.cpu_count() or 1, 2), 4)


@dataclass(frozen=True)
class Drill:
    """`crashes`: the points of successive runs of `carbonledger anchor`, each killed there, before a clean run.

    `start`: `fresh` (records in the log, nothing anchored) or `grown` (one checkpoint anchored and posted,
    more records since, so the drill's checkpoint is anchored with a consistency proof).
    """

    crashes: tuple[str, ...]
    start: str = "fresh"

    @property
    def name(self) -> str:
        return f"{self.start}:{'+'.join(self.crashes)}"


DRILLS = (
    # The checkpoint: before and after it is persisted, before and after it is signed.
    Drill(("checkpoint-due",)),
    Drill(("checkpoint-persisted",)),
    Drill(("before-sign",)),
    Drill(("checkpoint-signed",)),
    # Its anchoring transaction: subject recorded, signed and stored, sent, mined, recorded, checkpoint marked.
    Drill(("anchor-subject-recorded",)),
    Drill(("tx-prepared:anchor",)),
    Drill(("tx-sent:anchor",)),
    Drill(("tx-mined:anchor",)),
    Drill(("anchor-confirmed",)),
    Drill(("checkpoint-anchored",)),
    # The account postings: planned, then each one's transaction at every step, and between postings.
    Drill(("postings-planned",)),
    Drill(("tx-prepared:post",)),
    Drill(("tx-sent:post",)),
    Drill(("tx-mined:post",)),
    Drill(("tx-confirmed:post",)),
    Drill(("tx-prepared:post#2",)),
    Drill(("tx-sent:post#2",)),
    Drill(("tx-mined:post#3",)),
    # Crashes during recovery: the restarted oracle dies again while re-sending what the first one left.
    Drill(("tx-prepared:anchor", "tx-sent:anchor")),
    Drill(("tx-sent:post#2", "tx-mined:post")),
    Drill(("checkpoint-signed", "tx-prepared:anchor", "tx-confirmed:anchor", "tx-sent:post")),
    # A second checkpoint, anchored on top of the first.
    Drill(("checkpoint-persisted",), "grown"),
    Drill(("tx-sent:anchor",), "grown"),
    Drill(("tx-mined:anchor",), "grown"),
    Drill(("postings-planned",), "grown"),
    Drill(("tx-mined:post#2",), "grown"),
)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> CliLedger:
    work = tmp_path_factory.mktemp("fresh")
    return provision_ledger(work / "state", write_activity(work / "first.csv", monthly_rows(FIRST_MONTHS)))


@pytest.fixture(scope="module")
def grown(fresh: CliLedger, tmp_path_factory: pytest.TempPathFactory) -> CliLedger:
    work = tmp_path_factory.mktemp("grown")
    with fresh.running_copy(work / "state") as ledger:
        ledger.succeed("anchor")
        ledger.ingest(write_activity(work / "later.csv", monthly_rows(LATER_MONTHS)))
    return ledger


def records_in(start: str) -> int:
    months = FIRST_MONTHS + (LATER_MONTHS if start == "grown" else ())
    return len(months) * RECORDS_PER_MONTH


def run_drill(drill: Drill, template: CliLedger, work_dir: Path) -> None:
    with template.running_copy(work_dir / "state") as ledger:
        for point in drill.crashes:
            ledger.crash("anchor", at=point)
        assert_oracle_recovers(ledger, records_in(drill.start))


@pytest.fixture(scope="module")
def drill_failures(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[Drill, BaseException | None]:
    """Runs the drills this session selected, side by side (each has its own chain and state folder).

    A drill spends most of its time starting commands and waiting on its chain, so running them together
    keeps the module fast; each test then reports its own drill.
    """
    selected = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if getattr(item, "module", None) is request.module and callspec is not None and "drill" in callspec.params:
            selected.append(callspec.params["drill"])
    templates = {start: request.getfixturevalue(start) for start in sorted({drill.start for drill in selected})}
    with ThreadPoolExecutor(max_workers=DRILL_WORKERS) as pool:
        running = {drill: pool.submit(run_drill, drill, templates[drill.start], tmp_path_factory.mktemp("drill"))
                   for drill in selected}
    return {drill: future.exception() for drill, future in running.items()}


@pytest.mark.parametrize("drill", DRILLS, ids=[drill.name for drill in DRILLS])
def test_given_the_oracle_killed_at_a_crash_point_when_restarted_then_nothing_is_lost_or_doubled(
    drill: Drill, drill_failures: dict[Drill, BaseException | None]
) -> None:
    failure = drill_failures[drill]
    if failure is not None:
        raise failure  # the drill's own assertion, with its traceback


@pytest.fixture
def clone(fresh: CliLedger, tmp_path: Path) -> Iterator[CliLedger]:
    with fresh.running_copy(tmp_path / "state") as ledger:
        yield ledger


def test_given_an_import_killed_between_batches_when_anchored_and_imported_again_then_each_record_is_there_once(
    clone: CliLedger, tmp_path: Path
) -> None:
    activity = write_activity(tmp_path / "daily.csv", daily_rows(LARGE_FILE_ROWS))
    clone.crash("ingest", str(activity), "--batch-size", "10000", at="ingest-batch-appended")
    half_size = clone.log().tree_head().tree_size
    assert records_in("fresh") < half_size < records_in("fresh") + LARGE_FILE_ROWS
    clone.succeed("anchor")
    clone.succeed("ingest", str(activity))
    assert_oracle_recovers(clone, records_in("fresh") + LARGE_FILE_ROWS)
    assert [row.tree_size for row in clone.store().checkpoints(ORIGIN)] == [
        half_size, records_in("fresh") + LARGE_FILE_ROWS
    ]
