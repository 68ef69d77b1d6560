"""The columns of an activity file, and the English and Chinese headers accepted for each.

Headers are matched after folding case and turning spaces and hyphens into underscores, so `Activity
Quantity`, `activity-quantity` and `活动数据` all name `activity_quantity`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ledger.errors import Issue

REQUIRED = ("account", "period", "source", "activity_quantity", "activity_unit")
OPTIONAL = (
    "facility",
    "scope",
    "scope3_category",
    "iso_category",
    "calorific_basis",
    "scope2_method",
    "factor_id",
    "market_factor_id",
    "instrument_quantity",
    "instrument_factor_id",
    "gwp_set",
    "note",
)
COLUMNS = REQUIRED + OPTIONAL

# The header each column has in a Chinese template.
CHINESE_HEADERS = {
    "account": "账户",
    "facility": "设施",
    "period": "核算期",
    "source": "排放源",
    "activity_quantity": "活动数据",
    "activity_unit": "单位",
    "scope": "范围",
    "scope3_category": "范围三类别",
    "iso_category": "ISO类别",
    "calorific_basis": "热值基准",
    "scope2_method": "范围二方法",
    "factor_id": "排放因子",
    "market_factor_id": "市场法排放因子",
    "instrument_quantity": "合同工具电量",
    "instrument_factor_id": "合同工具因子",
    "gwp_set": "GWP版本",
    "note": "备注",
}

_HEADERS = {
    **{column: column for column in COLUMNS},
    **{chinese: column for column, chinese in CHINESE_HEADERS.items()},
    "account_id": "account",
    "账户编号": "account",
    "企业编号": "account",
    "facility_id": "facility",
    "设施编号": "facility",
    "报告期": "period",
    "期间": "period",
    "emission_source": "source",
    "quantity": "activity_quantity",
    "活动量": "activity_quantity",
    "数量": "activity_quantity",
    "unit": "activity_unit",
    "计量单位": "activity_unit",
    "scope_3_category": "scope3_category",
    "iso_14064_category": "iso_category",
    "iso14064类别": "iso_category",
    "scope_2_method": "scope2_method",
    "排放因子编号": "factor_id",
    "gwp": "gwp_set",
    "remarks": "note",
}


def _fold(header: str) -> str:
    return header.strip().lower().replace(" ", "_").replace("-", "_")


_ALIASES = {_fold(header): column for header, column in _HEADERS.items()}


@dataclass(frozen=True)
class Header:
    """Which column each position of a file's header holds (None where the header is blank or was rejected)."""

    columns: tuple[str | None, ...]


def read_header(file: str, cells: Sequence[str]) -> tuple[Header, list[Issue]]:
    """Match a header row to the columns; issues for unknown, repeated and missing columns."""
    issues: list[Issue] = []
    columns: list[str | None] = []
    for cell in cells:
        folded = _fold(cell)
        column = _ALIASES.get(folded)
        if folded and column is None:
            issues.append(Issue(file, 1, cell, None, f"unknown column; known columns: {', '.join(COLUMNS)}"))
        elif column is not None and column in columns:
            issues.append(Issue(file, 1, cell, None, f"names column {column!r} a second time"))
            column = None
        columns.append(column)
    missing = [column for column in REQUIRED if column not in columns]
    if missing:
        issues.append(Issue(file, 1, None, None, f"missing required column(s): {', '.join(missing)}"))
    return Header(tuple(columns)), issues
