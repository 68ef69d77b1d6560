"""Specification of ledger.record: the frozen Record, its checks, canonical bytes, leaf hash and parsing."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from ledger.canonical import MAX_NESTING_DEPTH
from ledger.errors import RecordError
from ledger.hasher import hash_leaf
from ledger.record import Record
from tests.ledger.test_canonical import (
    PROPERTY,
    any_text,
    decimals_of_every_shape,
    floats_at_any_depth,
    json_values_in_nfc,
    nfc_everywhere,
    nfc_text,
)

DATA = Path(__file__).parent.parent / "data" / "record"
KNOWN_ANSWERS = json.loads((DATA / "known_answers.json").read_text(encoding="utf-8"))["cases"]
REJECTIONS = json.loads((DATA / "rejections.json").read_text(encoding="utf-8"))["cases"]
NATURAL_GAS_BYTES = (DATA / "natural_gas_combustion.canonical.json").read_bytes()
FIELD_NAMES = [field.name for field in dataclasses.fields(Record)]


@pytest.fixture
def natural_gas() -> Record:
    return Record.from_canonical_bytes(NATURAL_GAS_BYTES)


@pytest.mark.parametrize("case", KNOWN_ANSWERS, ids=[case["canonical_file"] for case in KNOWN_ANSWERS])
def test_given_known_answer_bytes_when_parsed_then_record_gives_back_identical_bytes_and_the_leaf_hash(
    case: dict[str, str],
) -> None:
    canonical = (DATA / case["canonical_file"]).read_bytes()
    record = Record.from_canonical_bytes(canonical)
    assert record.canonical_bytes() == canonical
    assert record.leaf_hash().hex() == case["leaf_hash"]
    assert record.leaf_hash() == hash_leaf(canonical)


@pytest.mark.parametrize("case", KNOWN_ANSWERS, ids=[case["canonical_file"] for case in KNOWN_ANSWERS])
def test_given_known_answer_bytes_when_recanonicalised_by_rfc8785_package_then_unchanged(
    case: dict[str, str],
) -> None:
    canonical = (DATA / case["canonical_file"]).read_bytes()
    assert rfc8785.dumps(json.loads(canonical)) == canonical


def test_given_natural_gas_record_when_read_then_fields_hold_python_values(natural_gas: Record) -> None:
    assert natural_gas.period == "2025M03"
    assert (natural_gas.scope, natural_gas.scope3_category, natural_gas.iso_category) == (1, None, 1)
    assert natural_gas.activity_quantity == Decimal("1250.5")
    assert dict(natural_gas.gases_g) == {
        "CO2": Decimal(66351530),
        "CH4": Decimal("1250.5"),
        "N2O": Decimal("125.05"),
    }
    assert natural_gas.co2e_g == 66419682
    receipt: Any = natural_gas.receipt
    assert receipt["gwp"]["values"]["CH4"] == 28
    assert receipt["biogenic"] is False


def test_given_decimals_with_other_spellings_when_encoded_then_bytes_are_the_known_answer(
    natural_gas: Record,
) -> None:
    respelled = dataclasses.replace(
        natural_gas,
        activity_quantity=Decimal("1250.500"),
        gases_g={"CO2": Decimal("6.635153E+7"), "CH4": Decimal("1250.50"), "N2O": Decimal("125.0500")},
    )
    assert respelled.canonical_bytes() == NATURAL_GAS_BYTES


def test_given_record_when_turned_into_json_object_then_it_is_plain_json_with_version(
    natural_gas: Record,
) -> None:
    json_object: Any = natural_gas.to_json_object()
    assert json_object == json.loads(NATURAL_GAS_BYTES)
    assert json_object["v"] == 1
    assert set(json_object) == set(FIELD_NAMES) | {"v"}
    assert isinstance(json_object["receipt"]["factor"]["values"], list)
    assert json.loads(json.dumps(json_object)) == json_object


@pytest.mark.parametrize("case", REJECTIONS, ids=[case["desc"] for case in REJECTIONS])
def test_given_one_bad_member_when_parsed_from_json_object_then_record_error_names_the_field(
    case: dict[str, Any],
) -> None:
    json_object = json.loads(NATURAL_GAS_BYTES)
    json_object.update(case.get("set", {}))
    for name in case.get("remove", []):
        del json_object[name]
    with pytest.raises(RecordError) as caught:
        Record.from_json_object(json_object)
    assert caught.value.field == case["want_field"]
    assert str(caught.value).startswith(f"{case['want_field']}: ")


def _self_containing_receipt() -> dict[str, Any]:
    receipt: dict[str, Any] = {}
    receipt["again"] = receipt
    return receipt


# Values only Python can hand over (Decimal NaN, floats where JSON has none, sets, cycles), field by field.
PYTHON_REJECTIONS = [
    pytest.param({"activity_quantity": Decimal("NaN")}, "activity_quantity", id="activity quantity NaN"),
    pytest.param(
        {"activity_quantity": Decimal("sNaN")}, "activity_quantity", id="activity quantity signalling NaN"
    ),
    pytest.param(
        {"activity_quantity": Decimal("-Infinity")}, "activity_quantity", id="activity quantity -Infinity"
    ),
    pytest.param({"activity_quantity": 1250.5}, "activity_quantity", id="activity quantity float"),
    pytest.param({"activity_quantity": 1250}, "activity_quantity", id="activity quantity int"),
    pytest.param({"activity_quantity": "1250.5"}, "activity_quantity", id="activity quantity string"),
    pytest.param({"gases_g": {"CO2": Decimal("Infinity")}}, "gases_g.CO2", id="gas mass Infinity"),
    pytest.param({"gases_g": {"CO2": 1.5}}, "gases_g.CO2", id="gas mass float"),
    pytest.param({"gases_g": {2: Decimal(1)}}, "gases_g", id="gas id not a string"),
    pytest.param({"gases_g": [("CO2", Decimal(1))]}, "gases_g", id="gases as pairs"),
    pytest.param({"co2e_g": True}, "co2e_g", id="CO2e true"),
    pytest.param({"co2e_g": Decimal(66419682)}, "co2e_g", id="CO2e Decimal"),
    pytest.param({"biogenic_co2_g": 0.0}, "biogenic_co2_g", id="biogenic CO2 float"),
    pytest.param({"scope": 1.0}, "scope", id="scope float"),
    pytest.param({"iso_category": True}, "iso_category", id="ISO category true"),
    pytest.param(
        {"receipt": {"factor": {"value": Decimal("53.06")}}},
        "receipt.factor.value",
        id="Decimal in the receipt",
    ),
    pytest.param(
        {"receipt": {"values": ({"v": 0.1},)}}, "receipt.values[0].v", id="float in a tuple in the receipt"
    ),
    pytest.param({"receipt": {"gases": {"CO2"}}}, "receipt.gases", id="set in the receipt"),
    pytest.param({"receipt": {"digest": b"\x00"}}, "receipt.digest", id="bytes in the receipt"),
    pytest.param({"receipt": {1: "one"}}, "receipt", id="non-string key in the receipt"),
    pytest.param({"receipt": _self_containing_receipt()}, "receipt", id="receipt that contains itself"),
    pytest.param({"receipt": [("a", 1)]}, "receipt", id="receipt as a list of pairs"),
    pytest.param({"facility": "\ud800"}, "facility", id="facility with a lone surrogate"),
]


@pytest.mark.parametrize("changes, want_field", PYTHON_REJECTIONS)
def test_given_one_bad_python_value_when_record_is_built_then_record_error_names_the_field(
    natural_gas: Record, changes: dict[str, Any], want_field: str
) -> None:
    with pytest.raises(RecordError) as caught:
        dataclasses.replace(natural_gas, **changes)
    assert caught.value.field == want_field


def test_given_receipt_nested_deeper_than_canonical_json_allows_when_record_is_built_then_record_error(
    natural_gas: Record,
) -> None:
    deep: Any = "bottom"
    for _ in range(MAX_NESTING_DEPTH):
        deep = {"deeper": deep}
    with pytest.raises(RecordError, match="nested deeper than") as caught:
        dataclasses.replace(natural_gas, receipt=deep)
    assert caught.value.field.startswith("receipt.deeper.deeper")


@pytest.mark.parametrize("not_an_object", [[], "record", None, NATURAL_GAS_BYTES])
def test_given_something_other_than_an_object_when_parsed_from_json_object_then_record_error(
    not_an_object: Any,
) -> None:
    with pytest.raises(RecordError) as caught:
        Record.from_json_object(not_an_object)
    assert caught.value.field == "record"


@PROPERTY
@given(st.sampled_from(FIELD_NAMES), st.floats())
def test_given_a_float_in_any_field_when_record_is_built_or_parsed_then_record_error_names_that_field(
    field: str, number: float
) -> None:
    record = Record.from_canonical_bytes(NATURAL_GAS_BYTES)
    float_in_field: dict[str, Any] = {field: number}
    with pytest.raises(RecordError) as built:
        dataclasses.replace(record, **float_in_field)
    json_object = record.to_json_object() | float_in_field
    with pytest.raises(RecordError) as parsed:
        Record.from_json_object(json_object)
    assert built.value.field == parsed.value.field == field


@PROPERTY
@given(floats_at_any_depth)
def test_given_floats_anywhere_inside_the_receipt_or_gases_when_record_is_built_then_record_error(
    floats: Any,
) -> None:
    record = Record.from_canonical_bytes(NATURAL_GAS_BYTES)
    with pytest.raises(RecordError) as caught:
        dataclasses.replace(record, receipt={"factor": floats})
    assert caught.value.field.startswith("receipt.factor")
    with pytest.raises(RecordError):
        dataclasses.replace(record, gases_g={"CO2": floats})


@pytest.mark.parametrize("number_text", [b"66419682.0", b"6.6419682e7", b"NaN", b"Infinity", b"-Infinity"])
def test_given_canonical_bytes_with_a_non_integer_number_when_parsed_then_record_error(
    number_text: bytes,
) -> None:
    tampered = NATURAL_GAS_BYTES.replace(b'"co2e_g":66419682', b'"co2e_g":' + number_text)
    assert tampered != NATURAL_GAS_BYTES
    with pytest.raises(RecordError) as caught:
        Record.from_canonical_bytes(tampered)
    assert caught.value.field == "record"


def _reencoded(key_order: int = 1, **json_dumps_options: Any) -> bytes:
    json_object = json.loads(NATURAL_GAS_BYTES)
    reordered = dict(list(json_object.items())[::key_order])
    return json.dumps(reordered, **json_dumps_options).encode("utf-8")


NOT_CANONICAL = [
    pytest.param(b"\xff" + NATURAL_GAS_BYTES, "record", id="not UTF-8"),
    pytest.param(b"\xef\xbb\xbf" + NATURAL_GAS_BYTES, "record", id="a UTF-8 byte order mark in front"),
    pytest.param(NATURAL_GAS_BYTES.decode("utf-8").encode("utf-16"), "record", id="UTF-16"),
    pytest.param(_reencoded(ensure_ascii=False, sort_keys=True), "record", id="spaces between tokens"),
    pytest.param(
        _reencoded(key_order=-1, ensure_ascii=False, separators=(",", ":")), "record", id="keys out of order"
    ),
    pytest.param(
        _reencoded(ensure_ascii=True, sort_keys=True, separators=(",", ":")),
        "record",
        id="non-ASCII escaped as \\u",
    ),
    pytest.param(NATURAL_GAS_BYTES + b"\n", "record", id="a trailing newline"),
    pytest.param(
        NATURAL_GAS_BYTES.replace(b'"plant-7"', b'"plante\xcc\x81-7"'), "record", id="text not in NFC"
    ),
    pytest.param(NATURAL_GAS_BYTES + b"x", "record", id="trailing garbage"),
    pytest.param(b"", "record", id="nothing"),
    pytest.param(b"[]", "record", id="an array"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, "record", id="nesting deeper than the stack"),
    pytest.param(b'{"co2e_g":' + b"9" * 5000 + b"}", "record", id="an integer too long to parse"),
    pytest.param(b'{"v":1,' + NATURAL_GAS_BYTES[1:], "v", id="a repeated member"),
    pytest.param(NATURAL_GAS_BYTES.replace(b'"v":1}', b'"v":2}'), "v", id="version 2"),
    pytest.param(
        NATURAL_GAS_BYTES.replace(b'"1250.5"', b'"1250.50"', 1),
        "activity_quantity",
        id="a decimal with a trailing zero",
    ),
]


@pytest.mark.parametrize("data, want_field", NOT_CANONICAL)
def test_given_bytes_that_are_not_a_canonical_record_when_parsed_then_only_record_error(
    data: bytes, want_field: str
) -> None:
    with pytest.raises(RecordError) as caught:
        Record.from_canonical_bytes(data)
    assert caught.value.field == want_field


def test_given_text_instead_of_bytes_when_parsed_then_record_error() -> None:
    with pytest.raises(RecordError, match="must be bytes"):
        Record.from_canonical_bytes(NATURAL_GAS_BYTES.decode("utf-8"))  # type: ignore[arg-type]


@PROPERTY
@given(st.integers(0, len(NATURAL_GAS_BYTES) - 1), st.integers(0, 255))
def test_given_known_answer_with_one_byte_changed_when_parsed_then_record_error_or_exactly_those_bytes(
    index: int, byte: int
) -> None:
    tampered = NATURAL_GAS_BYTES[:index] + bytes([byte]) + NATURAL_GAS_BYTES[index + 1 :]
    try:
        record = Record.from_canonical_bytes(tampered)
    except RecordError:
        return
    assert record.canonical_bytes() == tampered


@PROPERTY
@given(st.binary(max_size=64) | st.text(max_size=64).map(lambda text: text.encode("utf-8")))
def test_given_arbitrary_bytes_when_parsed_then_record_error_and_nothing_else(data: bytes) -> None:
    with pytest.raises(RecordError):
        Record.from_canonical_bytes(data)


years = st.integers(0, 9999).map("{:04d}".format)
periods = st.one_of(
    years,
    st.builds("{}Q{}".format, years, st.integers(1, 4)),
    st.builds("{}M{:02d}".format, years, st.integers(1, 12)),
    st.builds("{}{:02d}{:02d}".format, years, st.integers(1, 12), st.integers(1, 28)),
)
slugs = st.lists(
    st.lists(
        st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8), min_size=1, max_size=3
    ).map("-".join),
    min_size=1,
    max_size=3,
).map("/".join)
gas_ids = st.sampled_from(
    ["CO2", "CO2-biogenic", "CH4", "CH4-fossil", "CH4-nonfossil", "N2O", "SF6", "NF3", "HFC-134a"]
)


@st.composite
def records(draw: Any) -> Record:
    scope = draw(st.sampled_from([1, 2, 3]))
    return Record(
        code=draw(st.text(st.characters(max_codepoint=127), min_size=1, max_size=40)),
        account=draw(any_text.filter(bool)),
        facility=draw(st.none() | any_text.filter(bool)),
        period=draw(periods),
        scope=scope,
        scope3_category=draw(st.integers(1, 15)) if scope == 3 else None,
        iso_category=draw(st.integers(1, 6)),
        source=draw(slugs),
        activity_quantity=draw(decimals_of_every_shape),
        activity_unit=draw(any_text.filter(bool)),
        scope2_method=draw(st.sampled_from(["location", "market"])) if scope == 2 else None,
        gwp_set=draw(st.sampled_from(["SAR", "AR4", "AR5", "AR6"])),
        gases_g=draw(st.dictionaries(gas_ids | nfc_text.filter(bool), decimals_of_every_shape, max_size=5)),
        co2e_g=draw(st.integers(0, 2**53 - 1)),
        biogenic_co2_g=draw(st.integers(0, 2**53 - 1)),
        receipt=draw(st.dictionaries(nfc_text, json_values_in_nfc, max_size=5)),
    )


@PROPERTY
@given(records())
def test_given_any_valid_record_when_round_tripped_through_bytes_then_equal_with_identical_bytes(
    record: Record,
) -> None:
    canonical = record.canonical_bytes()
    parsed = Record.from_canonical_bytes(canonical)
    assert parsed == record
    assert parsed.canonical_bytes() == canonical
    assert parsed.leaf_hash() == record.leaf_hash() == hash_leaf(canonical)
    assert Record.from_json_object(record.to_json_object()) == record
    assert json.loads(canonical) == nfc_everywhere(record.to_json_object())
    assert rfc8785.dumps(json.loads(canonical)) == canonical


def test_given_record_when_a_field_is_assigned_then_frozen_instance_error(natural_gas: Record) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        natural_gas.co2e_g = 0  # type: ignore[misc]


def test_given_record_when_its_gases_or_receipt_are_changed_in_place_then_type_error(
    natural_gas: Record,
) -> None:
    # Typed as Any to try what the read-only Mapping types would stop a type checker from even trying.
    gases_g: Any = natural_gas.gases_g
    receipt: Any = natural_gas.receipt
    with pytest.raises(TypeError):
        gases_g["CO2"] = Decimal(0)
    with pytest.raises(TypeError):
        receipt["note"] = "changed"
    with pytest.raises(TypeError):
        receipt["factor"]["id"] = "other"
    with pytest.raises(AttributeError):
        receipt["factor"]["values"].append({})
    assert natural_gas.canonical_bytes() == NATURAL_GAS_BYTES


def test_given_record_when_the_mappings_it_was_built_from_change_then_record_does_not(
    natural_gas: Record,
) -> None:
    gases_g = dict(natural_gas.gases_g)
    receipt = json.loads(NATURAL_GAS_BYTES)["receipt"]
    record = dataclasses.replace(natural_gas, gases_g=gases_g, receipt=receipt)
    gases_g["CO2"] = Decimal(0)
    receipt["factor"]["values"].append({"gas": "SF6"})
    receipt["note"] = "changed"
    json_object: Any = record.to_json_object()
    json_object["receipt"]["note"] = "changed too"
    assert record.canonical_bytes() == NATURAL_GAS_BYTES


def test_given_records_with_equal_bytes_when_compared_and_hashed_then_equal(natural_gas: Record) -> None:
    respelled = dataclasses.replace(natural_gas, activity_quantity=Decimal("1250.50"))
    assert respelled == natural_gas
    assert hash(respelled) == hash(natural_gas)
    assert len({natural_gas, respelled, Record.from_canonical_bytes(NATURAL_GAS_BYTES)}) == 1


def test_given_account_typed_decomposed_when_compared_then_equal_to_composed(natural_gas: Record) -> None:
    decomposed = dataclasses.replace(natural_gas, account="caf" + "e\u0301")
    composed = dataclasses.replace(natural_gas, account="caf\u00e9")
    assert decomposed.account != composed.account
    assert decomposed == composed
    assert decomposed.canonical_bytes() == composed.canonical_bytes()


def test_given_receipts_with_true_and_with_1_when_compared_then_unequal_though_python_calls_them_equal(
    natural_gas: Record,
) -> None:
    with_true = dataclasses.replace(natural_gas, receipt={"flag": True})
    with_one = dataclasses.replace(natural_gas, receipt={"flag": 1})
    assert with_true.receipt == with_one.receipt
    assert with_true != with_one
    assert with_true.leaf_hash() != with_one.leaf_hash()


def test_given_record_and_another_type_when_compared_then_unequal(natural_gas: Record) -> None:
    assert natural_gas != NATURAL_GAS_BYTES
    assert natural_gas.__eq__(NATURAL_GAS_BYTES) is NotImplemented


def test_given_record_when_pickled_or_deep_copied_then_equal_with_identical_bytes(
    natural_gas: Record,
) -> None:
    for twin in (pickle.loads(pickle.dumps(natural_gas)), copy.deepcopy(natural_gas), copy.copy(natural_gas)):
        assert twin == natural_gas
        assert twin.canonical_bytes() == NATURAL_GAS_BYTES


def test_given_record_with_non_nfc_text_when_parsed_back_then_fields_hold_the_nfc_form(
    natural_gas: Record,
) -> None:
    record = dataclasses.replace(natural_gas, activity_unit="m\u0301")
    parsed = Record.from_canonical_bytes(record.canonical_bytes())
    assert parsed.activity_unit == unicodedata.normalize("NFC", "m\u0301") == "\u1e3f"


def test_given_receipt_with_text_not_in_nfc_when_record_is_built_then_its_receipt_is_what_its_bytes_hold(
    natural_gas: Record,
) -> None:
    record = dataclasses.replace(natural_gas, receipt={"values": [{"v": 1}, True], "note": "plante\u0301"})

    assert record.receipt == {"note": "plant\u00e9", "values": ({"v": 1}, True)}
    assert list(record.receipt) == ["note", "values"]


@PROPERTY
@given(records())
def test_given_any_record_when_its_receipt_is_used_to_build_another_then_the_bytes_are_the_same(record: Record) -> None:
    assert dataclasses.replace(record, receipt=record.receipt).canonical_bytes() == record.canonical_bytes()
    assert dataclasses.replace(record, receipt=record.to_json_object()["receipt"]) == record
