"""Where the command line finds things: flags default to CARBONLEDGER_* environment variables, then to these."""

from __future__ import annotations

import os
from pathlib import Path

STATE_DIR = Path(os.environ.get("CARBONLEDGER_HOME", ".carbonledger"))
DATABASE_URL = os.environ.get("CARBONLEDGER_DATABASE_URL", f"sqlite:///{STATE_DIR / 'ledger.db'}")
LOG_ORIGIN = os.environ.get("CARBONLEDGER_LOG_ORIGIN", "carbonledger.local/demo")
RPC_PORT = int(os.environ.get("CARBONLEDGER_RPC_PORT", "8545"))
RPC_URL = os.environ.get("CARBONLEDGER_RPC_URL", f"http://127.0.0.1:{RPC_PORT}")
CONFIRMATIONS = int(os.environ.get("CARBONLEDGER_CONFIRMATIONS", "1"))
