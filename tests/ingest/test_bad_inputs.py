"""The bad-input catalogue (tests/data/ingest/bad-inputs.json): every file is rejected whole, with exactly the
issues listed (file, row, column, reason), all of them in one pass, and nothing is written to the log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ledger.errors import IngestError
from ledger.log import MerkleLog
from oracle.ingest.options import IngestOptions
from oracle.ingest.pipeline import ingest
from tests.ingest.conftest import INGEST_DATA, write_xlsx

CASES: list[dict[str, Any]] = json.loads((INGEST_DATA / "bad-inputs.json").read_text(encoding="utf-8"))["cases"]


def test_given_catalogue_when_counted_then_it_has_at_least_thirty_bad_inputs() -> None:
    assert len(CASES) >= 30


def file_of(case: dict[str, Any], tmp_path: Path) -> Path:
    if "xlsx" in case:
        return write_xlsx(tmp_path / case["xlsx"]["name"], case["xlsx"]["rows"])
    return INGEST_DATA / str(case["file"])


@pytest.mark.parametrize("case", CASES, ids=[case.get("file", case.get("xlsx", {}).get("name")) for case in CASES])
def test_given_bad_input_when_ingested_then_each_issue_is_named_and_nothing_is_written(
    case: dict[str, Any], tmp_path: Path, log: MerkleLog, options: IngestOptions
) -> None:
    ingest(INGEST_DATA / "good" / "one-row.csv", log, options)
    size_before = log.tree_head().tree_size
    path = file_of(case, tmp_path)

    with pytest.raises(IngestError) as error:
        ingest(path, log, options)

    issues = error.value.issues
    assert sorted((issue.row or 0, issue.column or "") for issue in issues) == sorted(
        (wanted["row"] or 0, wanted["column"] or "") for wanted in case["want"]
    ), [str(issue) for issue in issues]
    for wanted in case["want"]:
        matching = [issue for issue in issues if (issue.row, issue.column) == (wanted["row"], wanted["column"])]
        assert any(wanted["reason"] in issue.reason for issue in matching), [str(issue) for issue in matching]
    assert all(issue.file == path.name for issue in issues)
    assert log.tree_head().tree_size == size_before


def test_given_bad_cells_when_reported_then_issue_names_the_offending_value(
    log: MerkleLog, options: IngestOptions
) -> None:
    with pytest.raises(IngestError) as error:
        ingest(INGEST_DATA / "bad" / "negative-quantity.csv", log, options)
    (issue,) = error.value.issues
    assert (issue.file, issue.row, issue.column, issue.value) == (
        "negative-quantity.csv",
        2,
        "activity_quantity",
        "-10",
    )
    assert str(issue) == "negative-quantity.csv, row 2, column 'activity_quantity': must not be negative (value '-10')"


def test_given_more_issues_than_listed_when_rejected_then_count_covers_them_all(tmp_path: Path, log: MerkleLog) -> None:
    from ledger.calc.library import shipped_library

    rows = "".join(f"ACME,2025M01,stationary-combustion/natural-gas,-{n},万Nm³\n" for n in range(1, 51))
    path = tmp_path / "fifty-bad-rows.csv"
    path.write_text("account,period,source,activity_quantity,activity_unit\n" + rows, encoding="utf-8")

    with pytest.raises(IngestError) as error:
        ingest(path, log, IngestOptions(shipped_library(), max_listed_issues=10))

    assert (len(error.value.issues), error.value.issue_count) == (10, 50)
    assert "... and 40 more" in str(error.value)
