"""The factor library: every shipped row cites its source, defaults resolve, and bad factor tables are
rejected with every problem named at once."""

from __future__ import annotations

import pytest

from ledger.calc.data_files import package_csv_rows
from ledger.calc.factors import REQUIRED_COLUMNS, factors_from_rows
from ledger.calc.library import DEFAULT_DATASETS, SHIPPED_DATASET_FILES, FactorLibrary, shipped_library
from ledger.errors import FactorDataError, FactorNotFoundError
from tests.calc.conftest import CALC_DATA, csv_rows


@pytest.mark.parametrize("file_name", SHIPPED_DATASET_FILES)
def test_given_shipped_dataset_when_read_then_every_row_has_value_unit_gas_source_licence_and_version(
    file_name: str,
) -> None:
    rows = [row for _, row in package_csv_rows(file_name)]
    assert rows
    for row in rows:
        assert all(row[column] for column in REQUIRED_COLUMNS), row


@pytest.mark.parametrize("file_name", SHIPPED_DATASET_FILES)
def test_given_shipped_dataset_when_a_row_says_check_then_it_is_in_the_note(file_name: str) -> None:
    for _, row in package_csv_rows(file_name):
        assert "(check)" not in row["source_document"], "unverified figures carry their mark in the note column"


def test_given_reference_figures_when_shipped_library_read_then_they_are_there() -> None:
    library = shipped_library()
    natural_gas = library.factor("cn-gbt-32150-2015/natural-gas")
    assert natural_gas.heating_value is not None
    assert (str(natural_gas.heating_value.value), natural_gas.heating_value.per_unit) == ("389.31", "万Nm³")
    assert str(natural_gas.gases[0].value) == "15.3" and str(natural_gas.oxidation_fraction) == "0.99"
    assert str(library.factor("cn-grid-2022/national").gases[0].value) == "0.5366"
    assert str(library.factor("cn-grid-2023/national-excluding-non-fossil").gases[0].value) == "0.6096"
    assert str(library.factor("cn-grid-2023/northeast").gases[0].value) == "0.5122"
    assert str(library.factor("us-epa-ghg-hub/natural-gas-per-scf").gases[0].value) == "0.05444"
    assert str(library.factor("ipcc-2006/natural-gas").gases[0].value) == "56100"


@pytest.mark.parametrize(
    ("source", "scope2_method", "factor_id"),
    [
        ("stationary-combustion/natural-gas", None, "cn-gbt-32150-2015/natural-gas"),
        ("purchased-energy/electricity", "location", "cn-grid-2023/national"),
        ("purchased-energy/electricity", "market", "cn-grid-2023/national-excluding-non-fossil"),
        ("fugitive/r-134a", None, "refrigerant-compositions/hfc-134a"),
    ],
)
def test_given_source_without_factor_id_when_default_asked_then_first_default_dataset_supplies_it(
    source: str, scope2_method: str | None, factor_id: str
) -> None:
    assert shipped_library().default_factor(source, scope2_method, DEFAULT_DATASETS).factor_id == factor_id


def test_given_source_no_dataset_covers_when_default_asked_then_error_names_source_and_datasets() -> None:
    with pytest.raises(FactorNotFoundError, match="process/cement.*cn-gbt-32150-2015"):
        shipped_library().default_factor("process/cement", None, DEFAULT_DATASETS)


def test_given_unknown_factor_id_when_looked_up_then_factor_not_found_is_also_a_key_error() -> None:
    with pytest.raises(KeyError, match="no factor with id 'nope/nothing'"):
        shipped_library().factor("nope/nothing")


def test_given_user_factor_file_when_loaded_then_library_has_it_beside_the_shipped_ones() -> None:
    custom = factors_from_rows("custom-factors.csv", csv_rows(CALC_DATA / "custom-factors.csv"))
    library = shipped_library().extended(custom)
    assert library.factor("test-custom/steel-spend").gases[0].gas == "CO2e"
    assert library.factor("cn-grid-2023/national").dataset == "cn-grid-2023"


def test_given_user_factor_reusing_a_shipped_id_when_added_then_rejected() -> None:
    clash = shipped_library().factor("cn-grid-2023/national")
    with pytest.raises(FactorDataError, match="defined twice"):
        FactorLibrary([*shipped_library().factors, clash])


def test_given_factor_table_with_many_bad_rows_when_read_then_every_problem_is_reported_at_once() -> None:
    with pytest.raises(FactorDataError) as error:
        factors_from_rows("bad-factors.csv", csv_rows(CALC_DATA / "bad-factors.csv"))

    reported = {(issue.row, issue.column) for issue in error.value.issues}
    assert reported == {
        (2, "gas"),
        (3, "value"),
        (4, "unit"),
        (5, "oxidation_fraction"),
        (6, "unit"),
        (7, "licence"),
        (8, "calorific_basis"),
        (9, "factor_id"),
        (10, "heating_value_unit"),
        (12, "dataset"),
        (13, "value"),
    }
    assert error.value.issue_count == len(reported)
    assert all(issue.file == "bad-factors.csv" for issue in error.value.issues)


def test_given_factor_table_without_required_column_when_read_then_missing_columns_are_named() -> None:
    rows = [(2, {"factor_id": "x/y", "gas": "CO2", "value": "1", "unit": "kg/kWh"})]
    with pytest.raises(FactorDataError, match="missing column.*dataset, version, source_document, licence"):
        factors_from_rows("short.csv", rows)


@pytest.mark.parametrize("value", ["1e400", "1e-30", "1000000000000000"])
def test_given_factor_value_out_of_range_when_read_then_rejected(value: str) -> None:
    row = {
        "factor_id": "x/y",
        "dataset": "x",
        "version": "1",
        "gas": "CO2",
        "value": value,
        "unit": "kg/kWh",
        "source_document": "doc",
        "licence": "CC0",
    }
    with pytest.raises(FactorDataError, match="out of range"):
        factors_from_rows("range.csv", [(2, row)])
