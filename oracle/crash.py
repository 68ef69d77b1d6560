"""Named crash points: the process kills itself with SIGKILL where CARBONLEDGER_CRASH_AT names the point.

The crash drills set the variable to one point at a time and prove that a restart loses and duplicates
nothing. `name#n` crashes at the n-th time the process passes the point (the first by default), so a drill
can stop, say, in the middle of a checkpoint's postings. Outside the drills the variable is unset and every
point is a no-op.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

from ledger.errors import LedgerError

CRASH_VARIABLE = "CARBONLEDGER_CRASH_AT"

_passes: Counter[str] = Counter()


class CrashPointError(LedgerError, ValueError):
    """CARBONLEDGER_CRASH_AT is not `name` or `name#n` with n >= 1."""


def crash_point(name: str) -> None:
    target = os.environ.get(CRASH_VARIABLE)
    if not target:
        return
    point, _, count_text = target.partition("#")
    if point != name:
        return
    if count_text and not (count_text.isdigit() and int(count_text) >= 1):
        raise CrashPointError(f"{CRASH_VARIABLE}: {target!r} must be NAME or NAME#N with N >= 1")
    _passes[name] += 1
    if _passes[name] == int(count_text or 1):
        os.kill(os.getpid(), signal.SIGKILL)
