"""`carbonledger demo`: the main job — chain up, contracts deployed, the demo ledger loaded and anchored, explorer.

Keys are encrypted with CARBONLEDGER_KEY_PASSWORD; when it is not set, the demo makes a random password once
and keeps it in <state>/demo-key-password (mode 0600), so `make run` needs no input.
"""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from identity.atomic_file import write_atomically
from identity.password import PASSWORD_VARIABLE
from oracle.anvil import ChainError, EmbeddedChain
from oracle.commands.options import add_runtime_options, runtime_of
from oracle.commands.serve import serve_explorer
from oracle.demo import run_demo


def _demo_password(state_dir: Path) -> None:
    if os.environ.get(PASSWORD_VARIABLE):
        return
    password_file = state_dir / "demo-key-password"
    if not password_file.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        write_atomically(password_file, secrets.token_urlsafe(24).encode(), mode=0o600, overwrite=False)
    os.environ[PASSWORD_VARIABLE] = password_file.read_text().strip()
    print(f"keys are encrypted with the password in {password_file} (set {PASSWORD_VARIABLE} to choose your own)")


def _demo(arguments: argparse.Namespace) -> int:
    state_dir = Path(arguments.state_dir)
    _demo_password(state_dir)
    rpc = urlsplit(arguments.rpc_url)
    if rpc.hostname not in ("127.0.0.1", "localhost") or rpc.port is None:
        raise ChainError(f"the demo runs its own chain on 127.0.0.1; {arguments.rpc_url} is not such an address")
    status = EmbeddedChain(state_dir / "chain", port=rpc.port).up()
    print(f"chain {status.chain_id} at {status.rpc_url}, block {status.block_number}")
    runtime = runtime_of(arguments)
    summary = run_demo(runtime, state_dir)
    print(f"ledger {runtime.database_url}: {summary.new_records} records appended, {summary.records} in the log")
    print(f"{summary.accounts} accounts; {summary.warnings} balance warnings on chain")
    print(f"anchored at tree size {summary.anchored_tree_size}; checkpoint verifier key: "
          f"{runtime.note_signer.verifier.key_string()}")
    if summary.note:
        print("signed tree head:")
        print(summary.note, end="")
    if arguments.no_serve:
        return 0
    # The explorer configures itself from the environment: hand it what this run used.
    os.environ.update({
        "CARBONLEDGER_DATABASE_URL": runtime.database_url,
        "CARBONLEDGER_LOG_ORIGIN": runtime.origin,
        "CARBONLEDGER_RPC_URL": runtime.rpc_url,
        "CARBONLEDGER_DEPLOYMENT_FILE": str(runtime.deployment_path),
        "CARBONLEDGER_HOME": str(state_dir),
    })
    return serve_explorer(arguments.host, arguments.port)


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser("demo", help="bring the ledger up with demo data, anchor it, serve the explorer")
    add_runtime_options(demo)
    demo.add_argument("--no-serve", action="store_true", help="stop after loading and anchoring")
    demo.add_argument("--host", default=os.environ.get("CARBONLEDGER_HOST", "127.0.0.1"), help="[CARBONLEDGER_HOST]")
    demo.add_argument("--port", type=int, default=int(os.environ.get("CARBONLEDGER_PORT", "8000")),
                      help="explorer port [CARBONLEDGER_PORT]")
    demo.set_defaults(handler=_demo)
