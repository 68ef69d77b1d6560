"""Canonical JSON bytes (RFC 8785, JSON Canonicalization Scheme) for everything the ledger hashes.

The ledger's profile of RFC 8785 is narrower than the RFC: there are no floating-point numbers at all, so
numbers are integers within the exactly representable range of an IEEE 754 double (|n| <= 2**53 - 1), and
decimal quantities travel as strings written by `decimal_text`. Strings are NFC-normalised before they are
escaped and sorted, so text that looks the same hashes the same however it was typed.

One encoder, two routes to it. The exact route walks the value and writes every token itself. Most values (plain
dicts and lists, text already in NFC, nothing beyond U+FFFF: every record, for one) come out the same from the
standard library's C encoder with sorted keys and compact separators, an order of magnitude faster;
`canonical_bytes` takes that route only where it cannot differ (see `_fast_bytes`) and the exact route
otherwise, which also names any value outside the profile.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeAlias, cast

from ledger.errors import CanonicalError, CanonicalValueError

JSON: TypeAlias = bool | int | str | Sequence["JSON"] | Mapping[str, "JSON"] | None
"""A JSON value as the ledger hashes it: no floats; decimals are strings."""

MAX_SAFE_INTEGER = 2**53 - 1
# A fixed bound, not whatever stack the interpreter has left at the time, so that a value accepted once is
# accepted everywhere.
MAX_NESTING_DEPTH = 64

# RFC 8785 §3.2.2.2 defers to ECMAScript JSON.stringify: the two-character escapes where one exists,
# \u00xx in lower-case hex for the other C0 controls, and every other character as itself in UTF-8.
_SHORT_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_ESCAPES = {code_point: f"\\u{code_point:04x}" for code_point in range(0x20)}
_ESCAPES.update({ord(character): escape for character, escape in _SHORT_ESCAPES.items()})

_SURROGATE = re.compile("[\ud800-\udfff]")

# The standard encoder writes exactly the escapes above (and nothing else) when ensure_ascii is off. It meets
# only values `_is_plain` passed, which are no deeper than the limit, so none can hold itself.
_STANDARD_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":"), check_circular=False
)
# UTF-8 lead bytes of the characters beyond U+FFFF, which UTF-16 writes as surrogate pairs.
_ASTRAL_LEAD_BYTES = (b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4")


def canonical_bytes(value: JSON) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of `value`.

    Accepts None, bool, int (|n| <= 2**53 - 1), str, lists and tuples, and mappings with str keys.
    Raises CanonicalValueError, naming the JSON path of the offending value, for anything else: floats
    (NaN and infinities included), Decimals (convert them with `decimal_text`), integers out of range,
    non-str keys, lone surrogates, keys that coincide after NFC normalisation, other types, containers that
    hold themselves (named at the path of the outer one) and containers nested more than MAX_NESTING_DEPTH deep.
    """
    fast = _fast_bytes(value)
    return _exact_bytes(value) if fast is None else fast


def decimal_text(d: Decimal) -> str:
    """`d` in normalised plain notation: no exponent, no trailing fractional zeros, no '+', and "0" for -0.

    Exact: fixed-point formatting without a precision writes every digit and never rounds.
    Raises CanonicalError for NaN, infinities and anything that is not a Decimal.
    """
    if not isinstance(d, Decimal):
        raise CanonicalError(f"expected a Decimal, got {type(d).__name__}")
    if not d.is_finite():
        raise CanonicalError(f"{d} is not a finite decimal")
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _fast_bytes(value: object) -> bytes | None:
    """The canonical bytes of `value` from the standard encoder, or None where they could differ from the exact
    route's.

    They are the same when the value holds only dicts, lists, tuples, str, int within range, bool and None
    (exact types, so no subclass can encode itself differently), no deeper than the limit, and the encoded text
    is in NFC and has no character beyond U+FFFF. The last two are checked on the whole text: a string inside
    it is bounded by quotes and escape characters, which never compose or reorder with what follows or
    precedes them, so the text is in NFC only if every key and string is (escapes can only make a string in
    NFC look otherwise, which merely sends it the exact way); without characters beyond U+FFFF, sorting by code
    point is sorting by UTF-16 code unit; and keys in NFC that differ stay different. A lone surrogate fails
    the UTF-8 encoding, and the exact route then names it.
    """
    if not _is_plain(value, 0):
        return None
    text = _STANDARD_ENCODER.encode(value)
    if text.isascii():
        return text.encode("ascii")
    if not unicodedata.is_normalized("NFC", text):
        return None
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    if any(lead_byte in data for lead_byte in _ASTRAL_LEAD_BYTES):
        return None
    return data


def _exact_bytes(value: object) -> bytes:
    """The canonical bytes of `value`, every token written here; CanonicalValueError for what is not JSON."""
    parts: list[str] = []
    _write_value(value, "$", 0, parts, {})
    return "".join(parts).encode("utf-8")


def _is_plain(value: Any, depth: int) -> bool:
    """Whether `value` is built only of the exact types the standard encoder writes as this module does."""
    kind = type(value)
    members: Iterable[Any]
    if kind is dict:
        for key in value:
            if type(key) is not str:
                return False
        members = value.values()
    elif kind is list or kind is tuple:
        members = value
    else:
        return kind is str or kind is bool or value is None or (kind is int and _is_safe_integer(value))
    if depth == MAX_NESTING_DEPTH:
        return False
    for member in members:
        # The common leaves inline: a call per string would cost as much as the rest of the check.
        member_kind = type(member)
        if member_kind is str or member is None:
            continue
        if member_kind is int:
            if not _is_safe_integer(member):
                return False
        elif not _is_plain(member, depth + 1):
            return False
    return True


def _is_safe_integer(integer: int) -> bool:
    return -MAX_SAFE_INTEGER <= integer <= MAX_SAFE_INTEGER


def _write_value(value: object, path: str, depth: int, parts: list[str], open_containers: dict[int, str]) -> None:
    """Write `value`; `open_containers` maps the id of each container being written around it to its path."""
    # bool before int: in Python a bool is an int, in JSON it is a literal.
    if value is None:
        parts.append("null")
    elif isinstance(value, bool):
        parts.append("true" if value else "false")
    elif isinstance(value, int):
        if not _is_safe_integer(value):
            raise CanonicalValueError(path, f"integer {value} is outside ±(2**53 - 1)")
        parts.append(str(int(value)))
    elif isinstance(value, str):
        parts.append(_quoted(_nfc(value, path, "string")))
    elif isinstance(value, (Mapping, list, tuple)):
        if id(value) in open_containers:
            raise CanonicalValueError(open_containers[id(value)], f"contains itself (again at {path})")
        if depth == MAX_NESTING_DEPTH:
            raise CanonicalValueError(path, f"nested deeper than {MAX_NESTING_DEPTH} levels")
        open_containers[id(value)] = path
        if isinstance(value, Mapping):
            _write_object(value, path, depth + 1, parts, open_containers)
        else:
            _write_array(value, path, depth + 1, parts, open_containers)
        del open_containers[id(value)]
    elif isinstance(value, float):
        raise CanonicalValueError(path, f"floats are not allowed (got {value!r}); write decimals as strings")
    elif isinstance(value, Decimal):
        raise CanonicalValueError(path, f"Decimal {value} must be converted to a string with decimal_text()")
    else:
        raise CanonicalValueError(path, f"{type(value).__name__} is not a JSON value")


def _write_array(
    items: Sequence[object], path: str, depth: int, parts: list[str], open_containers: dict[int, str]
) -> None:
    parts.append("[")
    for index, item in enumerate(items):
        if index:
            parts.append(",")
        _write_value(item, f"{path}[{index}]", depth, parts, open_containers)
    parts.append("]")


def _write_object(
    members: Mapping[object, object], path: str, depth: int, parts: list[str], open_containers: dict[int, str]
) -> None:
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
        _write_value(by_key[key], f"{path}.{key}", depth, parts, open_containers)
    parts.append("}")


def _nfc(text: str, path: str, role: str) -> str:
    if _SURROGATE.search(text):
        raise CanonicalValueError(path, f"{role} {text!r} holds a lone surrogate, which is not Unicode text")
    return unicodedata.normalize("NFC", text)


def _quoted(text: str) -> str:
    return '"' + text.translate(_ESCAPES) + '"'
