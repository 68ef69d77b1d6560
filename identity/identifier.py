"""The one rule for key labels and device ids: short, lower-case, and safe to use as a file name."""

from __future__ import annotations

import re

from identity.errors import IdentifierError

# A letter or digit first, so that no identifier is hidden (`.x`) or looks like an option (`-x`); no `/`,
# so none leaves its folder.
IDENTIFIER = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def check_identifier(field: str, value: object) -> str:
    """`value` if it is a valid identifier; IdentifierError naming `field` otherwise."""
    if not isinstance(value, str) or IDENTIFIER.fullmatch(value) is None:
        raise IdentifierError(
            field,
            f"{str(value)[:80]!r} must be 1 to 64 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
        )
    return value
