"""Turning a validated, calculated row into its 3D code and its Record."""

from __future__ import annotations

from functools import cache

from ledger.calc.calculate import ActivityKind, Calculation
from ledger.code import CodeStem, ThreeDCode
from ledger.period import Period
from ledger.record import Record
from oracle.ingest.validate import ActivityRow


# What a record's 3D code says besides its serial, who, when and what: (account, facility, period, scope,
# category token, source token). A plain tuple, like the checked record that carries it between processes.
CodeParts = tuple[str, str | None, str, int, str, str]


def code_of(parts: CodeParts, serial: int) -> str:
    """The 3D code of the record at log position `serial` (1-based); CodeError if it cannot have one."""
    return CodeStems(limit=1).code(parts, serial)


class CodeStems:
    """The 3D codes of records by their parts and serial, each stem (the code but its serial) worked out once
    and remembered while a file is worked (at most `limit` of them)."""

    def __init__(self, limit: int = 100_000) -> None:
        self._stems: dict[CodeParts, CodeStem] = {}
        self._limit = limit

    def stem(self, parts: CodeParts) -> CodeStem:
        """The stem of the codes with these parts; CodeError if they cannot make a code."""
        stem = self._stems.get(parts)
        if stem is None:
            if len(self._stems) >= self._limit:
                self._stems.clear()
            account, facility, period, scope, category_token, source_token = parts
            code = ThreeDCode(account, facility, _period(period), scope, category_token, source_token, 1)
            stem = self._stems[parts] = CodeStem(code)
        return stem

    def code(self, parts: CodeParts, serial: int) -> str:
        """The 3D code of the record at log position `serial` (1-based); CodeError if it cannot have one."""
        return self.stem(parts).code(serial)


@cache
def _period(text: str) -> Period:
    return Period.parse(text)


def record_of(row: ActivityRow, kind: ActivityKind, calculation: Calculation, code: str) -> Record:
    """The record of `row` calculated as `kind` (one of the row's kinds) under the 3D code `code`."""
    category = row.source.category
    emission = calculation.emission
    return Record(
        code=code,
        account=row.account,
        facility=row.facility,
        period=row.period,
        scope=category.scope,
        scope3_category=category.scope3_category,
        iso_category=row.iso_category,
        source=row.source.slug,
        activity_quantity=row.quantity,
        activity_unit=row.unit,
        scope2_method=kind.scope2_method,
        gwp_set=row.gwp_set,
        gases_g=emission.gases_g,
        co2e_g=emission.co2e_g,
        biogenic_co2_g=emission.biogenic_co2_g,
        receipt=calculation.receipt,
    )
