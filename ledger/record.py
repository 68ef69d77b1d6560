"""The Record: one emission figure as the ledger hashes it (schema version 1), with its canonical bytes.

A record says who (account, facility) emitted what (scope, categories, source, gases) in which period, from
which activity, and carries the calculation receipt that lets anyone recompute the figure. Its identity is
its canonical bytes (RFC 8785, see ledger.canonical); its leaf in the Merkle log is hash_leaf of those bytes.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from functools import cached_property
from types import MappingProxyType
from typing import Any, NoReturn, cast

from ledger import canonical
from ledger.canonical import JSON, decimal_text
from ledger.errors import CanonicalValueError, RecordError
from ledger.hasher import hash_leaf

SCHEMA_VERSION = 1
SCOPES = frozenset({1, 2, 3})
SCOPE3_CATEGORIES = range(1, 16)
ISO_CATEGORIES = range(1, 7)
SCOPE2_METHODS = frozenset({"location", "market"})
GWP_SETS = frozenset({"SAR", "AR4", "AR5", "AR6"})

# Shape only (year, quarter, month, day); whether the day exists in that month is ledger.code's business.
_PERIOD = re.compile(r"[0-9]{4}(Q[1-4]|M(0[1-9]|1[0-2])|(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01]))?")
_SOURCE_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)*")
# Plain decimal notation only: Decimal() alone would also take exponents, NaN, '_' separators and spaces.
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
GRAMS = range(0, canonical.MAX_SAFE_INTEGER + 1)


@dataclass(frozen=True)
class Record:
    """One emission figure with its calculation receipt; immutable, validated on construction.

    `gases_g` is stored as a read-only copy (MappingProxyType) and `receipt` as the receipt the canonical bytes
    hold (read-only: objects are MappingProxyType, arrays tuples; strings in NFC, keys in canonical order), so
    neither the record nor what was passed in can change it afterwards.

    Equality and hashing follow the canonical bytes: two records are equal exactly when they hash to the same
    leaf. So Decimal("1.50") equals Decimal("1.5") (both are written "1.5"), strings equal after NFC are
    equal, and a receipt holding true differs from one holding 1 (which Python alone would call equal).
    Raises RecordError naming the field for any invalid value.
    """

    code: str
    account: str
    facility: str | None
    period: str
    scope: int
    scope3_category: int | None
    iso_category: int
    source: str
    activity_quantity: Decimal
    activity_unit: str
    scope2_method: str | None
    gwp_set: str
    gases_g: Mapping[str, Decimal]
    co2e_g: int
    biogenic_co2_g: int
    receipt: Mapping[str, JSON]

    def __post_init__(self) -> None:
        require_code(self.code)
        require_who_and_when(self.account, self.facility, self.period)
        require_int_in("scope", self.scope, SCOPES)
        if self.scope == 3:
            require_int_in("scope3_category", self.scope3_category, SCOPE3_CATEGORIES)
        elif self.scope3_category is not None:
            _reject("scope3_category", "must be null unless scope is 3", self.scope3_category)
        require_int_in("iso_category", self.iso_category, ISO_CATEGORIES)
        if not isinstance(self.source, str) or not _SOURCE_SLUG.fullmatch(self.source):
            _reject(
                "source", "must be a lower-case slug path like stationary-combustion/natural-gas", self.source
            )
        require_decimal("activity_quantity", self.activity_quantity)
        require_text("activity_unit", self.activity_unit)
        if self.scope == 2:
            _require_choice("scope2_method", self.scope2_method, SCOPE2_METHODS)
        elif self.scope2_method is not None:
            _reject("scope2_method", "must be null unless scope is 2", self.scope2_method)
        _require_choice("gwp_set", self.gwp_set, GWP_SETS)
        object.__setattr__(self, "gases_g", _frozen_gases(self.gases_g))
        require_int_in("co2e_g", self.co2e_g, GRAMS)
        require_int_in("biogenic_co2_g", self.biogenic_co2_g, GRAMS)
        if not isinstance(self.receipt, Mapping):
            _reject("receipt", "must be a JSON object", self.receipt)
        # What is left to check (receipt contents, lone surrogates, keys equal after NFC) is exactly what the
        # encoder checks, so encode now: a Record that exists always has canonical bytes.
        try:
            canonical_bytes = self._canonical_bytes
        except CanonicalValueError as e:
            raise RecordError(e.path.removeprefix("$."), e.reason) from e
        # The receipt kept is the one those bytes hold, read back when first asked for: nothing to copy now,
        # and nothing that could differ from what was hashed.
        object.__setattr__(self, "receipt", _Receipt(canonical_bytes))

    def to_json_object(self) -> dict[str, JSON]:
        """The record as plain JSON (dicts, lists, decimals as strings) plus "v": the object to hash."""
        return self._json_object()

    def canonical_bytes(self) -> bytes:
        """RFC 8785 bytes of `to_json_object()`."""
        return self._canonical_bytes

    def leaf_hash(self) -> bytes:
        """The record's RFC 9162 leaf hash: hash_leaf(canonical bytes)."""
        return hash_leaf(self._canonical_bytes)

    @classmethod
    def from_json_object(cls, json_object: object) -> Record:
        """Parse the output of `to_json_object()` back, strictly.

        Every field and "v" must be present and nothing else; "v" must be 1; decimals must be strings in
        normalised plain notation (as `decimal_text` writes them). Raises RecordError naming the field.
        """
        if not isinstance(json_object, Mapping):
            _reject("record", "must be a JSON object", json_object)
        field_names = {field.name for field in fields(cls)}
        unknown = sorted(str(key) for key in json_object.keys() - field_names - {"v"})
        if unknown:
            raise RecordError(unknown[0], "is not a field of a version 1 record")
        missing = sorted((field_names | {"v"}) - json_object.keys())
        if missing:
            raise RecordError(missing[0], "is missing")
        version = json_object["v"]
        if type(version) is not int or version != SCHEMA_VERSION:
            _reject("v", f"must be {SCHEMA_VERSION}, the only schema version this ledger reads", version)
        values: dict[str, Any] = {name: json_object[name] for name in field_names}
        values["activity_quantity"] = _parsed_decimal("activity_quantity", values["activity_quantity"])
        gases_g = values["gases_g"]
        if not isinstance(gases_g, Mapping):
            _reject("gases_g", "must be a JSON object", gases_g)
        values["gases_g"] = {
            gas: _parsed_decimal(f"gases_g.{gas}", mass_g) for gas, mass_g in gases_g.items()
        }
        return cls(**values)

    @classmethod
    def from_canonical_bytes(cls, data: bytes) -> Record:
        """Parse canonical bytes back into a Record, strictly.

        The bytes must be UTF-8 JSON without floats, NaN, infinities or repeated keys, hold a valid record,
        and be exactly that record's canonical bytes (so the leaf hash of `data` is the record's leaf hash).
        Raises RecordError naming the field, or "record" for faults of the document as a whole.
        """
        if not isinstance(data, (bytes, bytearray)):
            _reject("record", "canonical bytes must be bytes", data)
        try:
            json_object = json.loads(
                bytes(data).decode("utf-8"),
                parse_float=_refuse_fraction,
                parse_constant=_refuse_constant,
                object_pairs_hook=_object_without_repeated_keys,
            )
        except RecordError:
            raise
        except (ValueError, RecursionError) as e:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise RecordError("record", f"not valid JSON in UTF-8: {e}") from e
        record = cls.from_json_object(json_object)
        if record.canonical_bytes() != data:
            raise RecordError("record", "well-formed but not in canonical form (RFC 8785)")
        return record

    @cached_property
    def _canonical_bytes(self) -> bytes:
        return canonical.canonical_bytes(self._json_object())

    def _json_object(self) -> dict[str, JSON]:
        json_object: dict[str, JSON] = {name: getattr(self, name) for name in _FIELD_NAMES}
        json_object["activity_quantity"] = decimal_text(self.activity_quantity)
        json_object["gases_g"] = {gas: decimal_text(mass_g) for gas, mass_g in self.gases_g.items()}
        receipt = self.receipt
        json_object["receipt"] = receipt.json_object() if isinstance(receipt, _Receipt) else receipt
        json_object["v"] = SCHEMA_VERSION
        return json_object

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        # The read-only mappings cannot be pickled or deep-copied field by field; the canonical bytes can.
        return (Record.from_canonical_bytes, (self._canonical_bytes,))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record):
            return NotImplemented
        return self._canonical_bytes == other._canonical_bytes

    def __hash__(self) -> int:
        return hash(self._canonical_bytes)


_FIELD_NAMES = tuple(field.name for field in fields(Record))


def _reject(field: str, reason: str, value: object) -> NoReturn:
    raise RecordError(field, f"{reason} (got {value!r})")


def require_code(code: object) -> None:
    """RecordError unless `code` is a non-empty ASCII string."""
    if not isinstance(code, str) or not code or not code.isascii():
        _reject("code", "must be a non-empty ASCII string", code)


def require_who_and_when(account: object, facility: object, period: object) -> None:
    """RecordError naming the first of a record's account, facility and period that is invalid."""
    require_text("account", account)
    if facility is not None:
        require_text("facility", facility)
    if not isinstance(period, str) or not _PERIOD.fullmatch(period):
        _reject("period", "must look like 2025, 2025Q1, 2025M03 or 20250314", period)


def require_text(field: str, value: object) -> None:
    """RecordError for `field` unless `value` is a non-empty string."""
    if not isinstance(value, str) or not value:
        _reject(field, "must be a non-empty string", value)


def require_int_in(field: str, value: object, allowed: range | frozenset[int]) -> None:
    """RecordError for `field` unless `value` is an int (not a bool) in `allowed`."""
    if isinstance(value, bool) or not isinstance(value, int):
        _reject(field, "must be an integer", value)
    if value not in allowed:
        _reject(field, f"must be in {_describe(allowed)}", value)


def _describe(allowed: range | frozenset[int]) -> str:
    if isinstance(allowed, range):
        return f"{allowed.start}..{allowed.stop - 1}"
    return "{" + ", ".join(map(str, sorted(allowed))) + "}"


def _require_choice(field: str, value: object, choices: frozenset[str]) -> None:
    if not isinstance(value, str) or value not in choices:
        _reject(field, f"must be one of {', '.join(sorted(choices))}", value)


def require_decimal(field: str, value: object) -> None:
    """RecordError for `field` unless `value` is a finite Decimal."""
    if not isinstance(value, Decimal) or not value.is_finite():
        _reject(field, "must be a finite Decimal", value)


def _frozen_gases(gases_g: object) -> Mapping[str, Decimal]:
    if not isinstance(gases_g, Mapping):
        _reject("gases_g", "must be a mapping of gas id to grams", gases_g)
    for gas, mass_g in gases_g.items():
        require_text("gases_g", gas)
        require_decimal(f"gases_g.{gas}", mass_g)
    return MappingProxyType(dict(gases_g))


class _Receipt(Mapping[str, JSON]):
    """A record's receipt as its canonical bytes hold it, decoded on first use into read-only objects
    (MappingProxyType) and arrays (tuples)."""

    __slots__ = ("_record_bytes", "_members")

    def __init__(self, record_bytes: bytes) -> None:
        self._record_bytes = record_bytes
        self._members: Mapping[str, JSON] | None = None

    def json_object(self) -> JSON:
        """The receipt as plain JSON, a fresh copy."""
        return cast(JSON, json.loads(self._record_bytes)["receipt"])

    def _read(self) -> Mapping[str, JSON]:
        if self._members is None:
            self._members = cast(Mapping[str, JSON], _frozen(self.json_object()))
        return self._members

    def __getitem__(self, key: str) -> JSON:
        return self._read()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())

    def __repr__(self) -> str:
        return repr(self._read())


def _frozen(value: object) -> object:
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(member) for key, member in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


def _parsed_decimal(field: str, text: object) -> Decimal:
    if not isinstance(text, str) or not _DECIMAL_TEXT.fullmatch(text):
        _reject(field, "must be a decimal string in plain notation", text)
    quantity = Decimal(text)
    if decimal_text(quantity) != text:
        _reject(field, f"must be written in normalised form {decimal_text(quantity)!r}", text)
    return quantity


def _refuse_fraction(number_text: str) -> NoReturn:
    raise RecordError("record", f"JSON number {number_text} is not an integer; decimals must be strings")


def _refuse_constant(constant: str) -> NoReturn:
    raise RecordError("record", f"{constant} is not JSON")


def _object_without_repeated_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    json_object = dict(pairs)
    if len(json_object) != len(pairs):
        repeated = sorted(key for key, count in Counter(key for key, _ in pairs).items() if count > 1)
        raise RecordError(repeated[0], "appears more than once in one JSON object")
    return json_object
