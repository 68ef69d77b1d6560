"""3D codes: the unique, human-readable name of an emission record — who · when · what, a serial, a check.

Syntax (ASCII, upper case, safe in a URL path)::

    ACCOUNT[.FACILITY]-PERIOD-<scope><CATEGORY>.<SOURCE>-SERIAL-C
    QZ0001.F01-2025M03-1SC.NG-00042-5

- ACCOUNT: 3 to 6 letters or digits, starting with a letter; FACILITY (optional): 3 to 6 letters or digits.
- PERIOD: `2025`, `2025Q1`, `2025M03` or `20250314` (see ledger.period).
- scope: one digit, 1, 2 or 3; CATEGORY and SOURCE: 1 to 6 letters or digits, each starting with a letter.
- SERIAL: 1 to 999999999, zero-padded to five digits (`00042`, `123456`); one text per number.
- C: the check character, one of 0-9 A-Z.

Parsing accepts lower case and surrounding whitespace; everything else must be exactly as written above.

The check character catches every single-character substitution and every adjacent transposition, including
those that touch a separator, in three layers:

1. Arithmetic. The alphanumeric characters are fed, as values 0..35, through the Damm scheme over a totally
   anti-symmetric quasigroup of order 36: the direct product of x*y = w·x + y over GF(4) and x*y = y - x
   over Z9, with the interim starting at 0 and the check being the value that brings it back to 0. Rows
   and columns are permutations, so one changed value changes the result for good; and (c*a)*b = (c*b)*a
   forces (w + 1)(a - b) = 0 in GF(4) and 2(a - b) = 0 in Z9, so a = b: swapping two different adjacent
   values changes it too. ISO 7064 MOD 37,36 was the obvious choice but misses some adjacent
   transpositions (`IJ` and `JI` share its check character), so it cannot give that guarantee.
2. Folding in the separators. Each character's value is shifted by the number of separators before it, so a
   character moved across a separator (a transposition with it) changes exactly one value.
3. Grammar. There are always exactly four `-`, so a substitution that creates or destroys one does not
   parse. A `.` stands exactly once in the what part, at most once in the who part and nowhere else; the
   length limits make sure that no valid account splits into account.facility by one `.`, and no
   account.facility merges into one valid account (3 + 1 + 3 > 6). The check character is a part of its
   own, so moving a character across the last `-` leaves a check part of length 0 or 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ledger.errors import CheckCharacterError, CodeError, CodeFormatError, PeriodError
from ledger.period import Period

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PART_SEPARATOR = "-"
INNER_SEPARATOR = "."
MAX_SERIAL = 999_999_999
SERIAL_MIN_DIGITS = 5

_PART_NAMES = ("who", "period", "what", "serial", "check")
_SCOPE_BY_DIGIT = {"1": 1, "2": 2, "3": 3}
_SCOPE_RULE = "is not 1, 2 or 3"
_ILLEGAL_CHARACTER = re.compile(r"[^0-9A-Za-z.\-]")
_DIGITS = re.compile(r"[0-9]+")

# GF(4) = {0, 1, w, w+1} as 2-bit polynomials over GF(2), with w·w = w + 1; multiplying by w permutes them.
_GF4_TIMES_W = (0, 2, 3, 1)


def _quasigroup(interim: int, value: int) -> int:
    """x*y for x = 9·x1 + x2 and y = 9·y1 + y2: (w·x1 + y1 in GF(4), y2 - x2 in Z9)."""
    return 9 * (_GF4_TIMES_W[interim // 9] ^ (value // 9)) + (value - interim) % 9


_QUASIGROUP = tuple(tuple(_quasigroup(interim, value) for value in range(36)) for interim in range(36))
# The check value is the one that brings the interim back to 0.
_CHECK_VALUE = tuple(row.index(0) for row in _QUASIGROUP)
_SEPARATORS = re.escape(PART_SEPARATOR + INNER_SEPARATOR)
_SEPARATOR = re.compile(f"[{_SEPARATORS}]".encode("ascii"))
_ILLEGAL_IN_PAYLOAD = re.compile(f"[^{ALPHABET}{_SEPARATORS}]")
# For each number of separators before a character (mod 36), a table turning its byte into its shifted value.
_SHIFTED_VALUES = tuple(
    bytes.maketrans(ALPHABET.encode("ascii"), bytes((value + shift) % len(ALPHABET) for value in range(len(ALPHABET))))
    for shift in range(len(ALPHABET))
)


@dataclass(frozen=True)
class _TextRule:
    pattern: re.Pattern[str]
    description: str

    def require(self, part: str, value: object) -> None:
        if not isinstance(value, str) or self.pattern.fullmatch(value) is None:
            raise CodeFormatError(part, f"{value!r} {self.description}")


# 3 + 1 + 3 > 6: one `.` can neither split a valid account nor merge account.facility into one.
_ACCOUNT_RULE = _TextRule(
    re.compile(r"[A-Z][A-Z0-9]{2,5}"), "must be 3 to 6 letters or digits, starting with a letter"
)
_FACILITY_RULE = _TextRule(re.compile(r"[A-Z0-9]{3,6}"), "must be 3 to 6 letters or digits")
_TOKEN_RULE = _TextRule(
    re.compile(r"[A-Z][A-Z0-9]{0,5}"), "must be 1 to 6 letters or digits, starting with a letter"
)


def check_character(payload: str) -> str:
    """The check character of `payload`, the code text before its last `-` (upper case, no check part)."""
    illegal = _ILLEGAL_IN_PAYLOAD.search(payload)
    if illegal is not None:
        raise CodeFormatError("payload", f"illegal character {illegal.group()!r} at position {illegal.start() + 1}")
    # Codes that differ only in their serial share everything before its `-`, so that part's state is remembered.
    head, separator, serial_part = payload.rpartition(PART_SEPARATOR)
    interim, separators_before = _folded_head(head) if separator else (0, 0)
    interim, _ = _folded(serial_part, interim, separators_before)
    return ALPHABET[_CHECK_VALUE[interim]]


@lru_cache(maxsize=16384)
def _folded_head(head: str) -> tuple[int, int]:
    """The interim after `head`, and the separators before what follows it (counting the `-` after it)."""
    interim, separators = _folded(head, 0, 0)
    return interim, separators + 1


def _folded(text: str, interim: int, separators_before: int) -> tuple[int, int]:
    """The interim after feeding `text` from `interim`, and the separators it holds, the first piece of it being
    behind `separators_before` separators."""
    pieces = _SEPARATOR.split(text.encode("ascii"))
    for separators, piece in enumerate(pieces, start=separators_before):
        # One translate call turns a piece into the column indices of the quasigroup.
        for shifted_value in piece.translate(_SHIFTED_VALUES[separators % len(ALPHABET)]):
            interim = _QUASIGROUP[interim][shifted_value]
    return interim, len(pieces) - 1


@dataclass(frozen=True)
class ThreeDCode:
    """The 3D code of one emission record; constructing one checks every field against the syntax."""

    account: str
    facility: str | None
    period: Period
    scope: int
    category: str
    source: str
    serial: int

    def __post_init__(self) -> None:
        _ACCOUNT_RULE.require("account", self.account)
        if self.facility is not None:
            _FACILITY_RULE.require("facility", self.facility)
        if not isinstance(self.period, Period):
            raise CodeFormatError("period", f"{self.period!r} is not a Period")
        if type(self.scope) is not int or self.scope not in _SCOPE_BY_DIGIT.values():
            raise CodeFormatError("scope", f"{self.scope!r} {_SCOPE_RULE}")
        _TOKEN_RULE.require("category", self.category)
        _TOKEN_RULE.require("source", self.source)
        _require_serial(self.serial)

    @classmethod
    def parse(cls, text: str) -> ThreeDCode:
        """The code written as `text`, in any letter case and with surrounding whitespace ignored.

        Raises CodeFormatError naming the part that breaks the syntax, or CheckCharacterError when the
        code is well formed but its check character does not fit.
        """
        parts = _normalise(text).split(PART_SEPARATOR)
        if len(parts) != len(_PART_NAMES):
            layout = PART_SEPARATOR.join(_PART_NAMES)
            raise CodeFormatError("code", f"expected {len(_PART_NAMES)} parts {layout}, got {len(parts)}")
        who, when, what, serial_text, check = parts
        account, facility = _split_who(who)
        scope, category, source = _split_what(what)
        serial = _parse_serial(serial_text)
        code = cls(account, facility, _parse_period(when), scope, category, source, serial)
        if serial_text != _format_serial(serial):
            raise CodeFormatError("serial", f"{serial_text!r} must be written {_format_serial(serial)!r}")
        if len(check) != 1:
            raise CodeFormatError("check", f"{check!r} is not a single character")
        if check != check_character(code.payload):
            raise CheckCharacterError("check: character does not fit; the code was mistyped or altered")
        return code

    @property
    def payload(self) -> str:
        """The code text without its check part: what the check character is computed over."""
        who = self.account if self.facility is None else f"{self.account}{INNER_SEPARATOR}{self.facility}"
        what = f"{self.scope}{self.category}{INNER_SEPARATOR}{self.source}"
        return PART_SEPARATOR.join((who, self.period.text, what, _format_serial(self.serial)))

    @property
    def text(self) -> str:
        """The full code, e.g. `QZ0001.F01-2025M03-1SC.NG-00042-5`."""
        payload = self.payload
        return f"{payload}{PART_SEPARATOR}{check_character(payload)}"

    def __str__(self) -> str:
        return self.text


class CodeStem:
    """What the codes differing from `code` only in their serial share: everything before the serial.

    `stem.code(serial)` is the text of ThreeDCode(..., serial) with the other fields of `code`, the check
    state of the shared part worked out once.
    """

    __slots__ = ("_head", "_interim", "_separators_before")

    def __init__(self, code: ThreeDCode) -> None:
        head = code.payload.rpartition(PART_SEPARATOR)[0]
        self._head = head + PART_SEPARATOR
        self._interim, self._separators_before = _folded_head(head)

    def code(self, serial: int) -> str:
        """The text of this stem's code with `serial`; CodeFormatError if the serial is out of range."""
        _require_serial(serial)
        serial_text = _format_serial(serial)
        interim, _ = _folded(serial_text, self._interim, self._separators_before)
        return f"{self._head}{serial_text}{PART_SEPARATOR}{ALPHABET[_CHECK_VALUE[interim]]}"


def is_valid(text: str) -> bool:
    """Whether `text` parses as a 3D code with a fitting check character."""
    try:
        ThreeDCode.parse(text)
    except CodeError:
        return False
    return True


def _normalise(text: str) -> str:
    stripped = text.strip()
    if not stripped:
        raise CodeFormatError("code", "empty")
    illegal = _ILLEGAL_CHARACTER.search(stripped)
    if illegal is not None:
        position = illegal.start() + 1
        raise CodeFormatError("code", f"illegal character {illegal.group()!r} at position {position}")
    return stripped.upper()


def _split_who(who: str) -> tuple[str, str | None]:
    pieces = who.split(INNER_SEPARATOR)
    if len(pieces) > 2:
        raise CodeFormatError("who", f"{who!r} is not <account> or <account>.<facility>")
    return pieces[0], pieces[1] if len(pieces) == 2 else None


def _split_what(what: str) -> tuple[int, str, str]:
    pieces = what.split(INNER_SEPARATOR)
    if len(pieces) != 2:
        raise CodeFormatError("what", f"{what!r} is not <scope><category>.<source>, e.g. '1SC.NG'")
    scope_and_category, source = pieces
    scope_text = scope_and_category[:1]
    if scope_text not in _SCOPE_BY_DIGIT:
        raise CodeFormatError("scope", f"{scope_text!r} {_SCOPE_RULE}")
    return _SCOPE_BY_DIGIT[scope_text], scope_and_category[1:], source


def _parse_period(text: str) -> Period:
    try:
        return Period.parse(text)
    except PeriodError as e:
        raise CodeFormatError("period", e.reason) from e


def _parse_serial(text: str) -> int:
    if _DIGITS.fullmatch(text) is None:
        raise CodeFormatError("serial", f"{text!r} is not a number")
    if len(text) > len(str(MAX_SERIAL)):
        raise CodeFormatError("serial", f"{text!r} is too long: at most {len(str(MAX_SERIAL))} digits")
    return int(text)


def _require_serial(serial: object) -> None:
    if type(serial) is not int or not 1 <= serial <= MAX_SERIAL:
        raise CodeFormatError("serial", f"{serial!r} is not a whole number from 1 to {MAX_SERIAL}")


def _format_serial(serial: int) -> str:
    return f"{serial:0{SERIAL_MIN_DIGITS}d}"
