"""Templates of an activity file, CSV or XLSX, with English or Chinese headers and example rows.

The example rows are real: a template imports as it is, so a user can see what each column expects by
changing the examples rather than by reading about them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl

from oracle.ingest.columns import CHINESE_HEADERS, COLUMNS, REQUIRED

LANGUAGES = ("en", "zh")

COLUMN_HELP = {
    "account": "account id, 3 to 6 letters or digits starting with a letter (as in its 3D codes)",
    "period": "2025, 2025Q1, 2025M03 or 20250314",
    "source": "slug path <category>/<item>, e.g. stationary-combustion/natural-gas, purchased-energy/electricity",
    "activity_quantity": "a plain number >= 0, '.' as decimal point, no thousands separators",
    "activity_unit": "e.g. 万Nm³, Nm3, t, kWh, 万kWh, MWh, GJ (with calorific_basis), mmBtu, gal, kg, 元, 万元",
    "facility": "facility id, 3 to 6 letters or digits (optional)",
    "scope": "1, 2 or 3; checked against the source (optional)",
    "scope3_category": "1 to 15; checked against the source (optional)",
    "iso_category": "ISO 14064-1 category 1 to 6; scope 3 rows may choose 3 to 6 (optional)",
    "calorific_basis": "NCV or GCV, for quantities of energy of a fuel",
    "scope2_method": "location, market or both (scope 2 only; empty means both)",
    "factor_id": "a factor id (carbonledger factors list); empty: the source's default",
    "market_factor_id": "the factor of the market-based figure, e.g. a supplier's rate (scope 2)",
    "instrument_quantity": "the part covered by green certificates or PPAs (market-based scope 2)",
    "instrument_factor_id": "the instruments' factor; empty: zero-emission generation",
    "gwp_set": "SAR, AR4, AR5 or AR6; one per account; empty: the import's default",
    "note": "free text, not imported",
}

_EXAMPLES = (
    {
        "account": "QZ0001",
        "facility": "F01",
        "period": "2025M03",
        "source": "stationary-combustion/natural-gas",
        "activity_quantity": "12.5",
        "activity_unit": "万Nm³",
        "gwp_set": "AR5",
        "note": "boiler house gas meter",
    },
    {
        "account": "QZ0001",
        "facility": "F01",
        "period": "2025M03",
        "source": "purchased-energy/electricity",
        "activity_quantity": "850",
        "activity_unit": "MWh",
        "scope2_method": "both",
        "instrument_quantity": "200",
        "gwp_set": "AR5",
        "note": "200 MWh covered by green certificates",
    },
    {
        "account": "QZ0001",
        "facility": "F01",
        "period": "2025Q1",
        "source": "fugitive/r-410a",
        "activity_quantity": "3.2",
        "activity_unit": "kg",
        "gwp_set": "AR5",
        "note": "refrigerant top-up = mass leaked",
    },
)


def headers(language: str) -> list[str]:
    return [CHINESE_HEADERS[column] if language == "zh" else column for column in COLUMNS]


def csv_template(language: str) -> str:
    """The CSV template: header and example rows."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(headers(language))
    for example in _EXAMPLES:
        writer.writerow([example.get(column, "") for column in COLUMNS])
    return text.getvalue()


def write_xlsx_template(path: Path, language: str) -> None:
    """The XLSX template: the activities sheet (header and examples) first, then a sheet explaining columns."""
    workbook = openpyxl.Workbook()
    activities = workbook.active
    assert activities is not None
    activities.title = "activities"
    activities.append(headers(language))
    for example in _EXAMPLES:
        activities.append([example.get(column, "") for column in COLUMNS])
    guide = workbook.create_sheet("columns")
    guide.append(["column", "header", "required", "what it holds"])
    for column, header in zip(COLUMNS, headers(language), strict=True):
        guide.append([column, header, "yes" if column in REQUIRED else "no", COLUMN_HELP[column]])
    workbook.save(path)
