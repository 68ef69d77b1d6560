"""The factor library: the shipped, cited datasets plus any the user loads, searchable by id and by source.

Shipped datasets (`data/*.csv`, one row per factor and gas, each row citing its document and licence):
China GB/T 32150-2015 fuel defaults, China grid factors 2022 and 2023 (national and regional), a US EPA GHG
Emission Factors Hub subset, IPCC 2006 defaults cited one by one, refrigerant compositions, and the zero
rate of contractual instruments. Figures not re-verified against the project reference carry "(check)" in
their note.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

from ledger.calc.data_files import package_csv_rows
from ledger.calc.factors import Factor, factors_from_rows
from ledger.errors import FactorDataError, FactorNotFoundError, Issue

SHIPPED_DATASET_FILES = (
    "cn-gbt-32150-2015.csv",
    "cn-grid-2022.csv",
    "cn-grid-2023.csv",
    "us-epa-ghg-hub.csv",
    "ipcc-2006.csv",
    "refrigerant-compositions.csv",
    "contractual-instruments.csv",
)
# Where a row names no factor, the first of these datasets that has a default for its source supplies it.
DEFAULT_DATASETS = ("cn-gbt-32150-2015", "cn-grid-2023", "refrigerant-compositions")
ZERO_EMISSION_INSTRUMENT = "contractual-instruments/zero-emission"


class FactorLibrary:
    """A set of factors with unique ids, and the default factor of each dataset for each source."""

    def __init__(self, factors: Iterable[Factor]) -> None:
        self._by_id: dict[str, Factor] = {}
        self._defaults: dict[tuple[str, str, str | None], Factor] = {}
        duplicates = []
        for factor in factors:
            if factor.factor_id in self._by_id:
                duplicates.append(Issue(factor.dataset, None, "factor_id", factor.factor_id, "defined twice"))
            self._by_id[factor.factor_id] = factor
            for slug in factor.default_for:
                self._defaults[(factor.dataset, slug, factor.scope2_method)] = factor
        if duplicates:
            raise FactorDataError(tuple(duplicates))

    @property
    def factors(self) -> tuple[Factor, ...]:
        return tuple(self._by_id.values())

    def factor(self, factor_id: str) -> Factor:
        """The factor with id `factor_id`; FactorNotFoundError if there is none."""
        try:
            return self._by_id[factor_id]
        except KeyError as e:
            raise FactorNotFoundError(f"no factor with id {factor_id!r}") from e

    def default_factor(self, source: str, scope2_method: str | None, datasets: Sequence[str]) -> Factor:
        """The default factor for `source` from the first of `datasets` that has one.

        For scope 2 a default given for the method (location or market) is preferred to one given for both.
        """
        for dataset in datasets:
            for method in (scope2_method, None) if scope2_method is not None else (None,):
                factor = self._defaults.get((dataset, source, method))
                if factor is not None:
                    return factor
        method_text = f" ({scope2_method}-based)" if scope2_method else ""
        raise FactorNotFoundError(
            f"no default factor for source {source!r}{method_text} in datasets {', '.join(datasets)}; "
            "name a factor_id or another dataset"
        )

    def extended(self, factors: Iterable[Factor]) -> FactorLibrary:
        """This library with `factors` added (a user's own set); ids must stay unique."""
        return FactorLibrary((*self._by_id.values(), *factors))


@cache
def shipped_library() -> FactorLibrary:
    """The datasets that ship with carbon-ledger."""
    factors: list[Factor] = []
    for file_name in SHIPPED_DATASET_FILES:
        factors.extend(factors_from_rows(file_name, package_csv_rows(file_name)))
    return FactorLibrary(factors)
