"""GWP sets: the reference values, the AR5/AR6 methane split, and errors for what a set lacks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.calc.data_files import package_csv_rows
from ledger.calc.gwp import BIOGENIC_CO2, GWP_SET_NAMES, gwp_set, known_gases
from ledger.errors import GwpError

REFERENCE_VALUES = {
    ("SAR", "CH4"): "21",
    ("AR4", "CH4"): "25",
    ("AR5", "CH4"): "28",
    ("AR6", "CH4"): "27.9",
    ("AR5", "CH4-fossil"): "30",
    ("AR5", "CH4-nonfossil"): "28",
    ("AR6", "CH4-fossil"): "29.8",
    ("AR6", "CH4-nonfossil"): "27.0",
    ("SAR", "N2O"): "310",
    ("AR4", "N2O"): "298",
    ("AR5", "N2O"): "265",
    ("AR6", "N2O"): "273",
    ("AR4", "SF6"): "22800",
    ("AR6", "NF3"): "17400",
    ("AR5", "HFC-134a"): "1300",
    ("AR6", "C2F6"): "12400",
}


@pytest.mark.parametrize(("set_name", "gas"), sorted(REFERENCE_VALUES))
def test_given_reference_table_when_gwp_read_then_value_matches(set_name: str, gas: str) -> None:
    assert gwp_set(set_name).gwp_of(gas) == Decimal(REFERENCE_VALUES[(set_name, gas)])


@pytest.mark.parametrize("set_name", ["SAR", "AR4"])
def test_given_set_without_methane_split_when_fossil_or_nonfossil_asked_then_single_value_applies(
    set_name: str,
) -> None:
    gwp = gwp_set(set_name)
    assert gwp.gwp_of("CH4-fossil") == gwp.gwp_of("CH4-nonfossil") == gwp.gwp_of("CH4")


@pytest.mark.parametrize("set_name", GWP_SET_NAMES)
def test_given_any_set_when_co2_asked_then_one(set_name: str) -> None:
    assert gwp_set(set_name).gwp_of("CO2") == 1


def test_given_sar_when_nf3_asked_then_gwp_error_names_gas_and_set() -> None:
    with pytest.raises(GwpError, match="NF3.*SAR"):
        gwp_set("SAR").gwp_of("NF3")


def test_given_unknown_set_name_when_looked_up_then_gwp_error_lists_choices() -> None:
    with pytest.raises(GwpError, match="AR7.*SAR, AR4, AR5, AR6"):
        gwp_set("AR7")


def test_given_biogenic_co2_when_weighed_then_no_set_has_a_gwp_for_it() -> None:
    assert BIOGENIC_CO2 in known_gases()
    for set_name in GWP_SET_NAMES:
        with pytest.raises(GwpError):
            gwp_set(set_name).gwp_of(BIOGENIC_CO2)


def test_given_shipped_gwp_table_when_read_then_every_row_cites_source_and_licence() -> None:
    rows = [row for _, row in package_csv_rows("gwp.csv")]
    assert rows
    assert all(row["source_document"] and row["licence"] for row in rows)
