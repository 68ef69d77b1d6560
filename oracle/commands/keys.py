"""`carbonledger keys new|list|show|rotate`: the actors' Ethereum keys in the encrypted keystore.

The password comes from CARBONLEDGER_KEY_PASSWORD or a prompt, never from a flag. No command prints a
private key; `show` and `list` need no password at all.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from identity.did import Did
from identity.keystore import KeyEntry, Keystore
from identity.password import key_password
from oracle import settings
from oracle.anvil import DEFAULT_CHAIN_ID


def _keystore(arguments: argparse.Namespace) -> Keystore:
    return Keystore.in_state_dir(Path(arguments.state_dir))


def _described(entry: KeyEntry, chain_id: int) -> dict[str, str]:
    description = {
        "label": entry.label,
        "address": entry.address,
        "did": str(entry.did(chain_id)),
        "file": str(entry.path),
    }
    if entry.retired_at is not None:
        description["retired_at"] = entry.retired_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return description


def _print(arguments: argparse.Namespace, document: Any, lines: list[str]) -> None:
    if arguments.json:
        print(json.dumps(document, indent=2))
    else:
        print("\n".join(lines))


def _new(arguments: argparse.Namespace) -> int:
    entry = _keystore(arguments).create(arguments.label, key_password(confirm=True))
    described = _described(entry, arguments.chain_id)
    _print(arguments, described, [f"created key {entry.label}", f"address {entry.address}", f"did {described['did']}"])
    return 0


def _list(arguments: argparse.Namespace) -> int:
    keystore = _keystore(arguments)
    entries = keystore.entries() + (keystore.retired_entries() if arguments.retired else [])
    described = [_described(entry, arguments.chain_id) for entry in entries]
    lines = [
        f"{item['label']:<24} {item['address']}  {item['did']}"
        + (f"  retired {item['retired_at']}" if "retired_at" in item else "")
        for item in described
    ]
    _print(arguments, described, lines or ["no keys"])
    return 0


def _show(arguments: argparse.Namespace) -> int:
    described = _described(_keystore(arguments).entry(arguments.label), arguments.chain_id)
    _print(arguments, described, [f"{name} {value}" for name, value in described.items()])
    return 0


def _rotate(arguments: argparse.Namespace) -> int:
    rotation = _keystore(arguments).rotate(arguments.rotated_label, key_password())
    chain_id = arguments.chain_id
    document = {
        "label": arguments.rotated_label,
        "old_address": rotation.old_address,
        "new_address": rotation.new_address,
        "old_did": str(Did(chain_id, rotation.old_address)),
        "new_did": str(Did(chain_id, rotation.new_address)),
    }
    _print(
        arguments,
        document,
        [
            f"rotated key {arguments.rotated_label}: the old key is kept under retired/",
            f"old address {rotation.old_address}",
            f"new address {rotation.new_address}",
            "on chain, grant the new address its roles and revoke them from the old one",
        ],
    )
    return 0


def register(subparsers: Any) -> None:
    keys = subparsers.add_parser("keys", help="Ethereum keys of the actors, in the encrypted keystore")
    actions = keys.add_subparsers(dest="action", required=True, metavar="ACTION")
    label_default = os.environ.get("CARBONLEDGER_KEY_LABEL")
    label_help = "key label [CARBONLEDGER_KEY_LABEL]"
    commands = (
        ("new", _new, "create a key (password from CARBONLEDGER_KEY_PASSWORD or a prompt)"),
        ("list", _list, "list the keys: label, address, DID"),
        ("show", _show, "show one key's address and DID (never the private key)"),
        ("rotate", _rotate, "replace a key with a new one, keeping the old one retired"),
    )
    for name, handler, summary in commands:
        action = actions.add_parser(name, help=summary)
        action.add_argument("--state-dir", default=str(settings.STATE_DIR), help="state folder [CARBONLEDGER_HOME]")
        action.add_argument(
            "--chain-id",
            type=int,
            default=int(os.environ.get("CARBONLEDGER_CHAIN_ID", DEFAULT_CHAIN_ID)),
            help="chain of the DIDs [CARBONLEDGER_CHAIN_ID]",
        )
        action.add_argument("--json", action="store_true", help="print JSON")
        if name in ("new", "show"):
            action.add_argument("--label", default=label_default, required=label_default is None, help=label_help)
        if name == "rotate":
            action.add_argument("rotated_label", metavar="LABEL", help="label of the key to rotate")
        if name == "list":
            action.add_argument("--retired", action="store_true", help="also list keys retired by rotations")
        action.set_defaults(handler=handler)
