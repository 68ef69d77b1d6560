"""Typed, bounded reading of request input: query parameters, hashes and JSON bodies.

Everything here raises RequestError naming the parameter or field and saying what is wrong, which the error
handlers turn into a 400 response.
"""

from __future__ import annotations

import base64
import json
import re
from typing import NoReturn

from flask import request

from ledger.errors import PeriodError, RequestError
from ledger.hasher import HASH_SIZE
from ledger.period import Period
from webapp.record_lookup import RecordFilter

# Sizes and indices are stored as signed 64-bit integers.
MAX_INDEX = 2**63 - 1
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_HEX_HASH = re.compile(r"[0-9a-fA-F]{64}")
_BASE64_HASH_LENGTH = 44
MAX_ACCOUNT_LENGTH = 64
DEFAULT_LISTING_LIMIT = 20
MAX_LISTING_LIMIT = 100


def _single(name: str) -> str | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        raise RequestError(name, f"given {len(values)} times; give it once")
    return values[0] if values else None


def int_parameter(name: str, *, minimum: int = 0, maximum: int = MAX_INDEX) -> int:
    """The required query parameter `name` as a whole number in [minimum, maximum]."""
    value = optional_int_parameter(name, minimum=minimum, maximum=maximum)
    if value is None:
        raise RequestError(name, "is required")
    return value


def optional_int_parameter(name: str, *, minimum: int = 0, maximum: int = MAX_INDEX) -> int | None:
    text = _single(name)
    if text is None:
        return None
    if len(text) > len(str(MAX_INDEX)) or not _DECIMAL.fullmatch(text):
        raise RequestError(name, f"{text[:40]!r} is not a whole number in plain decimal digits")
    value = int(text)
    if not minimum <= value <= maximum:
        raise RequestError(name, f"{value} is outside {minimum}..{maximum}")
    return value


def text_parameter(name: str, *, max_length: int) -> str | None:
    """The optional query parameter `name`, stripped; None when absent or empty."""
    text = _single(name)
    if text is None or not text.strip():
        return None
    if len(text) > max_length:
        raise RequestError(name, f"is longer than {max_length} characters")
    return text.strip()


def hash_parameter(name: str) -> bytes:
    """The required query parameter `name` as a SHA-256 hash written in hex or base64."""
    text = _single(name)
    if text is None:
        raise RequestError(name, "is required")
    return decode_hash(name, text)


def decode_hash(field: str, text: str) -> bytes:
    """A 32-byte hash from 64 hex digits or 44 characters of standard base64 (the two cannot be confused)."""
    if _HEX_HASH.fullmatch(text):
        return bytes.fromhex(text)
    if len(text) == _BASE64_HASH_LENGTH:
        try:
            value = base64.b64decode(text, validate=True)
        except ValueError:  # binascii.Error, or characters outside ASCII
            pass
        else:
            if len(value) == HASH_SIZE:
                return value
    raise RequestError(field, f"must be a {HASH_SIZE}-byte hash as 64 hex digits or 44 characters of base64")


def json_body() -> object:
    """The request body parsed as JSON; NaN, Infinity and nesting deep enough to exhaust the parser are refused."""
    if not request.is_json:
        raise RequestError("body", "must be JSON, sent with Content-Type: application/json")
    try:
        return json.loads(request.get_data(), parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise RequestError("body", f"is not valid JSON: {error}") from error


def _refuse_constant(constant: str) -> NoReturn:
    raise ValueError(f"{constant} is not JSON")


def listing_parameters() -> tuple[RecordFilter, int, int]:
    """The record filter (`account`, `period`), `start` leaf index and `limit` of a records listing."""
    account = text_parameter("account", max_length=MAX_ACCOUNT_LENGTH)
    period_text = text_parameter("period", max_length=len("20250314"))
    try:
        period = None if period_text is None else Period.parse(period_text)
    except PeriodError as error:
        raise RequestError("period", error.reason) from error
    start = optional_int_parameter("start")
    limit = optional_int_parameter("limit", minimum=1, maximum=MAX_LISTING_LIMIT)
    return (
        RecordFilter(account, period),
        0 if start is None else start,
        DEFAULT_LISTING_LIMIT if limit is None else limit,
    )
