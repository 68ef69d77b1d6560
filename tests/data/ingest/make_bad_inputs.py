"""Writes the bad-input catalogue: the files under bad/ and the manifest bad-inputs.json that says, for each,
which issues (row, column, words of the reason) the importer must report. Run from this folder; the output
is committed, so tests never depend on running it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HEADER = "account,period,source,activity_quantity,activity_unit"
NATURAL_GAS = "stationary-combustion/natural-gas"
ELECTRICITY = "purchased-energy/electricity"
BAD = Path("bad")
cases: list[dict[str, Any]] = []


def want(row: int | None, column: str | None, reason: str) -> dict[str, Any]:
    return {"row": row, "column": column, "reason": reason}


def csv_case(name: str, desc: str, lines: list[str], wanted: list[dict[str, Any]], header: str | None = HEADER) -> None:
    all_lines = ([header] if header is not None else []) + lines
    (BAD / name).write_text("".join(line + "\n" for line in all_lines), encoding="utf-8", newline="")
    cases.append({"desc": desc, "file": f"bad/{name}", "want": wanted})


def bytes_case(name: str, desc: str, content: bytes, wanted: list[dict[str, Any]]) -> None:
    (BAD / name).write_bytes(content)
    cases.append({"desc": desc, "file": f"bad/{name}", "want": wanted})


def xlsx_case(name: str, desc: str, rows: list[list[Any]], wanted: list[dict[str, Any]]) -> None:
    cases.append({"desc": desc, "xlsx": {"name": name, "rows": rows}, "want": wanted})


NG, EL, H = NATURAL_GAS, ELECTRICITY, HEADER
csv_case(
    "unknown-unit.csv",
    "a unit nobody knows",
    [f"ACME,2025M01,{NG},10,furlong"],
    [want(2, "activity_unit", "unknown unit")],
)
csv_case(
    "unit-of-wrong-dimension.csv",
    "natural gas in kilograms against a factor per 10^4 Nm3 or TJ",
    [f"ACME,2025M01,{NG},10,kg"],
    [want(2, "activity_unit", "cannot use factor")],
)
csv_case(
    "negative-quantity.csv",
    "a negative quantity",
    [f"ACME,2025M01,{NG},-10,万Nm³"],
    [want(2, "activity_quantity", "must not be negative")],
)
csv_case(
    "non-numeric-quantity.csv",
    "a quantity that is not a number",
    [f"ACME,2025M01,{NG},ten,万Nm³"],
    [want(2, "activity_quantity", "is not a number")],
)
csv_case(
    "thousands-separator.csv",
    "a quantity with a thousands separator",
    [f'ACME,2025M01,{NG},"1,234.5",万Nm³'],
    [want(2, "activity_quantity", "no thousands separators")],
)
csv_case(
    "empty-quantity.csv",
    "a missing quantity",
    [f"ACME,2025M01,{NG},,万Nm³"],
    [want(2, "activity_quantity", "is required")],
)
csv_case(
    "unknown-fuel.csv",
    "a fuel no dataset has a factor for",
    ["ACME,2025M01,stationary-combustion/unobtainium,10,t"],
    [want(2, "source", "no default factor")],
)
csv_case(
    "unknown-category.csv",
    "a source whose category does not exist",
    ["ACME,2025M01,smokestack/natural-gas,10,万Nm³"],
    [want(2, "source", "unknown category")],
)
csv_case(
    "malformed-source.csv",
    "a source that is not a slug",
    ["ACME,2025M01,Natural Gas,10,万Nm³"],
    [want(2, "source", "lower-case slug")],
)
csv_case(
    "missing-column.csv",
    "no unit column",
    [f"ACME,2025M01,{NG},10"],
    [want(1, None, "missing required column(s): activity_unit")],
    header="account,period,source,activity_quantity",
)
csv_case(
    "unknown-column.csv",
    "a column the format does not have",
    [f"ACME,2025M01,{NG},10,万Nm³,red"],
    [want(1, "colour", "unknown column")],
    header=H + ",colour",
)
csv_case(
    "repeated-column.csv",
    "the account column twice, once in Chinese",
    [f"ACME,2025M01,{NG},10,万Nm³,ACME"],
    [want(1, "账户", "a second time")],
    header=H + ",账户",
)
csv_case(
    "period-with-dash.csv",
    "a period written 2025-03",
    [f"ACME,2025-03,{NG},10,万Nm³"],
    [want(2, "period", "is not a year")],
)
csv_case(
    "impossible-periods.csv",
    "month 13, quarter 5 and 30 February",
    [f"ACME,2025M13,{NG},10,万Nm³", f"ACME,2025Q5,{NG},10,万Nm³", f"ACME,20250230,{NG},10,万Nm³"],
    [
        want(2, "period", "not a valid month"),
        want(3, "period", "not a valid quarter"),
        want(4, "period", "not a valid day"),
    ],
)
csv_case(
    "duplicate-rows.csv",
    "the same row twice",
    [f"ACME,2025M01,{NG},10,万Nm³", f"ACME,2025M02,{NG},10,万Nm³", f"ACME,2025M01,{NG},10,万Nm³"],
    [want(4, None, "duplicates row 2")],
)
csv_case(
    "duplicate-after-normalising.csv",
    "10 and 10.00 of the same thing, in any letter case, are the same row",
    [f"ACME,2025M01,{NG},10,万Nm³", f"acme,2025m01,{NG},10.00,万Nm³"],
    [want(3, None, "duplicates row 2")],
)
csv_case("empty.csv", "an empty file", [], [want(None, None, "is empty")], header=None)
csv_case("header-only.csv", "a header and no rows", [], [want(None, None, "has no data rows")])
csv_case(
    "huge-quantity.csv",
    "quantities of 10^400 and 10^15",
    [f"ACME,2025M01,{NG},1e400,万Nm³", f"ACME,2025M02,{NG},1000000000000000,万Nm³"],
    [want(2, "activity_quantity", "too large"), want(3, "activity_quantity", "too large")],
)
csv_case("nan.csv", "NaN as a quantity", [f"ACME,2025M01,{NG},NaN,万Nm³"], [want(2, "activity_quantity", "finite")])
csv_case(
    "infinity.csv",
    "Infinity and -inf as quantities",
    [f"ACME,2025M01,{NG},Infinity,万Nm³", f"ACME,2025M02,{NG},-inf,万Nm³"],
    [want(2, "activity_quantity", "finite"), want(3, "activity_quantity", "finite")],
)
csv_case(
    "too-many-decimals.csv",
    "a quantity with 13 decimal places",
    [f"ACME,2025M01,{NG},0.1234567890123,万Nm³"],
    [want(2, "activity_quantity", "decimal places")],
)
csv_case(
    "too-large-for-a-record.csv",
    "a row whose CO2e exceeds what one record holds",
    [f"ACME,2025M01,{NG},999999999999999,万Nm³"],
    [want(2, "activity_quantity", "largest figure one record holds")],
)
csv_case(
    "bad-account.csv",
    "account ids that cannot stand in a 3D code",
    [f"Acme Steel Co,2025M01,{NG},10,万Nm³", f"9AB,2025M01,{NG},10,万Nm³"],
    [want(2, "account", "3 to 6 letters"), want(3, "account", "3 to 6 letters")],
)
csv_case(
    "bad-facility.csv",
    "a facility id with a dash",
    [f"ACME,F-1,2025M01,{NG},10,万Nm³"],
    [want(2, "facility", "3 to 6 letters")],
    header="account,facility,period,source,activity_quantity,activity_unit",
)
csv_case(
    "scope-mismatch.csv",
    "scope 1 stated for purchased electricity",
    [f"ACME,2025M01,{EL},10,MWh,1"],
    [want(2, "scope", "is scope 2")],
    header=H + ",scope",
)
csv_case(
    "scope3-category-mismatch.csv",
    "business travel stated as category 1",
    ["ACME,2025,business-travel/air,10,pkm,1"],
    [want(2, "scope3_category", "category 6")],
    header=H + ",scope3_category",
)
csv_case(
    "iso-category-mismatch.csv",
    "a scope 1 source put in ISO category 4",
    [f"ACME,2025M01,{NG},10,万Nm³,4"],
    [want(2, "iso_category", "category 1")],
    header=H + ",iso_category",
)
csv_case(
    "scope2-method-on-scope1.csv",
    "a scope 2 method on a combustion row",
    [f"ACME,2025M01,{NG},10,万Nm³,market"],
    [want(2, "scope2_method", "scope 2 sources only")],
    header=H + ",scope2_method",
)
csv_case(
    "unknown-scope2-method.csv",
    "scope 2 method 'residual'",
    [f"ACME,2025M01,{EL},10,MWh,residual"],
    [want(2, "scope2_method", "location, market or both")],
    header=H + ",scope2_method",
)
csv_case(
    "instruments-on-location.csv",
    "green certificates on a location-based row",
    [f"ACME,2025M01,{EL},10,MWh,location,5"],
    [want(2, "instrument_quantity", "market-based scope 2 rows only")],
    header=H + ",scope2_method,instrument_quantity",
)
csv_case(
    "instruments-exceed-consumption.csv",
    "more certificates than electricity",
    [f"ACME,2025M01,{EL},10,MWh,market,11"],
    [want(2, "instrument_quantity", "between 0 and the activity quantity")],
    header=H + ",scope2_method,instrument_quantity",
)
csv_case(
    "unknown-factor-id.csv",
    "a factor id that no dataset has",
    [f"ACME,2025M01,{NG},10,万Nm³,ipcc-2006/moonshine"],
    [want(2, "factor_id", "no factor with id")],
    header=H + ",factor_id",
)
csv_case(
    "ncv-gcv-mismatch.csv",
    "energy on GCV against an NCV factor",
    [f"ACME,2025M01,{NG},100,GJ,GCV,ipcc-2006/natural-gas"],
    [want(2, "calorific_basis", "unless an NCV/GCV ratio")],
    header=H + ",calorific_basis,factor_id",
)
csv_case(
    "energy-without-basis.csv",
    "energy without its calorific basis",
    [f"ACME,2025M01,{NG},100,GJ,ipcc-2006/natural-gas"],
    [want(2, "calorific_basis", "state its calorific basis")],
    header=H + ",factor_id",
)
csv_case(
    "unknown-calorific-basis.csv",
    "calorific basis 'gross-ish'",
    [f"ACME,2025M01,{NG},100,GJ,gross-ish"],
    [want(2, "calorific_basis", "NCV or GCV")],
    header=H + ",calorific_basis",
)
csv_case(
    "cubic-metres-without-conditions.csv",
    "plain m3 of natural gas against a factor per Nm3",
    [f"ACME,2025M01,{NG},1000,m3"],
    [want(2, "activity_unit", "cannot use factor")],
)
csv_case(
    "mixed-gwp-sets.csv",
    "one account with two GWP sets",
    [f"ACME,2025M01,{NG},10,万Nm³,AR5", f"ACME,2025M02,{NG},10,万Nm³,AR6"],
    [want(3, "gwp_set", "an inventory takes one GWP set")],
    header=H + ",gwp_set",
)
csv_case(
    "unknown-gwp-set.csv",
    "GWP set AR7",
    [f"ACME,2025M01,{NG},10,万Nm³,AR7"],
    [want(2, "gwp_set", "must be one of")],
    header=H + ",gwp_set",
)
csv_case(
    "gas-without-gwp.csv",
    "NF3 under SAR, which has no value for it",
    ["ACME,2025M01,fugitive/nf3,1,kg,SAR"],
    [want(2, "gwp_set", "no GWP in the SAR set")],
    header=H + ",gwp_set",
)
csv_case(
    "cells-beyond-header.csv",
    "a row with more cells than the header",
    [f"ACME,2025M01,{NG},10,万Nm³,extra"],
    [want(2, "column 6", "beyond the last column")],
)
csv_case(
    "many-problems.csv",
    "bad rows among good ones: every problem reported in one pass",
    [
        f"ACME,2025M01,{NG},10,万Nm³",
        f"ACME,2025M13,{NG},10,万Nm³",
        f"ACME,2025M02,{NG},-1,万Nm³",
        f"ACME,2025M03,{NG},10,furlong",
        f"ACME,2025M04,{NG},10,万Nm³",
        "A,2025M05,smokestack/x,abc,万Nm³",
        f"ACME,2025M01,{NG},10,万Nm³",
    ],
    [
        want(3, "period", "not a valid month"),
        want(4, "activity_quantity", "must not be negative"),
        want(5, "activity_unit", "unknown unit"),
        want(7, "account", "3 to 6 letters"),
        want(7, "source", "unknown category"),
        want(7, "activity_quantity", "is not a number"),
        want(8, None, "duplicates row 2"),
    ],
)
bytes_case(
    "nul-byte.csv",
    "a NUL byte inside a row",
    f"{H}\nACME,2025M01,{NG},1\x000,万Nm³\n".encode(),
    [want(2, "activity_quantity", "NUL character")],
)
bytes_case(
    "gbk-encoded.csv",
    "a CSV saved in GBK, not UTF-8",
    f"账户,核算期,排放源,活动数据,单位\nACME,2025M01,{NG},10,万Nm3\n".encode("gbk"),
    [want(1, None, "save the file as UTF-8")],
)
bytes_case(
    "broken.xlsx",
    "a file named .xlsx that is no workbook",
    b"PK\x03\x04 this is not really a workbook",
    [want(None, None, "not a readable XLSX workbook")],
)
bytes_case(
    "notes.txt",
    "a file type the importer does not read",
    b"account,period\n",
    [want(None, None, "unsupported file type")],
)


def json_row(quantity: str) -> str:
    row = f'"account": "ACME", "period": "2025M01", "source": "{NG}", "activity_quantity": {quantity}'
    return f'[{{{row}, "activity_unit": "万Nm³"}}]'


bytes_case(
    "not-json.json",
    "a .json file that is not JSON",
    b"account,period\nACME,2025\n",
    [want(None, None, "is not valid JSON")],
)
bytes_case("nan.json", "NaN as a JSON number", json_row("NaN").encode(), [want(None, None, "NaN is not a JSON number")])
bytes_case(
    "infinity-string.json",
    "Infinity as a JSON string",
    json_row('"Infinity"').encode(),
    [want(2, "activity_quantity", "finite")],
)
bytes_case(
    "nested-value.json",
    "a quantity given as an object",
    json_row('{"value": 10}').encode(),
    [want(2, "activity_quantity", "string or a number")],
)
bytes_case(
    "not-a-list.json",
    "an object without a rows list",
    b'{"account": "ACME"}',
    [want(None, None, "list of row objects")],
)
bytes_case("empty-list.json", "an empty list of rows", b"[]", [want(None, None, "is empty")])
bytes_case(
    "missing-key.json",
    "rows without a unit",
    f'[{{"account": "ACME", "period": "2025M01", "source": "{NG}", "activity_quantity": 10}}]'.encode(),
    [want(1, None, "missing required column(s): activity_unit")],
)

XLSX_HEADER = ["account", "period", "source", "activity_quantity", "activity_unit"]
xlsx_case(
    "formula.xlsx",
    "a quantity computed by a formula",
    [XLSX_HEADER, ["ACME", "2025M01", NG, "=5*2", "万Nm³"]],
    [want(2, "activity_quantity", "formula")],
)
xlsx_case(
    "error-value.xlsx",
    "a cell holding #DIV/0!",
    [XLSX_HEADER, ["ACME", "2025M01", NG, "#DIV/0!", "万Nm³"]],
    [want(2, "activity_quantity", "error value")],
)
xlsx_case(
    "date-period.xlsx",
    "a period typed as a date",
    [XLSX_HEADER, ["ACME", {"date": "2025-03-01"}, NG, 10, "万Nm³"]],
    [want(2, "period", "date")],
)
xlsx_case(
    "boolean-quantity.xlsx",
    "TRUE as a quantity",
    [XLSX_HEADER, ["ACME", "2025M01", NG, True, "万Nm³"]],
    [want(2, "activity_quantity", "TRUE/FALSE")],
)
xlsx_case("empty-sheet.xlsx", "a workbook with an empty first sheet", [], [want(None, None, "is empty")])

manifest = {
    "about": "The bad-input catalogue, written by make_bad_inputs.py. Each file (or the workbook a test builds from "
    "xlsx.rows) must be rejected whole with exactly these issues (row and column; the reason contains the text), "
    "and nothing may be written.",
    "cases": cases,
}
Path("bad-inputs.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
print(f"{len(cases)} cases")
