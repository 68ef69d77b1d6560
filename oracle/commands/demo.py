"""`carbonledger demo`: the main job — chain up, ledger database, demo records appended, signed tree head."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from identity.note_key import load_or_create_note_signer
from ledger.log import MerkleLog
from ledger.log_store import SqlLogStore
from oracle import settings
from oracle.checkpoint import Checkpoint
from oracle.commands.chain import add_chain_options, chain_of
from oracle.demo import load_demo


def _demo(arguments: argparse.Namespace) -> int:
    status = chain_of(arguments).up()
    print(f"chain {status.chain_id} at {status.rpc_url}, block {status.block_number}")
    log = MerkleLog(SqlLogStore.from_url(arguments.database_url), arguments.origin)
    before = log.tree_head().tree_size
    head = load_demo(log)
    print(f"ledger {arguments.database_url}: {head.tree_size - before} records appended, {head.tree_size} in the log")
    signer = load_or_create_note_signer(Path(arguments.state_dir) / "keys" / "checkpoint-ed25519.pem", arguments.origin)
    print(f"checkpoint verifier key: {signer.verifier.key_string()}")
    print("signed tree head:")
    print(Checkpoint.of(head).signed([signer]), end="")
    return 0


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser("demo", help="bring the ledger up with demo data and print the signed tree head")
    add_chain_options(demo)
    demo.add_argument("--database-url", default=settings.DATABASE_URL, help="[CARBONLEDGER_DATABASE_URL]")
    demo.add_argument("--origin", default=settings.LOG_ORIGIN, help="log origin [CARBONLEDGER_LOG_ORIGIN]")
    demo.set_defaults(handler=_demo)
