"""The canonical bytes of records alike but for who, when and how much, without building each Record.

Records of one kind of activity (source, unit, factor, GWP set, ISO category) differ only in their code,
account, facility, period, quantity, gas masses, totals and the quantities their receipt repeats. A
RecordTemplate is made from one such record and writes the canonical bytes of the others from those values
alone, in two steps: `leaves` checks the values as `Record` would and writes them as canonical text, before the
record's code is known; `record_bytes` adds the code. It proves itself on the record it was made from (the
bytes it writes for that record's values must be that record's bytes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from ledger.canonical import decimal_text
from ledger.canonical_template import CanonicalTemplate, Path, leaf_text, value_at
from ledger.errors import CanonicalError, CanonicalValueError, RecordError
from ledger.record import GRAMS, Record, require_code, require_decimal, require_int_in, require_who_and_when

# Canonical JSON text holds no raw control character (RFC 8785 escapes them), so this separates leaf texts.
_LEAF_SEPARATOR = "\x00"
_CODE, _ACCOUNT, _FACILITY, _PERIOD = ("code",), ("account",), ("facility",), ("period",)
_WHO_AND_WHEN_KEPT = 50_000
_FIELD_HOLES: tuple[Path, ...] = (_CODE, _ACCOUNT, _FACILITY, _PERIOD, ("activity_quantity",), ("co2e_g",),
                                  ("biogenic_co2_g",))


class RecordTemplate:
    """Canonical bytes of records like `record`, which differ from it only in their code and the values
    `leaves` takes.

    `receipt_holes` are the paths within the receipt of the texts that vary with the quantity, in the order
    `leaves` takes their values. Raises RecordError if the template cannot reproduce `record` itself.
    """

    def __init__(self, record: Record, receipt_holes: Sequence[Path]) -> None:
        self.gases = tuple(record.gases_g)
        self._receipt_holes = tuple(("receipt", *path) for path in receipt_holes)
        holes = [*_FIELD_HOLES, *(("gases_g", gas) for gas in self.gases), *self._receipt_holes]
        self._hole_count = len(holes)
        # Who and when, checked and written, by (account, facility, period): records of one kind share a few.
        self._who_and_when: dict[tuple[str, str | None, str], str] = {}
        try:
            self._template = CanonicalTemplate(record.to_json_object(), holes)
        except CanonicalError as e:
            raise RecordError("receipt", f"cannot be made a template: {e}") from e
        receipt_values = [_leaf_at(record.receipt, path) for path in receipt_holes]
        own = self.record_bytes(record.code, self.leaves(
            record.account, record.facility, record.period, record.activity_quantity,
            record.gases_g, record.co2e_g, record.biogenic_co2_g, receipt_values,
        ))
        if own != record.canonical_bytes():
            raise RecordError("record", "a template made from it does not reproduce its canonical bytes")

    def leaves(
        self,
        account: str,
        facility: str | None,
        period: str,
        activity_quantity: Decimal,
        gases_g: Mapping[str, Decimal],
        co2e_g: int,
        biogenic_co2_g: int,
        receipt_values: Sequence[str],
    ) -> RecordLeaves:
        """A record's values but its code, checked as `Record` checks them and written as canonical text: the
        record before its code is known (the code is fixed by the record's place in the log). RecordError
        naming a field `Record` would refuse, or one that does not fit the template (other gases, another
        number of receipt values)."""
        who_and_when = self._who_and_when_text(account, facility, period)
        require_decimal("activity_quantity", activity_quantity)
        require_int_in("co2e_g", co2e_g, GRAMS)
        require_int_in("biogenic_co2_g", biogenic_co2_g, GRAMS)
        if len(gases_g) != len(self.gases) or any(gas not in gases_g for gas in self.gases):
            raise RecordError("gases_g", f"must hold exactly the gases {', '.join(self.gases)}")
        for gas in self.gases:
            require_decimal(f"gases_g.{gas}", gases_g[gas])
        if len(receipt_values) != len(self._receipt_holes):
            raise RecordError("receipt", f"takes {len(self._receipt_holes)} values, got {len(receipt_values)}")
        try:
            texts = (
                who_and_when, f'"{decimal_text(activity_quantity)}"', str(co2e_g), str(biogenic_co2_g),
                *(f'"{decimal_text(gases_g[gas])}"' for gas in self.gases),
                *(leaf_text(value, path) for value, path in zip(receipt_values, self._receipt_holes, strict=True)),
            )
        except CanonicalValueError as e:
            raise RecordError(e.path.removeprefix("$."), e.reason) from e
        return RecordLeaves(_LEAF_SEPARATOR.join(texts))

    def _who_and_when_text(self, account: str, facility: str | None, period: str) -> str:
        """The leaf texts of account, facility and period, checked as `Record` checks them."""
        plain = type(account) is str and type(period) is str and (facility is None or type(facility) is str)
        key = (account, facility, period)
        text = self._who_and_when.get(key) if plain else None
        if text is None:
            require_who_and_when(account, facility, period)
            try:
                text = _LEAF_SEPARATOR.join(
                    (leaf_text(account, _ACCOUNT), leaf_text(facility, _FACILITY), leaf_text(period, _PERIOD))
                )
            except CanonicalValueError as e:
                raise RecordError(e.path.removeprefix("$."), e.reason) from e
            if plain:
                if len(self._who_and_when) >= _WHO_AND_WHEN_KEPT:
                    self._who_and_when.clear()
                self._who_and_when[key] = text
        return text

    def record_bytes(self, code: str, leaves: RecordLeaves) -> bytes:
        """The canonical bytes of the record with `code` and the values `leaves(...)` wrote."""
        require_code(code)
        texts = leaves.split(_LEAF_SEPARATOR) if type(leaves) is RecordLeaves else ()
        if len(texts) + 1 != self._hole_count:
            raise RecordError("record", "leaves must be those RecordTemplate.leaves() wrote for this template")
        return self._template.fill_texts((leaf_text(code, _CODE), *texts))


class RecordLeaves(str):
    """A record's values but its code, checked and written as canonical text by `RecordTemplate.leaves`, in one
    string: a million records kept between their check and their code cost one object each, not a dozen."""

    __slots__ = ()


def _leaf_at(receipt: Mapping[str, object], path: Path) -> str:
    """The text at `path` in the receipt (a path the template was just made with, so it leads somewhere)."""
    value = value_at(receipt, path)
    if not isinstance(value, str):
        raise RecordError("receipt", f"holds no text at {'.'.join(map(str, path))}")
    return value
