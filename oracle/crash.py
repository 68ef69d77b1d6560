"""Named crash points: the oracle kills itself with SIGKILL where CARBONLEDGER_CRASH_AT names the point.

The crash drills set the variable to one point at a time and prove that a restart loses and duplicates
nothing. Outside the drills the variable is unset and every point is a no-op.
"""

from __future__ import annotations

import os
import signal

CRASH_VARIABLE = "CARBONLEDGER_CRASH_AT"


def crash_point(name: str) -> None:
    if os.environ.get(CRASH_VARIABLE) == name:
        os.kill(os.getpid(), signal.SIGKILL)
