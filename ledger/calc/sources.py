"""Emission sources: slug paths, the scope and categories each belongs to, and their 3D-code tokens.

A source is written as a lower-case slug path, `<category>/<item>`: `stationary-combustion/natural-gas`,
`fugitive/r-410a`, `purchased-energy/electricity`, `business-travel/air`. The first segment fixes the scope,
the GHG Protocol scope 3 category and the default ISO 14064-1 category; the 3D code writes it as a category
token and the last segment as a source token (`1SC.NG`). This module is the one place that maps slugs to
tokens; items without a listed token get one derived from their name (`cement-clinker` → `CEMENT`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ledger.errors import CalculationError

SOURCE_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)*")
_TOKEN_LENGTH = 6
# A slug that names only its category (`business-travel`) gets this source token.
WHOLE_CATEGORY_TOKEN = "ALL"


@dataclass(frozen=True)
class SourceCategory:
    """The first segment of a source slug: scope, scope 3 category, default ISO 14064-1 category, token."""

    slug: str
    token: str
    scope: int
    scope3_category: int | None
    iso_category: int


# ISO 14064-1:2018 categories: 1 direct, 2 imported energy, 3 transportation, 4 products used by the
# organization, 5 use of the organization's products, 6 other. The scope 3 defaults follow the standard's
# annex grouping; a row may state another category (3 to 6) where its inventory assigns one.
CATEGORIES = (
    SourceCategory("stationary-combustion", "SC", 1, None, 1),
    SourceCategory("mobile-combustion", "MC", 1, None, 1),
    SourceCategory("process", "PR", 1, None, 1),
    SourceCategory("fugitive", "FU", 1, None, 1),
    SourceCategory("purchased-energy", "PE", 2, None, 2),
    SourceCategory("purchased-goods-and-services", "C1", 3, 1, 4),
    SourceCategory("capital-goods", "C2", 3, 2, 4),
    SourceCategory("fuel-and-energy-related-activities", "C3", 3, 3, 4),
    SourceCategory("upstream-transportation-and-distribution", "C4", 3, 4, 3),
    SourceCategory("waste-generated-in-operations", "C5", 3, 5, 4),
    SourceCategory("business-travel", "C6", 3, 6, 3),
    SourceCategory("employee-commuting", "C7", 3, 7, 3),
    SourceCategory("upstream-leased-assets", "C8", 3, 8, 4),
    SourceCategory("downstream-transportation-and-distribution", "C9", 3, 9, 3),
    SourceCategory("processing-of-sold-products", "C10", 3, 10, 5),
    SourceCategory("use-of-sold-products", "C11", 3, 11, 5),
    SourceCategory("end-of-life-treatment-of-sold-products", "C12", 3, 12, 5),
    SourceCategory("downstream-leased-assets", "C13", 3, 13, 5),
    SourceCategory("franchises", "C14", 3, 14, 5),
    SourceCategory("investments", "C15", 3, 15, 5),
)
_CATEGORY_BY_SLUG = {category.slug: category for category in CATEGORIES}

SOURCE_TOKENS = {
    "natural-gas": "NG",
    "diesel": "DSL",
    "gasoline": "GSL",
    "fuel-oil": "FO",
    "lpg": "LPG",
    "raw-coal": "COAL",
    "bituminous-coal": "BITC",
    "wood": "WOOD",
    "electricity": "EL",
    "heat": "HT",
    "steam": "ST",
    "cooling": "CL",
    "r-404a": "R404A",
    "r-407c": "R407C",
    "r-410a": "R410A",
    "hfc-23": "H23",
    "hfc-32": "H32",
    "hfc-125": "H125",
    "hfc-134a": "H134A",
    "hfc-143a": "H143A",
    "hfc-152a": "H152A",
    "hfc-227ea": "H227EA",
    "hfc-245fa": "H245FA",
    "sf6": "SF6",
    "nf3": "NF3",
    "cf4": "CF4",
    "c2f6": "C2F6",
}


@dataclass(frozen=True)
class Source:
    """A source slug read: its category and the token its last segment takes in a 3D code."""

    slug: str
    category: SourceCategory
    token: str

    @property
    def item(self) -> str:
        """The last segment of the slug: the fuel, gas or item (`natural-gas` in `stationary-combustion/...`)."""
        return self.slug.rsplit("/", 1)[-1]


@cache
def source(slug: str) -> Source:
    """The source written as `slug`; CalculationError if it is malformed or its category unknown."""
    if not SOURCE_SLUG.fullmatch(slug):
        raise CalculationError(f"source {slug!r} must be a lower-case slug path like stationary-combustion/natural-gas")
    category_slug, _, rest = slug.partition("/")
    category = _CATEGORY_BY_SLUG.get(category_slug)
    if category is None:
        raise CalculationError(
            f"source {slug!r} starts with an unknown category; known: {', '.join(_CATEGORY_BY_SLUG)}"
        )
    item = rest.rsplit("/", 1)[-1]
    return Source(slug, category, _item_token(item) if item else WHOLE_CATEGORY_TOKEN)


def _item_token(item: str) -> str:
    listed = SOURCE_TOKENS.get(item)
    if listed is not None:
        return listed
    letters_and_digits = item.replace("-", "").upper()
    if letters_and_digits[0].isdigit():
        letters_and_digits = "X" + letters_and_digits
    return letters_and_digits[:_TOKEN_LENGTH]
