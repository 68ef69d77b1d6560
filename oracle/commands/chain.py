"""`carbonledger chain up|down|status`: the embedded Anvil chain with persisted state."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from oracle import settings
from oracle.anvil import EmbeddedChain


def chain_of(arguments: argparse.Namespace) -> EmbeddedChain:
    return EmbeddedChain(Path(arguments.state_dir) / "chain", port=arguments.rpc_port)


def add_chain_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--state-dir", default=str(settings.STATE_DIR), help="state folder [CARBONLEDGER_HOME]")
    parser.add_argument("--rpc-port", type=int, default=settings.RPC_PORT, help="chain RPC port [CARBONLEDGER_RPC_PORT]")


def _up(arguments: argparse.Namespace) -> int:
    status = chain_of(arguments).up()
    print(f"chain {status.chain_id} up at {status.rpc_url}, block {status.block_number}")
    return 0


def _down(arguments: argparse.Namespace) -> int:
    chain_of(arguments).down()
    print("chain stopped")
    return 0


def _status(arguments: argparse.Namespace) -> int:
    status = chain_of(arguments).status()
    if status.running:
        print(f"chain {status.chain_id} running at {status.rpc_url}, block {status.block_number}, pid {status.pid}")
        return 0
    print(f"no chain answers at {status.rpc_url}")
    return 1


def register(subparsers: Any) -> None:
    chain = subparsers.add_parser("chain", help="the embedded Anvil chain")
    actions = chain.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, handler, summary in (("up", _up, "start it (state persists)"), ("down", _down, "stop it"),
                                   ("status", _status, "is it running?")):
        action = actions.add_parser(name, help=summary)
        add_chain_options(action)
        action.set_defaults(handler=handler)
