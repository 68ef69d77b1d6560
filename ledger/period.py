"""Reporting periods: a year, quarter, month or day, written `2025`, `2025Q1`, `2025M03` or `20250314`.

A period is the "when" of a record and of its 3D code. Each period has exactly one text, and every text that
parses names a span of the calendar that exists: `2025M13`, `2025Q5` and `20250230` do not parse.
"""

from __future__ import annotations

import calendar
import enum
import re
from dataclasses import dataclass
from datetime import date

from ledger.errors import PeriodError

# The four shapes, told apart by length and marker; the numbers are range-checked after the match.
_PERIOD_TEXT = re.compile(r"([0-9]{4})(?:Q([0-9])|M([0-9]{2})|([0-9]{2})([0-9]{2}))?")
_SHAPES = "a year (YYYY), quarter (YYYYQn), month (YYYYMmm) or day (YYYYMMDD)"


class PeriodKind(enum.Enum):
    """How long a period lasts."""

    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"
    DAY = "day"


_MONTHS_SPANNED = {PeriodKind.YEAR: 12, PeriodKind.QUARTER: 3, PeriodKind.MONTH: 1}


@dataclass(frozen=True)
class Period:
    """A calendar year, quarter, month or day, identified by its kind and its first day."""

    kind: PeriodKind
    first_day: date

    def __post_init__(self) -> None:
        day = self.first_day
        starts_a_period = {
            PeriodKind.YEAR: (day.month, day.day) == (1, 1),
            PeriodKind.QUARTER: day.day == 1 and day.month % 3 == 1,
            PeriodKind.MONTH: day.day == 1,
            PeriodKind.DAY: True,
        }[self.kind]
        if not starts_a_period:
            raise PeriodError(f"{day.isoformat()} is not the first day of a {self.kind.value}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """The period written as `text`, which must be in canonical form (upper case, zero-padded)."""
        match = _PERIOD_TEXT.fullmatch(text)
        if match is None:
            raise PeriodError(f"{text!r} is not {_SHAPES}")
        year_text, quarter_text, month_text, day_month_text, day_text = match.groups()
        year = int(year_text)
        if year < date.min.year:
            raise PeriodError(f"{text!r} is not a valid year")
        if quarter_text is not None:
            quarter = int(quarter_text)
            if not 1 <= quarter <= 4:
                raise PeriodError(f"{text!r} is not a valid quarter")
            return cls(PeriodKind.QUARTER, date(year, 3 * quarter - 2, 1))
        if month_text is not None:
            month = int(month_text)
            if not 1 <= month <= 12:
                raise PeriodError(f"{text!r} is not a valid month")
            return cls(PeriodKind.MONTH, date(year, month, 1))
        if day_text is not None:
            try:
                return cls(PeriodKind.DAY, date(year, int(day_month_text), int(day_text)))
            except ValueError as e:
                raise PeriodError(f"{text!r} is not a valid day") from e
        return cls(PeriodKind.YEAR, date(year, 1, 1))

    @property
    def last_day(self) -> date:
        """The last day that belongs to the period (inclusive)."""
        if self.kind is PeriodKind.DAY:
            return self.first_day
        year = self.first_day.year
        last_month = self.first_day.month + _MONTHS_SPANNED[self.kind] - 1
        return date(year, last_month, calendar.monthrange(year, last_month)[1])

    @property
    def text(self) -> str:
        """The canonical text: `2025`, `2025Q1`, `2025M03` or `20250314`."""
        day = self.first_day
        year = f"{day.year:04d}"
        return {
            PeriodKind.YEAR: year,
            PeriodKind.QUARTER: f"{year}Q{(day.month + 2) // 3}",
            PeriodKind.MONTH: f"{year}M{day.month:02d}",
            PeriodKind.DAY: f"{year}{day.month:02d}{day.day:02d}",
        }[self.kind]

    def __str__(self) -> str:
        return self.text
