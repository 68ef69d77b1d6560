"""A process that appends to a SQLite log until it is killed: the subject of the crash-safety test.

Usage: python -m tests.ledger.log_writer DATABASE_URL BATCH_SIZE
"""

from __future__ import annotations

import sys

from ledger.log import MerkleLog
from ledger.log_store import SqlLogStore


def main() -> None:
    url, batch_size = sys.argv[1], int(sys.argv[2])
    log = MerkleLog(SqlLogStore.from_url(url), "crash/test")
    while True:
        start = log.tree_head().tree_size
        log.append([b"entry-%d" % index for index in range(start, start + batch_size)], expected_size=start)
        print(start + batch_size, flush=True)


if __name__ == "__main__":
    main()
