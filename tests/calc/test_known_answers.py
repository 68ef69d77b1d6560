"""Known-answer calculations worked by hand from the reference figures (tests/data/calc/known-answers.json)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from ledger.calc.calculate import Activity, Calculation, Calculator
from ledger.calc.conversions import Conversions
from ledger.calc.gwp import gwp_set
from ledger.calc.library import DEFAULT_DATASETS, FactorLibrary
from ledger.calc.recompute import recompute
from tests.calc.conftest import CALC_DATA

CASES: list[dict[str, Any]] = json.loads((CALC_DATA / "known-answers.json").read_text(encoding="utf-8"))["cases"]


def calculate(case: dict[str, Any], library: FactorLibrary) -> Calculation:
    decimals = {"quantity", "instrument_quantity"}
    fields: dict[str, Any] = {
        name: Decimal(value) if name in decimals else value for name, value in case["activity"].items()
    }
    return calculator_for(case, library).calculate(Activity(**fields))


def calculator_for(case: dict[str, Any], library: FactorLibrary) -> Calculator:
    ratios = tuple((fuel, Decimal(ratio)) for fuel, ratio in case.get("ncv_per_gcv", {}).items())
    return Calculator(
        library,
        gwp_set(case["gwp_set"]),
        Conversions(ncv_per_gcv=ratios),
        case.get("datasets", DEFAULT_DATASETS),
    )


@pytest.mark.parametrize("case", CASES, ids=[case["desc"] for case in CASES])
def test_given_hand_worked_case_when_calculated_then_every_figure_matches(
    case: dict[str, Any], library: FactorLibrary
) -> None:
    calculation = calculate(case, library)

    want = case["want"]
    assert dict(calculation.emission.gases_g) == {gas: Decimal(mass) for gas, mass in want["gases_g"].items()}
    assert calculation.emission.co2e_g == want["co2e_g"]
    assert calculation.emission.biogenic_co2_g == want["biogenic_co2_g"]


@pytest.mark.parametrize("case", CASES, ids=[case["desc"] for case in CASES])
def test_given_hand_worked_case_when_recomputed_from_its_receipt_alone_then_figures_are_identical(
    case: dict[str, Any], library: FactorLibrary
) -> None:
    calculation = calculate(case, library)

    assert recompute(json.loads(json.dumps(calculation.receipt))) == calculation.emission
