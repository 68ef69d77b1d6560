"""How an import reads and calculates a file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ledger.calc.conversions import NO_CONVERSIONS, Conversions
from ledger.calc.library import DEFAULT_DATASETS, FactorLibrary


@dataclass(frozen=True)
class IngestOptions:
    """Factors and defaults for calculating rows, and how to read and write the file.

    `workers` processes share the checking and building of records for CSV files of `parallel_from_bytes` or
    more (smaller files, workbooks and JSON documents are worked in this process: see
    oracle.ingest.pipeline); files are worked `chunk_rows` rows at a time; `batch_size` records go to the log per append; at most
    `max_listed_issues` issues are listed (all are counted).
    """

    library: FactorLibrary
    default_gwp_set: str = "AR5"
    datasets: tuple[str, ...] = DEFAULT_DATASETS
    conversions: Conversions = NO_CONVERSIONS
    encoding: str = "utf-8-sig"
    # Each append writes back the pages of the log's key and leaf indexes that its random keys touch, so larger
    # batches write each page fewer times: 50,000 records imported about 13 % faster than 10,000 at a million.
    batch_size: int = 50_000
    max_listed_issues: int = 1000
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    parallel_from_bytes: int = 4 * 1024 * 1024
    chunk_rows: int = 5000
