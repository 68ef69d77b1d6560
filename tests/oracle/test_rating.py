"""Specification of the colour rating rule: worked examples, exact band edges, its configuration and its checks."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import RatingRuleError
from oracle.rating import (
    BENCHMARKS_VARIABLE,
    SHIPPED_BENCHMARKS,
    RatingInputs,
    load_rating_rule,
    parse_rating_rule,
    rate,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "rating"
TEST_RULE_FILE = DATA / "benchmarks.json"
WORKED_EXAMPLES = json.loads((DATA / "worked-examples.json").read_text(encoding="utf-8"))
BAD_RULES = json.loads((DATA / "bad-rules.json").read_text(encoding="utf-8"))


def inputs_of(example: dict[str, Any]) -> RatingInputs:
    output = None if example["output"] is None else Decimal(example["output"])
    return RatingInputs("QZ0001", 2025, example["industry"], example["emissions_g"], output, example["output_unit"])


@pytest.mark.parametrize("example", WORKED_EXAMPLES, ids=[example["desc"] for example in WORKED_EXAMPLES])
def test_given_a_worked_example_when_rated_then_colour_ratio_and_intensity_are_the_published_ones(
    example: dict[str, Any]
) -> None:
    rated = rate(inputs_of(example), load_rating_rule(TEST_RULE_FILE)).to_json()
    want = example["want"]
    assert rated["colour"] == want["colour"]
    if want["colour"] is None:
        assert rated["unrated_reason"] == want["unrated_reason"]
        assert rated["ratio"] is None and rated["intensity_t_per_unit"] is None
    else:
        assert (rated["ratio"], rated["intensity_t_per_unit"]) == (want["ratio"], want["intensity_t_per_unit"])
        assert rated["unrated_reason"] is None
    assert rated["inputs"]["emissions_g"] == example["emissions_g"]


@given(st.integers(min_value=0, max_value=10**13), st.integers(min_value=0, max_value=10**13))
def test_given_more_emissions_for_the_same_output_then_the_colour_is_never_better(lower: int, higher: int) -> None:
    rule = load_rating_rule(TEST_RULE_FILE)
    lower, higher = sorted((lower, higher))
    colours = [band.colour for band in rule.bands]

    def band_index(emissions_g: int) -> int:
        band = rate(RatingInputs("QZ0001", 2025, "D44", emissions_g, Decimal("1234.5"), "MWh"), rule).band
        assert band is not None
        return colours.index(band.colour)

    assert band_index(lower) <= band_index(higher)


@pytest.mark.parametrize("case", BAD_RULES, ids=[case["desc"] for case in BAD_RULES])
def test_given_a_malformed_rule_when_parsed_then_the_error_names_the_file_and_the_field(case: dict[str, Any]) -> None:
    document = copy.deepcopy(json.loads(TEST_RULE_FILE.read_text(encoding="utf-8")))
    document.update(case["change"])
    with pytest.raises(RatingRuleError) as raised:
        parse_rating_rule(document, "rule.json")
    assert str(raised.value).startswith("rule.json: ")
    assert case["want_error"] in str(raised.value)


def test_given_the_benchmarks_variable_when_the_rule_is_loaded_without_a_path_then_that_file_is_used(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BENCHMARKS_VARIABLE, str(TEST_RULE_FILE))
    rule = load_rating_rule()
    assert rule.file == str(TEST_RULE_FILE)
    assert set(rule.benchmarks) == {"C26", "D44"}


def test_given_no_variable_then_the_shipped_benchmarks_are_used_with_four_bands_and_a_source_for_each(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(BENCHMARKS_VARIABLE, raising=False)
    rule = load_rating_rule()
    assert rule.file == str(SHIPPED_BENCHMARKS)
    assert [(band.colour, band.max_ratio) for band in rule.bands] == [
        ("dark-green", Decimal("0.8")), ("light-green", Decimal("1.0")), ("yellow", Decimal("1.2")), ("red", None)]
    assert rule.benchmarks and all(benchmark.source for benchmark in rule.benchmarks.values())


def test_given_a_missing_or_broken_file_when_loaded_then_the_error_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(RatingRuleError, match=r"absent\.json: cannot be read"):
        load_rating_rule(tmp_path / "absent.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(RatingRuleError, match=r"broken\.json: cannot be read as JSON"):
        load_rating_rule(broken)


def test_given_the_rule_as_json_then_it_lists_bands_and_benchmarks_as_decimal_text() -> None:
    document = load_rating_rule(TEST_RULE_FILE).to_json()
    assert document["bands"][0] == {"colour": "dark-green", "label": "Dark green", "max_ratio": "0.8"}
    assert document["bands"][-1]["max_ratio"] is None
    assert [benchmark["intensity_t_per_unit"] for benchmark in document["benchmarks"]] == ["2.5", "0.58"]
