"""The canonical bytes of records alike but for who, when and how much, without building each Record.

Records of one kind of activity (source, unit, factor, GWP set, ISO category) differ only in their code,
account, facility, period, quantity, gas masses, totals and the quantities their receipt repeats. A
RecordTemplate is made from one such record and writes the canonical bytes of the others from those values
alone; it checks each value as `Record` would, and it proves itself on the record it was made from (the
bytes it writes for that record's values must be that record's bytes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from ledger.canonical import decimal_text
from ledger.canonical_template import CanonicalTemplate, Path
from ledger.errors import CanonicalError, CanonicalValueError, RecordError
from ledger.record import GRAMS, Record, require_decimal, require_int_in, require_who_and_when

_FIELD_HOLES: tuple[Path, ...] = (
    ("code",), ("account",), ("facility",), ("period",), ("activity_quantity",), ("co2e_g",), ("biogenic_co2_g",)
)


class RecordTemplate:
    """Canonical bytes of records like `record`, which differ from it only in the fields `fill` takes.

    `receipt_holes` are the paths within the receipt of the texts that vary with the quantity, in the order
    `fill` takes their values. Raises RecordError if the template cannot reproduce `record` itself.
    """

    def __init__(self, record: Record, receipt_holes: Sequence[Path]) -> None:
        self.gases = tuple(record.gases_g)
        self._receipt_hole_count = len(receipt_holes)
        holes = [*_FIELD_HOLES, *(("gases_g", gas) for gas in self.gases), *(("receipt", *p) for p in receipt_holes)]
        try:
            self._template = CanonicalTemplate(record.to_json_object(), holes)
        except CanonicalError as e:
            raise RecordError("receipt", f"cannot be made a template: {e}") from e
        receipt_values = [_leaf_at(record.receipt, path) for path in receipt_holes]
        own = self.fill(
            record.code, record.account, record.facility, record.period, record.activity_quantity,
            record.gases_g, record.co2e_g, record.biogenic_co2_g, receipt_values,
        )
        if own != record.canonical_bytes():
            raise RecordError("record", "a template made from it does not reproduce its canonical bytes")

    def fill(
        self,
        code: str,
        account: str,
        facility: str | None,
        period: str,
        activity_quantity: Decimal,
        gases_g: Mapping[str, Decimal],
        co2e_g: int,
        biogenic_co2_g: int,
        receipt_values: Sequence[str],
    ) -> bytes:
        """The canonical bytes of the record with these values; RecordError naming a field `Record` would
        refuse, or one that does not fit the template (other gases, another number of receipt values)."""
        require_who_and_when(code, account, facility, period)
        require_decimal("activity_quantity", activity_quantity)
        require_int_in("co2e_g", co2e_g, GRAMS)
        require_int_in("biogenic_co2_g", biogenic_co2_g, GRAMS)
        if len(gases_g) != len(self.gases) or any(gas not in gases_g for gas in self.gases):
            raise RecordError("gases_g", f"must hold exactly the gases {', '.join(self.gases)}")
        for gas in self.gases:
            require_decimal(f"gases_g.{gas}", gases_g[gas])
        if len(receipt_values) != self._receipt_hole_count:
            raise RecordError("receipt", f"takes {self._receipt_hole_count} values, got {len(receipt_values)}")
        try:
            return self._template.fill((
                code, account, facility, period, decimal_text(activity_quantity), co2e_g, biogenic_co2_g,
                *(decimal_text(gases_g[gas]) for gas in self.gases), *receipt_values,
            ))
        except CanonicalValueError as e:
            raise RecordError(e.path.removeprefix("$."), e.reason) from e


def _leaf_at(receipt: Mapping[str, object], path: Path) -> str:
    value: object = receipt
    for step in path:
        try:
            value = value[step]  # type: ignore[index]
        except (KeyError, IndexError, TypeError) as e:
            raise RecordError("receipt", f"has no value at {'.'.join(map(str, path))}") from e
    if not isinstance(value, str):
        raise RecordError("receipt", f"holds no text at {'.'.join(map(str, path))}")
    return value
