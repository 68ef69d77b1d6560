"""Reading activity files row by row: CSV and XLSX are streamed, JSON is read whole.

Every reader yields the header first (as row 1) and then each data row as a `RawRow` of text cells. Cells a
reader cannot turn into text faithfully (a formula, an error value, a date, a TRUE/FALSE cell, a nested JSON
value) come with a problem for the validator to report. A failure that stops reading (a broken workbook, bytes
that are not UTF-8) raises IngestError naming the file and the row it reached.

Row numbers are those a spreadsheet shows: the header is row 1. In a JSON file, the header row stands for
the keys, and object N of the list is row N + 1.
"""

from __future__ import annotations

import csv
import json
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from ledger.errors import IngestError, Issue

FORMATS = ("csv", "xlsx", "json")
_NUL = "holds a NUL character: is this a text file?"


class RawRow(NamedTuple):
    """One row as read: its number, its cells as text, and (position, reason) for cells that are not text.

    A tuple rather than a dataclass: millions are made, and they cross to worker processes.
    """

    row_number: int
    cells: tuple[str, ...]
    problems: tuple[tuple[int, str], ...] = ()


def file_format(path: Path) -> str:
    """The format of `path`, from its extension; IngestError for any other."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        _fail(path.name, None, f"unsupported file type {path.suffix!r}: use .csv, .xlsx or .json")
    return suffix


def read_rows(path: Path, encoding: str = "utf-8-sig", file_name: str | None = None) -> Iterator[RawRow]:
    """The header (row 1) and then every row of the CSV, XLSX or JSON file at `path`.

    Problems name the file as `file_name` (by default the name of `path`).
    """
    name = path.name if file_name is None else file_name
    readers = {"csv": _csv_rows, "xlsx": _xlsx_rows, "json": _json_rows}
    return readers[file_format(path)](path, name, encoding)


def _fail(file: str, row: int | None, reason: str) -> NoReturn:
    raise IngestError((Issue(file, row, None, None, reason),))


def _csv_rows(path: Path, name: str, encoding: str) -> Iterator[RawRow]:
    row_number = 0
    try:
        with path.open(encoding=encoding, errors="strict", newline="") as text:
            for row_number, cells in enumerate(csv.reader(text), start=1):
                if "\x00" in "".join(cells):
                    problems = tuple((position, _NUL) for position, cell in enumerate(cells) if "\x00" in cell)
                    yield RawRow(row_number, tuple(cells), problems)
                else:
                    yield RawRow(row_number, tuple(cells))
    except UnicodeDecodeError as e:
        _fail(
            name,
            row_number + 1,
            f"is not {encoding} text (byte 0x{e.object[e.start]:02x} cannot be decoded); save the file as UTF-8",
        )
    except csv.Error as e:
        _fail(name, row_number + 1, f"is not well-formed CSV: {e}")


def _xlsx_rows(path: Path, name: str, encoding: str) -> Iterator[RawRow]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        _fail(name, None, f"is not a readable XLSX workbook ({type(e).__name__}: {e})")
    try:
        sheet = workbook.worksheets[0]
        for row_number, cells in enumerate(sheet.iter_rows(), start=1):
            texts, problems = [], []
            for position, cell in enumerate(cells):
                text, problem = _xlsx_cell(cell.value, cell.data_type)
                texts.append(text)
                if problem is not None:
                    problems.append((position, problem))
            yield RawRow(row_number, tuple(texts), tuple(problems))
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as e:
        _fail(name, None, f"is a damaged XLSX workbook ({type(e).__name__}: {e})")
    finally:
        workbook.close()


def _xlsx_cell(value: Any, data_type: str) -> tuple[str, str | None]:
    if data_type == "f":
        return str(value), "holds a formula; paste values only"
    if data_type == "e":
        return str(value), "holds an error value"
    if value is None:
        return "", None
    if isinstance(value, bool):
        return str(value), "holds TRUE/FALSE, not a value of this column"
    if isinstance(value, (datetime, date, time)):
        return str(value), "holds a date or time; write periods as text, e.g. 2025M03"
    if isinstance(value, float):
        # A spreadsheet keeps numbers as binary doubles: the shortest text that reads back as the same double
        # is the decimal the user typed.
        return (str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)), None
    return str(value).strip(), None


def _json_rows(path: Path, name: str, encoding: str) -> Iterator[RawRow]:
    try:
        document = json.loads(
            path.read_bytes(),
            parse_float=Decimal,
            parse_int=Decimal,
            parse_constant=_refuse_constant,
        )
    except (UnicodeDecodeError, json.JSONDecodeError, _NotJson) as e:
        _fail(name, None, f"is not valid JSON: {e}")
    if isinstance(document, dict) and isinstance(document.get("rows"), list):
        document = document["rows"]
    if not isinstance(document, list) or not all(isinstance(item, dict) for item in document):
        _fail(name, None, 'must hold a list of row objects, or {"rows": [...]}')
    if not document:
        return
    keys: list[str] = []
    for item in document:
        keys.extend(key for key in item if key not in keys)
    yield RawRow(1, tuple(keys))
    for row_number, item in enumerate(document, start=2):
        texts, problems = [], []
        for position, key in enumerate(keys):
            value = item.get(key)
            if value is None:
                texts.append("")
            elif isinstance(value, (str, Decimal)):
                texts.append(value.strip() if isinstance(value, str) else str(value))
            else:
                texts.append(json.dumps(value, default=str))
                problems.append((position, "must be a string or a number"))
        yield RawRow(row_number, tuple(texts), tuple(problems))


class _NotJson(ValueError):
    pass


def _refuse_constant(name: str) -> NoReturn:
    raise _NotJson(f"{name} is not a JSON number")
