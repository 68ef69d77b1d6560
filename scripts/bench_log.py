"""Benchmark of the Merkle log on SQLite: append rate, proof latency and peak memory at a million leaves.

Appends LEAVES leaves of ~300-byte canonical-record-like entries in batches of BATCH (one transaction
each), then times inclusion and consistency proofs at the full size. Prints the figures; the numbers in
docs/benchmarks.md come from this script.

Usage: python scripts/bench_log.py [--leaves 1000000] [--batch 10000] [--database /tmp/bench-log.db]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time
from pathlib import Path

from ledger.log import MerkleLog
from ledger.log_store import SqlLogStore


def entry(index: int) -> bytes:
    # Shaped like a canonical record: sorted keys, decimal strings, no whitespace, about 300 bytes.
    return (
        b'{"account":"QZ%04d","co2e_g":%d,"code":"QZ%04d-2025M03-1SC.NG-%09d-X","gases_g":{"CH4":"%d.25",'
        b'"CO2":"%d","N2O":"%d.025"},"gwp_set":"AR6","iso_category":1,"period":"2025M03","receipt":'
        b'{"factor":"gbt32150/natural-gas/v2015","method":"v1"},"scope":1,"source":"stationary-combustion/'
        b'natural-gas","v":1}'
    ) % (index % 9999, index * 7, index % 9999, index + 1, index % 97, index * 7, index % 13)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--database", type=Path, default=Path("/tmp/carbonledger-bench-log.db"))
    parser.add_argument("--proofs", type=int, default=2000)
    arguments = parser.parse_args()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{arguments.database}{suffix}").unlink(missing_ok=True)

    log = MerkleLog(SqlLogStore.from_url(f"sqlite:///{arguments.database}"), "bench/log")
    print(f"entry size: {len(entry(123456))} bytes; {arguments.leaves:,} leaves in batches of {arguments.batch:,}")
    append_s = 0.0
    for start in range(0, arguments.leaves, arguments.batch):
        batch = [entry(index) for index in range(start, min(start + arguments.batch, arguments.leaves))]
        started = time.perf_counter()
        log.append(batch)
        append_s += time.perf_counter() - started
    size = log.tree_head().tree_size
    print(f"append: {append_s:.2f} s in log.append, {size / append_s:,.0f} leaves/s")

    picks = random.Random(1).sample(range(size), arguments.proofs)
    inclusion_ms = []
    for leaf_index in picks:
        t0 = time.perf_counter()
        log.inclusion_proof(leaf_index, size)
        inclusion_ms.append((time.perf_counter() - t0) * 1000)
    consistency_ms = []
    for old_size in picks:
        t0 = time.perf_counter()
        log.consistency_proof(old_size + 1, size)
        consistency_ms.append((time.perf_counter() - t0) * 1000)
    for name, samples in (("inclusion proof", inclusion_ms), ("consistency proof", consistency_ms)):
        ordered = sorted(samples)
        print(
            f"{name} at {size:,}: median {statistics.median(ordered):.3f} ms, "
            f"p99 {ordered[int(len(ordered) * 0.99)]:.3f} ms over {len(ordered):,}"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")
    print(f"database: {arguments.database.stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
