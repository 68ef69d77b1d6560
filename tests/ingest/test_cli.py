"""The command line: factors list/show, templates, ingest (dry run and real) and recompute, end to end on a
SQLite ledger in a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sqlalchemy import select

from ledger.log import MerkleLog
from ledger.log_store import SqlLogStore
from oracle.account_totals import account_totals
from oracle.batch_totals import BatchTotals, batch_totals
from oracle.cli import main
from tests.calc.conftest import CALC_DATA
from tests.ingest.conftest import INGEST_DATA

ORIGIN = "carbonledger/test"


def ledger_flags(tmp_path: Path) -> list[str]:
    return ["--database-url", f"sqlite:///{tmp_path / 'ledger.db'}", "--origin", ORIGIN]


def log_at(tmp_path: Path) -> MerkleLog:
    return MerkleLog(SqlLogStore.from_url(f"sqlite:///{tmp_path / 'ledger.db'}"), ORIGIN)


def test_given_shipped_library_when_factors_listed_then_each_dataset_appears_with_check_marks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["factors", "list"]) == 0
    listing = capsys.readouterr().out
    for dataset in ("cn-gbt-32150-2015", "cn-grid-2022", "cn-grid-2023", "us-epa-ghg-hub", "ipcc-2006"):
        assert f"[{dataset} " in listing
    assert "cn-grid-2023/national  [cn-grid-2023 2023]  CO2 0.5306 kg/kWh\n" in listing
    assert "us-epa-ghg-hub/wood" in listing and "(check)" in listing


def test_given_factor_id_when_shown_then_values_sources_and_licence_are_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["factors", "show", "ipcc-2006/gas-diesel-oil"]) == 0
    shown = capsys.readouterr().out
    assert "CH4-fossil: 3 kg/TJ" in shown and "Table 2.2" in shown and "Table 1.4" in shown
    assert "licence: IPCC default value cited individually" in shown


def test_given_unknown_factor_id_when_shown_then_clean_error_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["factors", "show", "no/such"]) == 2
    assert capsys.readouterr().err == "carbonledger: error: no factor with id 'no/such'\n"


def test_given_user_factor_file_when_listed_then_its_factors_join_the_shipped_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        main(["factors", "list", "--dataset", "test-custom", "--factors", str(CALC_DATA / "custom-factors.csv")]) == 0
    )
    assert capsys.readouterr().out.splitlines() == [
        "test-custom/one-gram-per-kg  [test-custom 1]  CO2 1 g/kg",
        "test-custom/steel-spend  [test-custom 1]  CO2e 2.5 kg/万元",
    ]


def test_given_activity_file_when_dry_run_then_totals_print_and_no_record_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["ingest", str(INGEST_DATA / "good" / "activities.csv"), "--dry-run", *ledger_flags(tmp_path)])

    assert code == 0
    out = capsys.readouterr().out
    assert "scope 2 (market-based): 365.760 t CO2e" in out and "dry run: nothing written" in out
    assert log_at(tmp_path).tree_head().tree_size == 0


def test_given_ingested_record_when_recomputed_from_its_json_then_figures_are_reproduced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(INGEST_DATA / "good" / "activities.csv"), *ledger_flags(tmp_path)]) == 0
    (canonical,) = log_at(tmp_path).entries(3, 4)
    canonical_file = tmp_path / "record.json"
    canonical_file.write_bytes(canonical)
    pretty_file = tmp_path / "record-pretty.json"
    pretty_file.write_text(json.dumps(json.loads(canonical), indent=2, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()

    for path in (canonical_file, pretty_file):
        assert main(["recompute", str(path)]) == 0
        out = capsys.readouterr().out
        assert "receipt reproduces the record" in out and "co2e_g: 74209000" in out


def test_given_record_with_altered_total_when_recomputed_then_mismatch_is_reported_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(INGEST_DATA / "good" / "activities.csv"), *ledger_flags(tmp_path)]) == 0
    record = json.loads(log_at(tmp_path).entries(0, 1)[0])
    record["co2e_g"] += 1000
    path = tmp_path / "altered.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")

    assert main(["recompute", str(path)]) == 2
    assert "co2e_g: recomputed 216218881, record holds 216219881" in capsys.readouterr().err


def test_given_record_json_with_a_float_when_recomputed_then_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "float.json"
    path.write_text('{"co2e_g": 1.5}', encoding="utf-8")
    assert main(["recompute", str(path)]) == 2
    assert "decimals must be strings" in capsys.readouterr().err


def test_given_bad_file_when_ingested_then_every_problem_is_printed_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["ingest", str(INGEST_DATA / "bad" / "many-problems.csv"), *ledger_flags(tmp_path)])

    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("carbonledger: error: 7 problem(s):")
    assert "many-problems.csv, row 8: duplicates row 2" in err
    assert log_at(tmp_path).tree_head().tree_size == 0


def test_given_gcv_energy_when_ratio_flag_given_then_ingest_converts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "gcv.csv"
    path.write_text(
        "account,period,source,activity_quantity,activity_unit,calorific_basis,factor_id\n"
        "QZ0001,2025,stationary-combustion/natural-gas,1000,GJ,GCV,ipcc-2006/natural-gas\n",
        encoding="utf-8",
    )
    flags = ["--ncv-per-gcv", "natural-gas=0.90", *ledger_flags(tmp_path)]
    assert main(["ingest", str(path), *flags]) == 0
    assert "scope 1: 50.490 t CO2e" in capsys.readouterr().out


def test_given_a_batch_size_when_ingested_then_each_batch_is_appended_and_its_account_totals_stored(
    tmp_path: Path,
) -> None:
    assert main(["ingest", str(INGEST_DATA / "good" / "activities.csv"), "--batch-size", "2",
                 *ledger_flags(tmp_path)]) == 0
    store = SqlLogStore.from_url(f"sqlite:///{tmp_path / 'ledger.db'}")
    with store.engine.connect() as connection:
        ranges = connection.execute(select(batch_totals.c.start_index, batch_totals.c.end_index)
                                    .order_by(batch_totals.c.start_index)).all()
    assert [tuple(row) for row in ranges] == [(0, 2), (2, 4), (4, 5)]
    log = log_at(tmp_path)

    def refuse(start: int, end: int) -> dict[tuple[str, int], int]:
        raise AssertionError(f"read [{start}, {end})")

    stored = BatchTotals(store.engine, ORIGIN).totals(0, 5, refuse)
    assert stored == account_totals(json.loads(entry) for entry in log.entries(0, 5))


@pytest.mark.parametrize("size", ["0", "-3", "many"])
def test_given_a_batch_size_that_is_not_a_positive_number_when_ingesting_then_usage_error_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], size: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["ingest", str(INGEST_DATA / "good" / "activities.csv"), "--batch-size", size, *ledger_flags(tmp_path)])
    assert exited.value.code == 2
    assert "is not a whole number of 1 or more" in capsys.readouterr().err
    assert not (tmp_path / "ledger.db").exists()
