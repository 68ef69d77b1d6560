"""Aggregation: accepted readings sum exactly into monthly activity rows that the calculator takes as they are."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from identity.device import Device
from identity.device_key import raw_public_key
from ledger.calc.calculate import Activity, Calculator
from ledger.calc.gwp import gwp_set
from ledger.calc.library import shipped_library
from ledger.canonical import decimal_text
from oracle.readings import AcceptedReading, PeriodActivity, Reading, monthly_activities, parse_timestamp
from tests.identity.conftest import identity_data
from tests.readings.conftest import MeterRig

CASE = identity_data("aggregation.json")


@pytest.fixture
def accepted(rig: MeterRig) -> list[AcceptedReading]:
    """Every reading of the case, each accepted by the intake at its own time."""
    for device in CASE["devices"]:
        if rig.registry.find(device["device_id"]) is None:
            key = rig.keys[device["device_id"]] = Ed25519PrivateKey.generate()
            rig.registry.register(Device(public_key=raw_public_key(key), **device))
    accepted = []
    for counter, item in enumerate(CASE["readings"], start=1):
        rig.clock.now = parse_timestamp(item["timestamp"])
        unit = rig.registry.find(item["device_id"]).unit  # type: ignore[union-attr]
        reading = Reading(item["device_id"], counter, item["timestamp"], item["quantity"], unit)
        accepted.append(rig.intake.accept_reading(reading.signed_with(rig.keys[item["device_id"]]).payload()))
    return accepted


def wanted(rows: list[dict[str, Any]]) -> list[PeriodActivity]:
    return [PeriodActivity(**{**row, "quantity": Decimal(row["quantity"])}) for row in rows]


def test_given_readings_across_months_when_aggregated_then_totals_are_exact_per_month(
    accepted: list[AcceptedReading],
) -> None:
    rows = monthly_activities(accepted)
    assert rows == wanted(CASE["want"])
    assert [decimal_text(row.quantity) for row in rows] == [row["quantity"] for row in CASE["want"]]


def test_given_stored_readings_when_aggregated_then_the_store_gives_the_same_totals(
    rig: MeterRig, accepted: list[AcceptedReading]
) -> None:
    assert rig.store.readings() == accepted
    assert monthly_activities(rig.store.readings()) == wanted(CASE["want"])


def test_given_a_month_when_its_stored_readings_are_aggregated_then_only_that_month_appears(
    rig: MeterRig, accepted: list[AcceptedReading]
) -> None:
    start, end = datetime(2025, 2, 1, tzinfo=timezone.utc), datetime(2025, 3, 1, tzinfo=timezone.utc)
    february = rig.store.readings(measured_from=start, measured_before=end)
    assert monthly_activities(february) == [row for row in wanted(CASE["want"]) if row.period == "2025M02"]


def test_given_no_readings_then_no_rows() -> None:
    assert monthly_activities([]) == []


def test_given_a_monthly_row_then_the_calculator_takes_it_as_it_is(accepted: list[AcceptedReading]) -> None:
    row = next(row for row in monthly_activities(accepted) if row.facility == "PLT2")
    activity = Activity(source=row.source, quantity=row.quantity, unit=row.unit, scope2_method="location")
    calculation = Calculator(shipped_library(), gwp_set("AR6")).calculate(activity)
    # 5 kWh at the China 2023 national grid average, 0.5306 kg CO2/kWh (ledger/calc/data/cn-grid-2023.csv).
    assert calculation.emission.co2e_g == 2653
    inputs = calculation.receipt["inputs"]
    assert isinstance(inputs, Mapping) and inputs["activity_quantity"] == "5"
