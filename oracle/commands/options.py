"""Options shared by the commands that reach the ledger database, the chain and the keystore."""

from __future__ import annotations

import argparse
from pathlib import Path

from oracle import settings
from oracle.runtime import Runtime


def add_runtime_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--state-dir", default=str(settings.STATE_DIR), help="state folder [CARBONLEDGER_HOME]")
    parser.add_argument("--database-url", default=settings.DATABASE_URL, help="[CARBONLEDGER_DATABASE_URL]")
    parser.add_argument("--origin", default=settings.LOG_ORIGIN, help="log origin [CARBONLEDGER_LOG_ORIGIN]")
    parser.add_argument("--rpc-url", default=settings.RPC_URL, help="chain JSON-RPC URL [CARBONLEDGER_RPC_URL]")
    parser.add_argument("--confirmations", type=int, default=settings.CONFIRMATIONS,
                        help="blocks a transaction must be deep [CARBONLEDGER_CONFIRMATIONS]")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def runtime_of(arguments: argparse.Namespace) -> Runtime:
    return Runtime(Path(arguments.state_dir), arguments.database_url, arguments.origin, arguments.rpc_url,
                   arguments.confirmations)
