"""`carbonledger roles grant|revoke|check|token`: the ledger's roles on chain, and API tokens for machines.

ROLE is one of oracle, regulator:<REGION>, verifier:<REGION>, registry, admin (see oracle/roles.py). Grants
and revocations are sent from the keystore key named by --as: the admin for every role but a verifier's, which
a regulator of the region gives (accreditation). `token` prints a new random API token for the explorer and
the configuration entry that lets it act in the given roles; only the token's SHA-256 goes into configuration.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import time
from typing import Any

from eth_utils.address import is_address, to_checksum_address

from ledger.errors import RoleError
from oracle.commands.options import add_runtime_options, runtime_of
from oracle.roles import ROLE_NAMES, Role, change_calls, holds_role

API_TOKEN_BYTES = 32


def _role(text: str) -> Role:
    try:
        return Role.parse(text)
    except RoleError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _address(text: str) -> str:
    if not is_address(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a 20-byte hex address")
    return str(to_checksum_address(text))


def _change(arguments: argparse.Namespace) -> int:
    runtime = runtime_of(arguments)
    role, address, granting = arguments.role, arguments.address, arguments.action == "grant"
    if holds_role(role, address, runtime, runtime.origin) == granting:
        print(f"{address} {'already holds' if granting else 'does not hold'} {role.text}")
        return 0
    calls = change_calls(role, address, runtime, runtime.origin, grant=granting)
    sender = runtime.sender(arguments.as_label)
    # A role may be granted, revoked and granted again: each change is a transaction of its own.
    for index, call in enumerate(calls):
        sender.send(f"roles:{arguments.action}:{role.text}:{address}:{index}:{time.time_ns()}", call)
    print(f"{'granted' if granting else 'revoked'} {role.text} {'to' if granting else 'from'} {address}")
    return 0


def _check(arguments: argparse.Namespace) -> int:
    runtime = runtime_of(arguments)
    held = holds_role(arguments.role, arguments.address, runtime, runtime.origin)
    print(f"{arguments.address} {'holds' if held else 'does not hold'} {arguments.role.text}")
    return 0 if held else 1


def _token(arguments: argparse.Namespace) -> int:
    token = secrets.token_urlsafe(API_TOKEN_BYTES)
    entry = {hashlib.sha256(token.encode()).hexdigest(): sorted(role.text for role in arguments.roles)}
    print(f"API token (shown once; send it as 'Authorization: Bearer <token>'):\n{token}\n")
    print("explorer configuration: merge this entry into API_TOKENS (config.py or CARBONLEDGER_API_TOKENS):")
    print(json.dumps(entry))
    return 0


def register(subparsers: Any) -> None:
    roles = subparsers.add_parser("roles", help="grant, revoke or check roles on chain; make API tokens")
    actions = roles.add_subparsers(dest="action", required=True, metavar="ACTION")
    role_help = f"one of {', '.join(ROLE_NAMES)}; regulator and verifier take a region, e.g. verifier:ZJ"
    for name, handler, summary in (("grant", _change, "give ADDRESS the role"),
                                   ("revoke", _change, "take the role from ADDRESS"),
                                   ("check", _check, "whether ADDRESS holds the role (exit code 1 if not)")):
        action = actions.add_parser(name, help=summary)
        add_runtime_options(action)
        action.add_argument("role", metavar="ROLE", type=_role, help=role_help)
        action.add_argument("address", metavar="ADDRESS", type=_address)
        if name != "check":
            action.add_argument("--as", dest="as_label", default=os.environ.get("CARBONLEDGER_KEY_LABEL", "admin"),
                                help="keystore label of the key that sends it [CARBONLEDGER_KEY_LABEL, else admin]")
        action.set_defaults(handler=handler)
    token = actions.add_parser("token", help="a new API token for the explorer, acting in ROLE...")
    token.add_argument("roles", metavar="ROLE", type=_role, nargs="+", help=role_help)
    token.set_defaults(handler=_token)
