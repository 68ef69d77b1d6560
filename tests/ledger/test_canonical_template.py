"""Specification of ledger.canonical_template: a value's canonical text with holes, filled per leaf values."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.canonical import MAX_SAFE_INTEGER, canonical_bytes
from ledger.canonical_template import CanonicalTemplate, Path
from ledger.errors import CanonicalError, CanonicalValueError
from tests.ledger.test_canonical import PROPERTY, TRICKY_CHARACTERS, any_text, json_values

leaves = st.none() | st.booleans() | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER) | any_text


def leaf_paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every path to a leaf of `value` (a leaf: anything but a non-empty dict or list)."""
    if isinstance(value, dict) and value:
        return [path for key, member in value.items() for path in leaf_paths(member, (*prefix, key))]
    if isinstance(value, list) and value:
        return [path for index, item in enumerate(value) for path in leaf_paths(item, (*prefix, index))]
    return [prefix]


def with_leaves(value: Any, holes: list[Path], new_leaves: list[Any]) -> Any:
    changed = copy.deepcopy(value)
    for path, leaf in zip(holes, new_leaves, strict=True):
        parent = changed
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = leaf
    return changed


@st.composite
def templated_values(draw: st.DrawFn) -> tuple[Any, list[Path], list[Any]]:
    """A container, some of its leaves as holes (keys included that sort oddly), and new leaves for them."""
    value = draw(json_values(any_text).filter(lambda v: isinstance(v, (dict, list)) and v))
    paths = [path for path in leaf_paths(value) if path and not isinstance(_at(value, path), (dict, list))]
    holes = draw(st.lists(st.sampled_from(paths), unique=True, max_size=len(paths))) if paths else []
    return value, holes, draw(st.lists(leaves, min_size=len(holes), max_size=len(holes)))


def _at(value: Any, path: Path) -> Any:
    for step in path:
        value = value[step]
    return value


@PROPERTY
@given(templated_values())
def test_given_any_value_with_holes_when_filled_then_bytes_are_the_canonical_bytes_of_the_filled_value(
    case: tuple[Any, list[Path], list[Any]],
) -> None:
    value, holes, new_leaves = case
    template = CanonicalTemplate(value, holes)
    assert template.fill(new_leaves) == canonical_bytes(with_leaves(value, holes, new_leaves))
    assert template.fill([_at(value, path) for path in holes]) == canonical_bytes(value)


@pytest.mark.parametrize("leaf", [*TRICKY_CHARACTERS, "e\u0301t\u00e9", "plain", "", "quote\"d", "back\\slash"])
def test_given_a_tricky_string_in_a_hole_when_filled_then_it_is_escaped_and_normalised_as_the_encoder_does(
    leaf: str,
) -> None:
    value = {"b": "x", "a": {"z": 1, "hole": "x"}, "é": ["x"]}
    template = CanonicalTemplate(value, [("a", "hole"), ("é", 0)])
    assert template.fill([leaf, leaf]) == canonical_bytes({"b": "x", "a": {"z": 1, "hole": leaf}, "é": [leaf]})


@pytest.mark.parametrize(
    "leaf, reason",
    [
        (1.5, "floats are not allowed"),
        (Decimal("1.5"), "decimal_text"),
        (MAX_SAFE_INTEGER + 1, "outside"),
        ("\ud800", "lone surrogate"),
        ({"a": 1}, "a hole takes a leaf"),
        ([1], "a hole takes a leaf"),
    ],
)
def test_given_a_leaf_outside_the_profile_when_filled_then_canonical_value_error_names_the_hole(
    leaf: object, reason: str
) -> None:
    template = CanonicalTemplate({"outer": {"inner": 0}, "other": 1}, [("outer", "inner")])
    with pytest.raises(CanonicalValueError) as caught:
        template.fill([leaf])  # type: ignore[list-item]
    assert caught.value.path == "$.outer.inner"
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    "holes, message",
    [
        ([("missing",)], "leads nowhere"),
        ([("list", 3)], "leads nowhere"),
        ([("list", "0")], "leads nowhere"),
        ([("object",)], "leads to a container"),
        ([()], "whole value"),
        ([("leaf",), ("leaf",)], "distinct"),
    ],
)
def test_given_a_hole_that_is_not_a_leaf_of_the_value_when_made_then_canonical_error(
    holes: list[Path], message: str
) -> None:
    with pytest.raises(CanonicalError, match=message):
        CanonicalTemplate({"leaf": 1, "list": [1, 2, 3], "object": {"a": 1}}, holes)


def test_given_a_template_when_filled_with_too_few_leaves_then_canonical_error() -> None:
    template = CanonicalTemplate({"a": 1, "b": 2}, [("a",), ("b",)])
    with pytest.raises(CanonicalError, match="1 leaves for a template of 2 holes"):
        template.fill([5])


def test_given_a_template_when_its_value_changes_afterwards_then_the_template_does_not() -> None:
    value = {"a": 1, "b": ["x"]}
    template = CanonicalTemplate(value, [("a",)])
    value["b"].append("y")
    assert template.fill([2]) == b'{"a":2,"b":["x"]}'


@pytest.mark.parametrize("holes", [[], [("b",)], [("b",), ("a",)]])
def test_given_braces_in_the_value_and_none_to_a_few_holes_when_filled_then_bytes_are_canonical(
    holes: list[Path],
) -> None:
    value = {"{0}": "}{", "b": "{1}", "a": 2}
    new_leaves = ["{0}{", 7][: len(holes)]
    template = CanonicalTemplate(value, holes)
    assert template.fill(new_leaves) == canonical_bytes(with_leaves(value, holes, new_leaves))
