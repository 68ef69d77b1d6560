"""Canonical JSON bytes (RFC 8785, JSON Canonicalization Scheme) for everything the ledger hashes.

The ledger's profile of RFC 8785 is narrower than the RFC: there are no floating-point numbers at all, so
numbers are integers within the exactly representable range of an IEEE 754 double (|n| <= 2**53 - 1), and
decimal quantities travel as strings written by `decimal_text`. Strings are NFC-normalised before they are
escaped and sorted, so text that looks the same hashes the same however it was typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TypeAlias, cast

from ledger.errors import CanonicalError, CanonicalValueError

JSON: TypeAlias = bool | int | str | Sequence["JSON"] | Mapping[str, "JSON"] | None
"""A JSON value as the ledger hashes it: no floats; decimals are strings."""

MAX_SAFE_INTEGER = 2**53 - 1
# A fixed bound, not whatever stack the interpreter has left at the time, so that a value accepted once is
# accepted everywhere; it also turns a container that holds itself into an error instead of a crash.
MAX_NESTING_DEPTH = 64

# RFC 8785 §3.2.2.2 defers to ECMAScript JSON.stringify: the two-character escapes where one exists,
# \u00xx in lower-case hex for the other C0 controls, and every other character as itself in UTF-8.
_SHORT_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_ESCAPES = {code_point: f"\\u{code_point:04x}" for code_point in range(0x20)}
_ESCAPES.update({ord(character): escape for character, escape in _SHORT_ESCAPES.items()})

_SURROGATE = re.compile("[\ud800-\udfff]")


def canonical_bytes(value: JSON) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of `value`.

    Accepts None, bool, int (|n| <= 2**53 - 1), str, lists and tuples, and mappings with str keys.
    Raises CanonicalValueError, naming the JSON path of the offending value, for anything else: floats
    (NaN and infinities included), Decimals (convert them with `decimal_text`), integers out of range,
    non-str keys, lone surrogates, keys that coincide after NFC normalisation, other types, and containers
    nested more than MAX_NESTING_DEPTH deep (which includes any container that holds itself).
    """
    parts: list[str] = []
    _write_value(value, "$", 0, parts)
    return "".join(parts).encode("utf-8")


def decimal_text(d: Decimal) -> str:
    """`d` in normalised plain notation: no exponent, no trailing fractional zeros, no '+', and "0" for -0.

    Works on the digits directly rather than through a decimal context, so no precision is ever lost.
    Raises CanonicalError for NaN, infinities and anything that is not a Decimal.
    """
    if not isinstance(d, Decimal):
        raise CanonicalError(f"expected a Decimal, got {type(d).__name__}")
    if not d.is_finite():
        raise CanonicalError(f"{d} is not a finite decimal")
    sign, digit_tuple, exponent_marker = d.as_tuple()
    exponent = cast(int, exponent_marker)  # only NaN and infinities carry the 'n'/'N'/'F' markers
    digits = "".join(map(str, digit_tuple))
    if exponent >= 0:
        integer_part, fraction_part = digits + "0" * exponent, ""
    else:
        digits = digits.rjust(1 - exponent, "0")
        integer_part, fraction_part = digits[:exponent], digits[exponent:]
    integer_part = integer_part.lstrip("0") or "0"
    fraction_part = fraction_part.rstrip("0")
    text = f"{integer_part}.{fraction_part}" if fraction_part else integer_part
    return "-" + text if sign and text != "0" else text


def _write_value(value: object, path: str, depth: int, parts: list[str]) -> None:
    # bool before int: in Python a bool is an int, in JSON it is a literal.
    if value is None:
        parts.append("null")
    elif isinstance(value, bool):
        parts.append("true" if value else "false")
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalValueError(path, f"integer {value} is outside ±(2**53 - 1)")
        parts.append(str(int(value)))
    elif isinstance(value, str):
        parts.append(_quoted(_nfc(value, path, "string")))
    elif isinstance(value, (Mapping, list, tuple)) and depth == MAX_NESTING_DEPTH:
        raise CanonicalValueError(path, f"nested deeper than {MAX_NESTING_DEPTH} levels (or contains itself)")
    elif isinstance(value, Mapping):
        _write_object(value, path, depth + 1, parts)
    elif isinstance(value, (list, tuple)):
        parts.append("[")
        for index, item in enumerate(value):
            if index:
                parts.append(",")
            _write_value(item, f"{path}[{index}]", depth + 1, parts)
        parts.append("]")
    elif isinstance(value, float):
        raise CanonicalValueError(path, f"floats are not allowed (got {value!r}); write decimals as strings")
    elif isinstance(value, Decimal):
        raise CanonicalValueError(path, f"Decimal {value} must be converted to a string with decimal_text()")
    else:
        raise CanonicalValueError(path, f"{type(value).__name__} is not a JSON value")


def _write_object(members: Mapping[object, object], path: str, depth: int, parts: list[str]) -> None:
    by_key: dict[str, object] = {}
    for key, member in members.items():
        if not isinstance(key, str):
            raise CanonicalValueError(path, f"object keys must be strings, got {type(key).__name__} {key!r}")
        normalised_key = _nfc(key, path, "key")
        if normalised_key in by_key:
            raise CanonicalValueError(path, f"keys {normalised_key!r} and {key!r} are the same after NFC")
        by_key[normalised_key] = member
    parts.append("{")
    # RFC 8785 §3.2.3: sort by UTF-16 code units; big-endian UTF-16 bytes compare in exactly that order.
    for index, key in enumerate(sorted(by_key, key=lambda k: k.encode("utf-16-be"))):
        if index:
            parts.append(",")
        parts.append(_quoted(key))
        parts.append(":")
        _write_value(by_key[key], f"{path}.{key}", depth, parts)
    parts.append("}")


def _nfc(text: str, path: str, role: str) -> str:
    if _SURROGATE.search(text):
        raise CanonicalValueError(path, f"{role} {text!r} holds a lone surrogate, which is not Unicode text")
    return unicodedata.normalize("NFC", text)


def _quoted(text: str) -> str:
    return '"' + text.translate(_ESCAPES) + '"'
