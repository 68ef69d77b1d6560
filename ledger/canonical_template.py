"""Canonical bytes of many values of one shape: encoded once with holes, then filled per value.

Records of one kind of activity share every key and most values; only a few leaves differ (who, when, how
much). RFC 8785 orders an object's members by key alone, so where a leaf sits in the canonical text does not
depend on its value: the text around the leaves can be encoded once, and each value's bytes are that text with
its leaves' canonical text spliced in. The leaves are encoded as `canonical_bytes` would encode them (the same
escapes, NFC, the same integer range), so a filled template is byte for byte the canonical bytes of the value
with those leaves. Only leaves can be holes, never keys or containers.
"""

from __future__ import annotations

import operator
import secrets
from collections.abc import Callable, Mapping, Sequence

from ledger.canonical import JSON, MAX_SAFE_INTEGER, canonical_bytes
from ledger.errors import CanonicalError, CanonicalValueError

# A path into a JSON value: object keys and array indices, from the top.
Path = tuple[str | int, ...]

# ASCII text that needs no escape: printable, neither quote nor backslash.
_NEEDS_ESCAPE = frozenset('"\\')


class CanonicalTemplate:
    """The canonical text of `value` with a hole at each of `holes` (paths to leaves of `value`).

    `fill(leaves)` gives the canonical bytes of `value` with the leaf at `holes[i]` replaced by `leaves[i]`.
    Raises CanonicalError for a path that leads nowhere or to a container, and CanonicalValueError (naming
    the hole's path) for a leaf `canonical_bytes` would refuse.
    """

    def __init__(self, value: JSON, holes: Sequence[Path]) -> None:
        self.holes = tuple(holes)
        if len(set(self.holes)) != len(self.holes):
            raise CanonicalError("a template's holes must be distinct paths")
        # Each hole becomes a unique marker string, found again in the encoded text: 128 random bits, checked
        # to occur exactly once, so no text of the value can be taken for one.
        markers = [f"hole-{secrets.token_hex(16)}" for _ in self.holes]
        marked = _with_markers(value, dict(zip(self.holes, markers, strict=True)))
        text = canonical_bytes(marked).decode("utf-8")
        found = []
        for index, marker in enumerate(markers):
            quoted = f'"{marker}"'
            if text.count(quoted) != 1:
                raise CanonicalError(f"hole {_path_text(self.holes[index])} is not found once in the template")
            found.append((text.index(quoted), index, len(quoted)))
        found.sort()
        # The constant text between holes, and which hole comes where: filling interleaves the two and joins.
        self._segments: list[str | None] = []
        position = 0
        for start, _, length in found:
            self._segments += [text[position:start], None]
            position = start + length
        self._segments.append(text[position:])
        order = [index for _, index, _ in found]
        # itemgetter of one index gives the item itself, not a tuple of one.
        self._in_text_order: Callable[[Sequence[str]], Sequence[str]] = (
            operator.itemgetter(*order) if len(order) > 1 else lambda texts: [texts[index] for index in order]
        )

    def fill(self, leaves: Sequence[JSON]) -> bytes:
        """The canonical bytes of the value with `leaves` in its holes, in the order the holes were given."""
        if len(leaves) != len(self.holes):
            raise CanonicalError(f"{len(leaves)} leaves for a template of {len(self.holes)} holes")
        return self.fill_texts([leaf_text(leaf, path) for leaf, path in zip(leaves, self.holes, strict=True)])

    def fill_texts(self, leaf_texts: Sequence[str]) -> bytes:
        """As `fill`, given each leaf's canonical text already (`leaf_text` of it, or the text of a value
        known to need no escape or normalisation: a quoted `decimal_text`, an integer in range)."""
        if len(leaf_texts) != len(self.holes):
            raise CanonicalError(f"{len(leaf_texts)} leaves for a template of {len(self.holes)} holes")
        parts = self._segments.copy()
        parts[1::2] = self._in_text_order(leaf_texts)
        return "".join(parts).encode("utf-8")  # type: ignore[arg-type]


def leaf_text(leaf: object, path: Path = ()) -> str:
    """The canonical text of one leaf, as `canonical_bytes` writes it; CanonicalValueError naming `path`
    for a leaf it would refuse. Plain ASCII strings and integers are written here, the rest by the encoder."""
    kind = type(leaf)
    if kind is str:
        text: str = leaf  # type: ignore[assignment]
        if text.isascii() and text.isprintable() and _NEEDS_ESCAPE.isdisjoint(text):
            return f'"{text}"'
    elif kind is int:
        number: int = leaf  # type: ignore[assignment]
        if -MAX_SAFE_INTEGER <= number <= MAX_SAFE_INTEGER:
            return str(number)
    elif leaf is None:
        return "null"
    if isinstance(leaf, (Mapping, list, tuple)):
        raise CanonicalValueError(_path_text(path), "a hole takes a leaf, not a container")
    try:
        return canonical_bytes(leaf).decode("utf-8")  # type: ignore[arg-type]
    except CanonicalValueError as e:
        raise CanonicalValueError(_path_text(path), e.reason) from e


def _with_markers(value: JSON, markers: dict[Path, str]) -> JSON:
    """A copy of `value` with the leaf at each path replaced by its marker."""
    copy = _copied(value)
    for path, marker in markers.items():
        if not path:
            raise CanonicalError("a template's hole cannot be the whole value")
        parent = value_at(copy, path[:-1])
        last = path[-1]
        if isinstance(_child(parent, last, path), (dict, list)):
            raise CanonicalError(f"hole {_path_text(path)} leads to a container, not a leaf")
        parent[last] = marker  # type: ignore[index]
    return copy


def _copied(value: object) -> JSON:
    if isinstance(value, Mapping):
        return {key: _copied(member) for key, member in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copied(item) for item in value]
    return value  # type: ignore[return-value]


def value_at(value: object, path: Path) -> object:
    """What `path` leads to in `value` (objects as mappings, arrays as lists or tuples); CanonicalError if it
    leads nowhere."""
    for step in path:
        value = _child(value, step, path)
    return value


def _child(container: object, step: str | int, path: Path) -> object:
    if isinstance(container, Mapping) and isinstance(step, str) and step in container:
        return container[step]
    if isinstance(container, (list, tuple)) and type(step) is int and 0 <= step < len(container):
        return container[step]
    raise CanonicalError(f"hole {_path_text(path)} leads nowhere in the template's value")


def _path_text(path: Path) -> str:
    return "$" + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)
