"""The colour rating of a carbon account: its emission intensity against its industry's benchmark.

The rule, as published on the explorer's /ratings/rule page (this text is what that page prints):

1. Emissions are the account's grams CO2e of the year that count toward its carbon account: scope 1 and
   location-based scope 2 (oracle/account_totals.py); market-based scope 2 and scope 3 do not count.
2. Output is the account's output of the year as registered in the account directory
   (ledger_account_outputs): a decimal quantity in an output unit, e.g. "t product".
3. Intensity = emissions in tonnes / output, in tCO2e per unit of output.
4. Ratio = intensity / benchmark, where the benchmark is the configured intensity of the account's industry,
   in the same output unit.
5. The colour is that of the first band, in the configured order, whose maximum ratio is at least the ratio;
   the last band has no maximum. The default bands: dark green up to 0.8, light green up to 1.0, yellow up to
   1.2, red above.
6. No colour (unrated, with the reason) when the industry has no benchmark, the year has no output, the
   output is zero, or the output unit differs from the benchmark's.

Arithmetic is exact Decimal: "ratio <= maximum" is decided as emissions_g <= maximum x benchmark x output x
10^6 with exact products and no division, so no rounding can move an account across a band edge. Intensity
and ratio are rounded half-even (to 6 and 4 decimals) for display only.

The benchmarks and bands are configuration: oracle/data/benchmarks.json by default, or the JSON file named
by CARBONLEDGER_BENCHMARKS_FILE, in the same format. Given the same inputs and configuration, anyone gets the
same colour: `carbonledger rating ACCOUNT --year YEAR` and GET /api/v1/accounts/<account>/rating show the
inputs next to the result.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import (
    MAX_PREC,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    Inexact,
    InvalidOperation,
    Overflow,
)
from pathlib import Path
from typing import Any

from ledger.errors import RatingRuleError

BENCHMARKS_VARIABLE = "CARBONLEDGER_BENCHMARKS_FILE"
SHIPPED_BENCHMARKS = Path(__file__).parent / "data" / "benchmarks.json"
RULE_FORMAT_VERSION = 1
GRAMS_PER_TONNE = 1_000_000

# Products of decimal strings are exact at this precision; were one ever not, Inexact is an error.
_EXACT = Context(prec=MAX_PREC, traps=[Inexact, InvalidOperation, Overflow])
# Only for the displayed quotients, which are rounded once more right after.
_DISPLAY = Context(prec=60, rounding=ROUND_HALF_EVEN)
_INTENSITY_PLACES = Decimal("0.000001")
_RATIO_PLACES = Decimal("0.0001")
_DECIMAL_TEXT = re.compile(r"(?:0|[1-9][0-9]{0,17})(?:\.[0-9]{1,18})?")
_COLOUR = re.compile(r"[a-z][a-z0-9-]{0,31}")
_INDUSTRY = re.compile(r"[!-~]{1,8}")


@dataclass(frozen=True)
class Band:
    """A colour, and the highest ratio it covers (None: no limit, the last band)."""

    colour: str
    label: str
    max_ratio: Decimal | None


@dataclass(frozen=True)
class Benchmark:
    """An industry's benchmark intensity, in tCO2e per unit of output, and where the figure comes from."""

    industry: str
    name: str
    intensity_t_per_unit: Decimal
    output_unit: str
    source: str


@dataclass(frozen=True)
class RatingRule:
    bands: tuple[Band, ...]
    benchmarks: Mapping[str, Benchmark]
    bands_source: str
    file: str

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "bands": [
                {"colour": band.colour, "label": band.label,
                 "max_ratio": None if band.max_ratio is None else str(band.max_ratio)}
                for band in self.bands
            ],
            "bands_source": self.bands_source,
            "benchmarks": [
                {"industry": benchmark.industry, "name": benchmark.name,
                 "intensity_t_per_unit": str(benchmark.intensity_t_per_unit), "output_unit": benchmark.output_unit,
                 "source": benchmark.source}
                for benchmark in sorted(self.benchmarks.values(), key=lambda benchmark: benchmark.industry)
            ],
        }


@dataclass(frozen=True)
class RatingInputs:
    """What an account's colour is computed from; `output` is None when none is registered for the year."""

    account: str
    year: int
    industry: str
    emissions_g: int
    output: Decimal | None
    output_unit: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "year": self.year,
            "industry": self.industry,
            "emissions_g": self.emissions_g,
            "output": None if self.output is None else str(self.output),
            "output_unit": self.output_unit,
        }


@dataclass(frozen=True)
class Rating:
    """The outcome: a band, or None with the reason the account is unrated."""

    inputs: RatingInputs
    benchmark: Benchmark | None
    band: Band | None
    intensity_t_per_unit: Decimal | None
    ratio: Decimal | None
    unrated_reason: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs.to_json(),
            "benchmark": None if self.benchmark is None else {
                "industry": self.benchmark.industry,
                "intensity_t_per_unit": str(self.benchmark.intensity_t_per_unit),
                "output_unit": self.benchmark.output_unit,
                "source": self.benchmark.source,
            },
            "intensity_t_per_unit": _text_or_none(self.intensity_t_per_unit),
            "ratio": _text_or_none(self.ratio),
            "colour": None if self.band is None else self.band.colour,
            "label": None if self.band is None else self.band.label,
            "unrated_reason": self.unrated_reason,
        }


def rate(inputs: RatingInputs, rule: RatingRule) -> Rating:
    """The account's colour under `rule` (see the module docstring for the rule)."""
    benchmark = rule.benchmarks.get(inputs.industry)
    output = inputs.output
    if benchmark is None:
        return _unrated(inputs, None, f"no benchmark is configured for industry {inputs.industry!r}")
    if output is None:
        return _unrated(inputs, benchmark, f"no output is registered for {inputs.year}")
    if inputs.output_unit != benchmark.output_unit:
        return _unrated(inputs, benchmark, f"output is in {inputs.output_unit!r}, the benchmark in "
                                           f"{benchmark.output_unit!r}")
    if output <= 0:
        return _unrated(inputs, benchmark, f"output for {inputs.year} is {output}")
    benchmark_g = _EXACT.multiply(_EXACT.multiply(benchmark.intensity_t_per_unit, output), Decimal(GRAMS_PER_TONNE))
    emissions_g = Decimal(inputs.emissions_g)
    band = next(band for band in rule.bands
                if band.max_ratio is None or emissions_g <= _EXACT.multiply(band.max_ratio, benchmark_g))
    intensity = _DISPLAY.divide(emissions_g, _EXACT.multiply(output, Decimal(GRAMS_PER_TONNE)))
    return Rating(
        inputs=inputs,
        benchmark=benchmark,
        band=band,
        intensity_t_per_unit=intensity.quantize(_INTENSITY_PLACES, rounding=ROUND_HALF_EVEN),
        ratio=_DISPLAY.divide(emissions_g, benchmark_g).quantize(_RATIO_PLACES, rounding=ROUND_HALF_EVEN),
        unrated_reason=None,
    )


def _unrated(inputs: RatingInputs, benchmark: Benchmark | None, reason: str) -> Rating:
    return Rating(inputs, benchmark, None, None, None, reason)


def _text_or_none(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def load_rating_rule(path: Path | None = None) -> RatingRule:
    """The rule configured in `path`, else in $CARBONLEDGER_BENCHMARKS_FILE, else the shipped benchmarks."""
    if path is None:
        configured = os.environ.get(BENCHMARKS_VARIABLE)
        path = Path(configured) if configured else SHIPPED_BENCHMARKS
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RatingRuleError(f"{path}: cannot be read as JSON ({error})") from error
    return parse_rating_rule(document, str(path))


def parse_rating_rule(document: object, file: str) -> RatingRule:
    """The rule in a parsed benchmarks document; RatingRuleError naming the file and the field that is wrong."""
    reader = _FieldReader(file)
    root = reader.mapping("$", document)
    if root.get("version") != RULE_FORMAT_VERSION:
        raise reader.error("version", f"must be {RULE_FORMAT_VERSION}")
    bands = tuple(_band(reader, f"bands[{index}]", entry)
                  for index, entry in enumerate(reader.sequence("bands", root.get("bands"))))
    if not bands:
        raise reader.error("bands", "must list at least one band")
    limits = [band.max_ratio for band in bands[:-1] if band.max_ratio is not None]
    if bands[-1].max_ratio is not None or len(limits) != len(bands) - 1:
        raise reader.error("bands", "every band but the last needs a max_ratio; the last has max_ratio null")
    for index in range(1, len(limits)):
        if not limits[index - 1] < limits[index]:
            raise reader.error(f"bands[{index}].max_ratio", "must be larger than the band before's")
    if len({band.colour for band in bands}) != len(bands):
        raise reader.error("bands", "each colour may appear once")
    benchmarks: dict[str, Benchmark] = {}
    for index, entry in enumerate(reader.sequence("benchmarks", root.get("benchmarks"))):
        benchmark = _benchmark(reader, f"benchmarks[{index}]", entry)
        if benchmark.industry in benchmarks:
            raise reader.error(f"benchmarks[{index}].industry", f"{benchmark.industry!r} is listed twice")
        benchmarks[benchmark.industry] = benchmark
    return RatingRule(bands, benchmarks, reader.text("bands_source", root.get("bands_source")), file)


def _band(reader: _FieldReader, where: str, entry: object) -> Band:
    fields = reader.mapping(where, entry)
    colour = reader.text(f"{where}.colour", fields.get("colour"))
    if not _COLOUR.fullmatch(colour):
        raise reader.error(f"{where}.colour", f"{colour!r} must be a lower-case slug such as dark-green")
    max_ratio = fields.get("max_ratio")
    return Band(colour, reader.text(f"{where}.label", fields.get("label")),
                None if max_ratio is None else reader.positive_decimal(f"{where}.max_ratio", max_ratio))


def _benchmark(reader: _FieldReader, where: str, entry: object) -> Benchmark:
    fields = reader.mapping(where, entry)
    industry = reader.text(f"{where}.industry", fields.get("industry"))
    if not _INDUSTRY.fullmatch(industry):
        raise reader.error(f"{where}.industry", f"{industry!r} must be 1 to 8 printable ASCII characters")
    return Benchmark(
        industry=industry,
        name=reader.text(f"{where}.name", fields.get("name")),
        intensity_t_per_unit=reader.positive_decimal(f"{where}.intensity_t_per_unit",
                                                     fields.get("intensity_t_per_unit")),
        output_unit=reader.text(f"{where}.output_unit", fields.get("output_unit")),
        source=reader.text(f"{where}.source", fields.get("source")),
    )


@dataclass(frozen=True)
class _FieldReader:
    """Typed reads of a benchmarks document's fields, each failure naming the file and the field."""

    file: str

    def error(self, field: str, reason: str) -> RatingRuleError:
        return RatingRuleError(f"{self.file}: {field}: {reason}")

    def mapping(self, field: str, value: object) -> Mapping[str, object]:
        if not isinstance(value, Mapping):
            raise self.error(field, "must be a JSON object")
        return value

    def sequence(self, field: str, value: object) -> list[object]:
        if not isinstance(value, list):
            raise self.error(field, "must be a JSON list")
        return value

    def text(self, field: str, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(field, "must be a non-empty string")
        return value

    def positive_decimal(self, field: str, value: object) -> Decimal:
        if not isinstance(value, str) or not _DECIMAL_TEXT.fullmatch(value):
            raise self.error(field, f"{str(value)[:40]!r} must be a plain decimal string such as \"1.25\"")
        number = Decimal(value)
        if number <= 0:
            raise self.error(field, "must be above 0")
        return number
