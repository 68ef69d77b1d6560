"""Specification of reporting periods: the four kinds, the calendar span of each, and the texts that are not periods."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import LedgerError, PeriodError
from ledger.period import Period, PeriodKind

VECTORS = json.loads((Path(__file__).parent.parent / "data" / "code" / "periods.json").read_text(encoding="utf-8"))
DETERMINISTIC = settings(derandomize=True, database=None, deadline=None, max_examples=300)
DAYS_IN = {PeriodKind.YEAR: {365, 366}, PeriodKind.QUARTER: {90, 91, 92}, PeriodKind.MONTH: {28, 29, 30, 31}}


def _period_containing(kind: PeriodKind, day: date) -> Period:
    first_month = {
        PeriodKind.YEAR: 1,
        PeriodKind.QUARTER: day.month - (day.month - 1) % 3,
        PeriodKind.MONTH: day.month,
        PeriodKind.DAY: day.month,
    }[kind]
    return Period(kind, day if kind is PeriodKind.DAY else date(day.year, first_month, 1))


def periods() -> st.SearchStrategy[Period]:
    """Any period the calendar allows, of any kind."""
    return st.builds(_period_containing, st.sampled_from(PeriodKind), st.dates())


@pytest.mark.parametrize("case", VECTORS["valid"], ids=lambda case: case["desc"])
def test_given_known_period_text_when_parsed_then_kind_and_span_are_known(case: dict[str, Any]) -> None:
    period = Period.parse(case["text"])

    assert period.kind is PeriodKind(case["kind"])
    assert period.first_day == date.fromisoformat(case["first_day"])
    assert period.last_day == date.fromisoformat(case["last_day"])


@pytest.mark.parametrize("case", VECTORS["valid"], ids=lambda case: case["desc"])
def test_given_known_period_when_written_then_text_is_known(case: dict[str, Any]) -> None:
    period = Period(PeriodKind(case["kind"]), date.fromisoformat(case["first_day"]))

    assert period.text == case["text"]
    assert str(period) == case["text"]


@pytest.mark.parametrize("case", VECTORS["invalid"], ids=lambda case: case["desc"])
def test_given_invalid_period_text_when_parsed_then_error_says_why(case: dict[str, Any]) -> None:
    with pytest.raises(PeriodError) as raised:
        Period.parse(case["text"])

    assert str(raised.value) == case["want_message"]


@pytest.mark.parametrize(
    ("kind", "first_day", "want_message"),
    [
        (PeriodKind.YEAR, date(2025, 2, 1), "period: 2025-02-01 is not the first day of a year"),
        (PeriodKind.QUARTER, date(2025, 2, 1), "period: 2025-02-01 is not the first day of a quarter"),
        (PeriodKind.QUARTER, date(2025, 4, 2), "period: 2025-04-02 is not the first day of a quarter"),
        (PeriodKind.MONTH, date(2025, 3, 14), "period: 2025-03-14 is not the first day of a month"),
    ],
)
def test_given_day_that_does_not_start_the_kind_when_constructing_then_error_says_so(
    kind: PeriodKind, first_day: date, want_message: str
) -> None:
    with pytest.raises(PeriodError) as raised:
        Period(kind, first_day)

    assert str(raised.value) == want_message


@DETERMINISTIC
@given(periods())
def test_given_any_period_when_its_text_is_parsed_then_the_same_period_comes_back(period: Period) -> None:
    assert Period.parse(period.text) == period


@DETERMINISTIC
@given(periods())
def test_given_any_period_then_it_ends_the_day_before_the_next_one_of_its_kind_starts(period: Period) -> None:
    days = (period.last_day - period.first_day).days + 1

    assert days in DAYS_IN.get(period.kind, {1})
    assert _period_containing(period.kind, period.last_day) == period
    if period.last_day < date.max:
        day_after = period.last_day + timedelta(days=1)
        assert _period_containing(period.kind, day_after).first_day == day_after


def test_given_period_error_then_callers_can_catch_it_as_ledger_or_value_error() -> None:
    assert issubclass(PeriodError, LedgerError)
    assert issubclass(PeriodError, ValueError)
