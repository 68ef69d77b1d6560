"""Specification of ledger.canonical: RFC 8785 bytes under the ledger's profile (no floats, NFC strings)."""

from __future__ import annotations

import json
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import canonical
from ledger.canonical import MAX_NESTING_DEPTH, MAX_SAFE_INTEGER, canonical_bytes, decimal_text
from ledger.errors import CanonicalError, CanonicalValueError

DATA = Path(__file__).parent.parent / "data" / "canonical"
VECTORS = json.loads((DATA / "vectors.json").read_text(encoding="utf-8"))["cases"]
DECIMAL_TEXT = json.loads((DATA / "decimal_text.json").read_text(encoding="utf-8"))

# Derandomised so every run checks the same examples.
PROPERTY = settings(derandomize=True, deadline=None, max_examples=300)

# Characters where encoders tend to go wrong.
TRICKY_CHARACTERS = [
    *"\x00\x08\t\n\x0b\x0c\r\x1f",  # C0 controls, with and without a short escape
    *'"\\/\x7f\x80',  # quote, backslash, solidus, DEL, a C1 control
    *"\u00e9\u0301\u0307\u0323",  # a precomposed letter and combining marks NFC reorders
    "e\u0301",  # decomposed é
    *"\u212b\ufb33",  # characters NFC replaces (ANGSTROM SIGN, a composition exclusion)
    *"\u2028\u2029\ufeff\uffff\u4e07",  # separators JavaScript once broke on, BOM, noncharacter, CJK
    *"\U00010000\U0001f600\U0010ffff",  # astral plane: first character, an emoji, last code point
    "\U0001f469\u200d\U0001f52c",  # an emoji ZWJ sequence
]
any_text = st.text(st.characters(blacklist_categories=("Cs",)) | st.sampled_from(TRICKY_CHARACTERS))
nfc_text = any_text.map(lambda text: unicodedata.normalize("NFC", text))
safe_integers = st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)


def json_values(text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    """JSON values without floats whose strings (keys too) come from `text`."""
    return st.recursive(
        st.none() | st.booleans() | safe_integers | text,
        lambda children: st.lists(children, max_size=5) | st.dictionaries(text, children, max_size=5),
        max_leaves=30,
    )


json_values_in_nfc = json_values(nfc_text)


def nfc_everywhere(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc_everywhere(key): nfc_everywhere(member) for key, member in value.items()}
    if isinstance(value, list):
        return [nfc_everywhere(item) for item in value]
    return value


@pytest.mark.parametrize("case", VECTORS, ids=lambda case: case["desc"][:60])
def test_given_known_answer_vector_when_encoded_then_bytes_are_exactly_the_wanted_text(case: Any) -> None:
    assert canonical_bytes(case["value"]) == case["want"].encode("utf-8")


@pytest.mark.parametrize(
    "case", [case for case in VECTORS if not case["nfc_changes_it"]], ids=lambda case: case["desc"][:60]
)
def test_given_vector_already_in_nfc_when_encoded_then_rfc8785_package_agrees(case: Any) -> None:
    assert canonical_bytes(case["value"]) == rfc8785.dumps(case["value"])


@pytest.mark.parametrize(
    "case", [case for case in VECTORS if case["nfc_changes_it"]], ids=lambda case: case["desc"][:60]
)
def test_given_vector_not_in_nfc_when_encoded_then_it_differs_from_plain_rfc8785_by_nfc_alone(
    case: Any,
) -> None:
    ours = canonical_bytes(case["value"])
    assert ours != rfc8785.dumps(case["value"])
    assert ours == rfc8785.dumps(nfc_everywhere(case["value"]))


@PROPERTY
@given(json_values_in_nfc)
def test_given_json_in_nfc_without_floats_when_encoded_then_rfc8785_package_agrees(value: Any) -> None:
    assert canonical_bytes(value) == rfc8785.dumps(value)


@PROPERTY
@given(any_text)
def test_given_any_string_when_encoded_then_it_is_plain_rfc8785_of_its_nfc_form(text: str) -> None:
    assert canonical_bytes(text) == rfc8785.dumps(unicodedata.normalize("NFC", text))


@PROPERTY
@given(st.lists(st.sampled_from(TRICKY_CHARACTERS), max_size=12).map("".join))
def test_given_strings_built_from_tricky_characters_when_encoded_then_rfc8785_of_nfc_agrees(
    text: str,
) -> None:
    normalised = unicodedata.normalize("NFC", text)
    assert canonical_bytes({text: [text]}) == rfc8785.dumps({normalised: [normalised]})


@PROPERTY
@given(json_values(any_text))
def test_given_any_json_when_encoded_then_parsing_back_gives_its_nfc_form_and_reencoding_is_stable(
    value: Any,
) -> None:
    try:
        encoded = canonical_bytes(value)
    except CanonicalValueError as e:
        # Two keys of one object that differ only in normalisation: the one refusal NFC brings.
        assert "same after NFC" in e.reason
        return
    assert json.loads(encoded) == nfc_everywhere(value)
    assert canonical_bytes(json.loads(encoded)) == encoded


@PROPERTY
@given(json_values_in_nfc)
def test_given_tuples_and_read_only_mappings_when_encoded_then_bytes_equal_those_of_lists_and_dicts(
    value: Any,
) -> None:
    def frozen(item: Any) -> Any:
        if isinstance(item, dict):
            return MappingProxyType({key: frozen(member) for key, member in item.items()})
        if isinstance(item, list):
            return tuple(frozen(member) for member in item)
        return item

    assert canonical_bytes(frozen(value)) == canonical_bytes(value)


REJECTED = [
    pytest.param(1.5, "$", id="a float at the top"),
    pytest.param(3.0, "$", id="an integral float"),
    pytest.param(
        {"receipt": {"factor": {"value": 0.5}}}, "$.receipt.factor.value", id="a float deep in objects"
    ),
    pytest.param({"a": [1, 2.0]}, "$.a[1]", id="a float inside an array"),
    pytest.param(float("nan"), "$", id="NaN"),
    pytest.param({"x": float("inf")}, "$.x", id="Infinity"),
    pytest.param([float("-inf")], "$[0]", id="-Infinity"),
    pytest.param({"q": Decimal("1.5")}, "$.q", id="a Decimal"),
    pytest.param(Decimal("NaN"), "$", id="a Decimal NaN"),
    pytest.param(2**53, "$", id="2**53"),
    pytest.param({"n": -(2**53)}, "$.n", id="-(2**53)"),
    pytest.param({1: "one"}, "$", id="an int key"),
    pytest.param({True: "yes"}, "$", id="a bool key"),
    pytest.param({"a": {None: 1}}, "$.a", id="a None key, one level down"),
    pytest.param({b"k": 1}, "$", id="a bytes key"),
    pytest.param(["ok", "\ud83d"], "$[1]", id="a lone high surrogate in a string"),
    pytest.param({"\ude00": 1}, "$", id="a lone low surrogate in a key"),
    pytest.param({"e\u0301": 1, "\u00e9": 2}, "$", id="keys equal after NFC"),
    pytest.param({"x": {"\u212b": 1, "\u00c5": 2}}, "$.x", id="keys equal after NFC, one level down"),
    pytest.param(b"abc", "$", id="bytes"),
    pytest.param({"s": {1, 2}}, "$.s", id="a set"),
    pytest.param([frozenset()], "$[0]", id="a frozenset"),
    pytest.param(1j, "$", id="a complex number"),
    pytest.param({"o": object()}, "$.o", id="an arbitrary object"),
]


@pytest.mark.parametrize("value, path", REJECTED)
def test_given_value_outside_the_profile_when_encoded_then_canonical_error_names_its_path(
    value: Any, path: str
) -> None:
    with pytest.raises(CanonicalValueError) as caught:
        canonical_bytes(value)
    assert caught.value.path == path
    assert str(caught.value).startswith(f"{path}: ")


def test_given_a_refusal_when_caught_then_it_is_a_canonical_error_a_ledger_error_and_a_value_error() -> None:
    with pytest.raises(CanonicalError) as caught:
        canonical_bytes(0.1)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)


floats_at_any_depth = st.recursive(
    st.floats(),
    lambda children: (
        st.lists(children, min_size=1, max_size=3)
        | st.dictionaries(nfc_text, children, min_size=1, max_size=3)
    ),
    max_leaves=10,
)


@PROPERTY
@given(floats_at_any_depth)
def test_given_floats_at_any_depth_when_encoded_then_refused(value: Any) -> None:
    with pytest.raises(CanonicalValueError, match="floats are not allowed"):
        canonical_bytes(value)


def test_given_largest_safe_integers_when_encoded_then_accepted_and_one_beyond_refused() -> None:
    assert canonical_bytes([2**53 - 1, -(2**53 - 1)]) == b"[9007199254740991,-9007199254740991]"
    with pytest.raises(CanonicalValueError):
        canonical_bytes(2**53)


def _nested_lists(levels: int) -> list[Any]:
    nested: list[Any] = []
    for _ in range(levels - 1):
        nested = [nested]
    return nested


def test_given_containers_nested_to_the_limit_when_encoded_then_accepted_and_one_level_more_refused() -> None:
    assert canonical_bytes(_nested_lists(MAX_NESTING_DEPTH)) == b"[" * 64 + b"]" * 64
    with pytest.raises(CanonicalValueError, match="nested deeper than 64 levels") as caught:
        canonical_bytes({"a": _nested_lists(MAX_NESTING_DEPTH)})
    assert caught.value.path == "$.a" + "[0]" * 63


def test_given_nesting_far_beyond_the_stack_when_encoded_then_canonical_error_not_recursion_error() -> None:
    with pytest.raises(CanonicalValueError, match="nested deeper"):
        canonical_bytes(_nested_lists(100_000))


def test_given_a_list_that_contains_itself_when_encoded_then_canonical_error() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(CanonicalValueError, match="contains itself"):
        canonical_bytes(loop)


@pytest.mark.parametrize(
    "case", DECIMAL_TEXT["cases"], ids=[case["decimal"][:30] for case in DECIMAL_TEXT["cases"]]
)
def test_given_decimal_when_written_then_normalised_plain_notation(case: dict[str, str]) -> None:
    assert decimal_text(Decimal(case["decimal"])) == case["want"]


@pytest.mark.parametrize("text", DECIMAL_TEXT["rejected"])
def test_given_nan_or_infinity_when_written_then_canonical_error(text: str) -> None:
    with pytest.raises(CanonicalError, match="not a finite decimal"):
        decimal_text(Decimal(text))


@pytest.mark.parametrize("value", [1.5, 2, True, "1.5", None])
def test_given_something_other_than_a_decimal_when_written_then_canonical_error(value: Any) -> None:
    with pytest.raises(CanonicalError, match="expected a Decimal"):
        decimal_text(value)


PLAIN_NORMALISED = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?")
decimals_of_every_shape = st.builds(
    lambda sign, digits, exponent: Decimal((sign, tuple(digits), exponent)),
    st.integers(0, 1),
    st.lists(st.integers(0, 9), min_size=1, max_size=40),
    st.integers(-40, 40),
)


@PROPERTY
@given(decimals_of_every_shape)
def test_given_any_finite_decimal_when_written_then_exact_plain_normalised_and_stable(
    quantity: Decimal,
) -> None:
    text = decimal_text(quantity)
    assert Decimal(text) == quantity
    assert PLAIN_NORMALISED.fullmatch(text) and text != "-0"
    assert decimal_text(Decimal(text)) == text


# The encoder has two routes (see ledger.canonical): the standard library's C encoder where it cannot differ,
# and the exact route that writes every token. Whatever the value, they must give the same bytes.
integers_near_the_limits = st.sampled_from([MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER, 2**53, -(2**53), 2**64, 0, -1])
json_and_beyond = st.recursive(
    st.none() | st.booleans() | safe_integers | integers_near_the_limits | st.floats() | any_text,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=4).map(tuple)
        | st.dictionaries(any_text | st.integers(0, 3), children, max_size=4)
    ),
    max_leaves=25,
)


def _exact_route(value: Any) -> bytes | CanonicalValueError:
    try:
        return canonical._exact_bytes(value)
    except CanonicalValueError as e:
        return e


@PROPERTY
@given(json_and_beyond)
def test_given_any_value_when_the_standard_encoder_route_answers_then_its_bytes_are_those_of_the_exact_route(
    value: Any,
) -> None:
    fast = canonical._fast_bytes(value)
    exact = _exact_route(value)
    if isinstance(exact, bytes):
        assert fast in (None, exact)
        assert canonical_bytes(value) == exact
    else:
        assert fast is None


@PROPERTY
@given(json_values_in_nfc)
def test_given_json_in_nfc_when_encoded_then_both_routes_give_the_bytes_of_the_rfc8785_package(value: Any) -> None:
    expected = rfc8785.dumps(value)
    assert canonical._exact_bytes(value) == expected
    assert canonical._fast_bytes(value) in (None, expected)


@pytest.mark.parametrize("name", sorted(path.name for path in (DATA.parent / "record").glob("*.canonical.json")))
def test_given_a_record_as_plain_json_when_encoded_then_the_standard_encoder_route_answers(name: str) -> None:
    record_text = (DATA.parent / "record" / name).read_bytes()
    assert canonical._fast_bytes(json.loads(record_text)) == record_text


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"\U0001f600": 1, "\ufb33": 2}, id="keys whose code point and UTF-16 orders differ"),
        pytest.param({"k": "e\u0301"}, id="a string not in NFC"),
        pytest.param(["\n\u0301"], id="an escape followed by a combining mark"),
        pytest.param({1: "one"}, id="a non-string key"),
        pytest.param([2**53], id="an integer out of range"),
        pytest.param(MappingProxyType({"a": 1}), id="a read-only mapping"),
        pytest.param(_nested_lists(MAX_NESTING_DEPTH + 1), id="nesting beyond the limit"),
    ],
)
def test_given_a_value_the_standard_encoder_could_get_wrong_when_encoded_then_the_exact_route_does_it(
    value: Any,
) -> None:
    assert canonical._fast_bytes(value) is None
