"""Specification of 3D codes: the syntax, the check character, parsing, and the errors for texts that are not codes."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import errors
from ledger.code import (
    ALPHABET,
    INNER_SEPARATOR,
    MAX_SERIAL,
    PART_SEPARATOR,
    CodeStem,
    ThreeDCode,
    check_character,
    is_valid,
)
from ledger.errors import CheckCharacterError, CodeError, CodeFormatError, LedgerError
from ledger.period import Period, PeriodKind
from tests.ledger.test_period import periods

DATA = Path(__file__).parent.parent / "data" / "code"
DETERMINISTIC = settings(derandomize=True, database=None, deadline=None, max_examples=300)
LETTERS = ALPHABET[10:]
SEPARATORS = PART_SEPARATOR + INNER_SEPARATOR
CODE_ALPHABET = ALPHABET + SEPARATORS


def _cases(file_name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((DATA / file_name).read_text(encoding="utf-8"))["cases"]
    return cases


def _by_desc(case: dict[str, Any]) -> str:
    return str(case["desc"])


def _gf4_multiply(left: int, right: int) -> int:
    """Product in GF(4) = GF(2)[w] / (w^2 + w + 1), elements as 2-bit polynomials."""
    product = 0
    for bit in range(2):
        if right >> bit & 1:
            product ^= left << bit
    return product ^ 0b111 if product & 0b100 else product


def _reference_check_character(payload: str) -> str:
    """The check character restated as weighted sums, independent of the quasigroup table in ledger.code.

    With x*y = a·x + y the interim after values v_0..v_(n-1) is the sum of a^(n-1-k)·v_k, and the check is
    -a·interim: in GF(4) (a = w) the sum of w^(n-k)·v_k, in Z9 (a = -1) the sum of (-1)^(n-k+1)·v_k.
    """
    values = []
    separators_before = 0
    for char in payload:
        if char in SEPARATORS:
            separators_before += 1
        else:
            values.append((ALPHABET.index(char) + separators_before) % 36)
    gf4_sum = 0
    z9_sum = 0
    for k, value in enumerate(values):
        weight = 1
        for _ in range(len(values) - k):
            weight = _gf4_multiply(weight, 0b10)
        gf4_sum ^= _gf4_multiply(weight, value // 9)
        z9_sum += (-1) ** (len(values) - k + 1) * (value % 9)
    return ALPHABET[9 * gf4_sum + z9_sum % 9]


def _token(rng: random.Random, first_characters: str, length: int) -> str:
    return rng.choice(first_characters) + "".join(rng.choice(ALPHABET) for _ in range(length - 1))


def _varied_codes(count: int) -> list[ThreeDCode]:
    """Codes drawn from a fixed seed, so every run tries the same ones."""
    rng = random.Random(7064)
    codes = []
    for _ in range(count):
        kind = rng.choice(list(PeriodKind))
        year = rng.randint(1, 9999)
        first_day = {
            PeriodKind.YEAR: date(year, 1, 1),
            PeriodKind.QUARTER: date(year, rng.choice((1, 4, 7, 10)), 1),
            PeriodKind.MONTH: date(year, rng.randint(1, 12), 1),
            PeriodKind.DAY: date.fromordinal(rng.randint(1, date.max.toordinal())),
        }[kind]
        codes.append(
            ThreeDCode(
                account=_token(rng, LETTERS, rng.randint(3, 6)),
                facility=None if rng.random() < 0.3 else _token(rng, ALPHABET, rng.randint(3, 6)),
                period=Period(kind, first_day),
                scope=rng.randint(1, 3),
                category=_token(rng, LETTERS, rng.randint(1, 6)),
                source=_token(rng, LETTERS, rng.randint(1, 6)),
                serial=rng.randint(1, 10 ** rng.randint(5, 9) - 1),
            )
        )
    return codes


SAMPLE = _varied_codes(240)


def _substitutions(text: str) -> Iterator[str]:
    for position, original in enumerate(text):
        for replacement in CODE_ALPHABET:
            if replacement != original:
                yield text[:position] + replacement + text[position + 1 :]


def _transpositions(text: str) -> Iterator[str]:
    for position in range(len(text) - 1):
        left, right = text[position], text[position + 1]
        if left != right:
            yield text[:position] + right + left + text[position + 2 :]


codes = st.builds(
    ThreeDCode,
    account=st.from_regex(r"[A-Z][A-Z0-9]{2,5}", fullmatch=True),
    facility=st.none() | st.from_regex(r"[A-Z0-9]{3,6}", fullmatch=True),
    period=periods(),
    scope=st.integers(1, 3),
    category=st.from_regex(r"[A-Z][A-Z0-9]{0,5}", fullmatch=True),
    source=st.from_regex(r"[A-Z][A-Z0-9]{0,5}", fullmatch=True),
    serial=st.integers(1, MAX_SERIAL),
)


# Known answers


@pytest.mark.parametrize("case", _cases("check_characters.json"), ids=_by_desc)
def test_given_known_payload_when_checked_then_check_character_is_known(case: dict[str, Any]) -> None:
    assert check_character(case["payload"]) == case["check"]
    assert _reference_check_character(case["payload"]) == case["check"]


@pytest.mark.parametrize("case", _cases("known_codes.json"), ids=_by_desc)
def test_given_known_fields_when_written_then_text_is_the_known_code(case: dict[str, Any]) -> None:
    code = ThreeDCode(
        account=case["account"],
        facility=case["facility"],
        period=Period.parse(case["period"]),
        scope=case["scope"],
        category=case["category"],
        source=case["source"],
        serial=case["serial"],
    )

    assert code.text == case["code"]
    assert str(code) == case["code"]
    assert code.payload == case["code"][:-2]


@pytest.mark.parametrize("case", _cases("known_codes.json"), ids=_by_desc)
def test_given_known_code_when_parsed_then_fields_are_known(case: dict[str, Any]) -> None:
    code = ThreeDCode.parse(case["code"])

    assert (code.account, code.facility, code.period.text) == (case["account"], case["facility"], case["period"])
    assert (code.scope, code.category, code.source, code.serial) == (
        case["scope"],
        case["category"],
        case["source"],
        case["serial"],
    )
    assert is_valid(case["code"])


@DETERMINISTIC
@given(st.text(alphabet=CODE_ALPHABET, max_size=60))
def test_given_any_payload_when_checked_then_it_agrees_with_the_weighted_sum_reference(payload: str) -> None:
    assert check_character(payload) == _reference_check_character(payload)


# Detection: the check arithmetic, exhaustively over every interim state (a one-character prefix reaches each)


def test_given_any_state_when_one_character_is_substituted_then_the_check_character_changes() -> None:
    for prefix in ALPHABET:
        for suffix in ("", "7", "-Q"):
            checks = {check_character(prefix + char + suffix) for char in ALPHABET}
            assert len(checks) == len(ALPHABET), (prefix, suffix)


def _swaps_that_keep_the_check_character(pairs: list[tuple[str, str]]) -> list[str]:
    return [
        prefix + left + right
        for prefix in ALPHABET
        for left, right in pairs
        if check_character(prefix + left + right + "0") == check_character(prefix + right + left + "0")
    ]


def test_given_any_state_when_two_adjacent_characters_are_swapped_then_the_check_character_changes() -> None:
    pairs = [(left, right) for left in ALPHABET for right in ALPHABET if left != right]

    assert _swaps_that_keep_the_check_character(pairs) == []


def test_given_any_state_when_a_character_moves_across_a_separator_then_the_check_character_changes() -> None:
    pairs = [(char, separator) for char in ALPHABET for separator in SEPARATORS]

    assert _swaps_that_keep_the_check_character(pairs) == []


# Detection: whole codes, exhaustively over every single-character error in a varied sample


def test_given_the_sample_then_it_covers_every_period_kind_field_length_and_serial_width() -> None:
    assert len(SAMPLE) >= 200
    assert {code.period.kind for code in SAMPLE} == set(PeriodKind)
    assert {code.scope for code in SAMPLE} == {1, 2, 3}
    assert {code.facility is None for code in SAMPLE} == {True, False}
    assert {len(code.account) for code in SAMPLE} == {3, 4, 5, 6}
    assert {len(code.facility) for code in SAMPLE if code.facility is not None} == {3, 4, 5, 6}
    assert {len(code.category) for code in SAMPLE} == {1, 2, 3, 4, 5, 6}
    assert {len(code.source) for code in SAMPLE} == {1, 2, 3, 4, 5, 6}
    assert {len(code.text.split(PART_SEPARATOR)[3]) for code in SAMPLE} == {5, 6, 7, 8, 9}


def test_given_varied_codes_when_any_one_character_is_substituted_then_the_result_is_rejected() -> None:
    mutants = [mutant for code in SAMPLE for mutant in _substitutions(code.text)]
    accepted = [mutant for mutant in mutants if is_valid(mutant)]

    assert len(mutants) == sum(len(code.text) * (len(CODE_ALPHABET) - 1) for code in SAMPLE)
    assert accepted == []


def test_given_varied_codes_when_any_two_adjacent_characters_are_swapped_then_the_result_is_rejected() -> None:
    mutants = [mutant for code in SAMPLE for mutant in _transpositions(code.text)]
    accepted = [mutant for mutant in mutants if is_valid(mutant)]

    assert len(mutants) > 25 * len(SAMPLE)
    assert accepted == []


# Round trip


@DETERMINISTIC
@given(codes)
def test_given_any_code_when_its_text_is_parsed_then_the_same_code_comes_back(code: ThreeDCode) -> None:
    assert ThreeDCode.parse(code.text) == code


@DETERMINISTIC
@given(codes, st.sampled_from(["", " ", "\t", "\n  "]))
def test_given_any_code_when_typed_in_lower_case_with_whitespace_around_then_it_parses_the_same(
    code: ThreeDCode, whitespace: str
) -> None:
    assert ThreeDCode.parse(whitespace + code.text.lower() + whitespace) == code


@DETERMINISTIC
@given(codes)
def test_given_any_code_then_its_text_is_upper_case_ascii_safe_in_a_url_path(code: ThreeDCode) -> None:
    assert re.fullmatch(r"[0-9A-Z.\-]+", code.text)
    assert code.text.count(PART_SEPARATOR) == 4


# Errors


@pytest.mark.parametrize("case", _cases("invalid_codes.json"), ids=_by_desc)
def test_given_invalid_text_when_parsed_then_the_error_names_the_part_that_is_wrong(case: dict[str, Any]) -> None:
    with pytest.raises(getattr(errors, case["want_err"])) as raised:
        ThreeDCode.parse(case["code"])

    assert str(raised.value) == case["want_message"]
    assert not is_valid(case["code"])


def test_given_a_bad_period_in_a_code_when_parsed_then_the_period_error_is_the_cause() -> None:
    with pytest.raises(CodeFormatError) as raised:
        ThreeDCode.parse("QZ0001.F01-2025M13-1SC.NG-00042-5")

    assert raised.value.part == "period"
    assert isinstance(raised.value.__cause__, errors.PeriodError)


@pytest.mark.parametrize(
    ("field", "value", "want_message"),
    [
        ("account", "qz0001", "account: 'qz0001' must be 3 to 6 letters or digits, starting with a letter"),
        ("account", "QZ-001", "account: 'QZ-001' must be 3 to 6 letters or digits, starting with a letter"),
        ("facility", "F.01", "facility: 'F.01' must be 3 to 6 letters or digits"),
        ("facility", "", "facility: '' must be 3 to 6 letters or digits"),
        ("period", "2025M03", "period: '2025M03' is not a Period"),
        ("scope", 0, "scope: 0 is not 1, 2 or 3"),
        ("scope", 4, "scope: 4 is not 1, 2 or 3"),
        ("scope", "1", "scope: '1' is not 1, 2 or 3"),
        ("scope", True, "scope: True is not 1, 2 or 3"),
        ("category", "sc", "category: 'sc' must be 1 to 6 letters or digits, starting with a letter"),
        ("source", "NATGAS1", "source: 'NATGAS1' must be 1 to 6 letters or digits, starting with a letter"),
        ("serial", 0, "serial: 0 is not a whole number from 1 to 999999999"),
        ("serial", MAX_SERIAL + 1, "serial: 1000000000 is not a whole number from 1 to 999999999"),
        ("serial", True, "serial: True is not a whole number from 1 to 999999999"),
    ],
)
def test_given_a_bad_field_when_constructing_a_code_then_the_error_names_the_field(
    field: str, value: object, want_message: str
) -> None:
    fields: dict[str, object] = {
        "account": "QZ0001",
        "facility": "F01",
        "period": Period.parse("2025M03"),
        "scope": 1,
        "category": "SC",
        "source": "NG",
        "serial": 42,
    }
    fields[field] = value

    with pytest.raises(CodeFormatError) as raised:
        ThreeDCode(**fields)  # type: ignore[arg-type]  # wrong types are part of what is specified here

    assert str(raised.value) == want_message
    assert raised.value.part == field


def test_given_a_payload_with_a_lower_case_letter_when_checked_then_the_error_names_the_position() -> None:
    with pytest.raises(CodeFormatError) as raised:
        check_character("QZ0001.f01")

    assert str(raised.value) == "payload: illegal character 'f' at position 8"


def test_given_code_errors_then_callers_can_catch_them_as_ledger_or_value_errors() -> None:
    for error_class in (CodeFormatError, CheckCharacterError):
        assert issubclass(error_class, CodeError)
        assert issubclass(error_class, LedgerError)
        assert issubclass(error_class, ValueError)


# Code stems: every code of one account, facility, period and source, by serial


@settings(derandomize=True, deadline=None, max_examples=300)
@given(codes, st.integers(1, MAX_SERIAL))
def test_given_a_code_when_its_stem_writes_any_serial_then_the_text_is_that_of_the_full_code(
    code: ThreeDCode, serial: int
) -> None:
    text = CodeStem(code).code(serial)
    assert text == ThreeDCode(code.account, code.facility, code.period, code.scope, code.category, code.source,
                              serial).text
    assert ThreeDCode.parse(text).serial == serial


@pytest.mark.parametrize("serial", [0, MAX_SERIAL + 1, True, "7"])
def test_given_a_stem_when_a_serial_out_of_range_is_asked_for_then_code_format_error_names_the_serial(
    serial: object,
) -> None:
    stem = CodeStem(ThreeDCode("QZ0001", "F01", Period.parse("2025M03"), 1, "SC", "NG", 1))
    with pytest.raises(CodeFormatError) as caught:
        stem.code(serial)  # type: ignore[arg-type]
    assert caught.value.part == "serial"
