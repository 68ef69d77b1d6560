"""The `carbonledger` command line: one sub-command module per area under oracle/commands/.

Flags default to CARBONLEDGER_* environment variables (see each command's --help).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from ledger.errors import LedgerError

# Each module exposes `register(subparsers)`, adding the commands listed with it, each with
# `set_defaults(handler=...)`; a handler takes the parsed namespace and returns the process exit code. A command
# loads its own module only (the others bring web3 and Flask, half a second); --help and unknown commands load all.
COMMAND_MODULES = {
    "oracle.commands.anchor": ("deploy", "anchor", "audit", "status"),
    "oracle.commands.attest": ("evidence", "attest"),
    "oracle.commands.calc": ("factors", "template", "ingest", "recompute"),
    "oracle.commands.chain": ("chain",),
    "oracle.commands.demo": ("demo",),
    "oracle.commands.keys": ("keys",),
    "oracle.commands.proof": ("proof", "verify"),
    "oracle.commands.rating": ("rating",),
    "oracle.commands.roles": ("roles",),
    "oracle.commands.serve": ("serve",),
}
_MODULE_OF = {command: module for module, commands in COMMAND_MODULES.items() for command in commands}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or only of the command `argv` names (the process's arguments if None)."""
    parser = argparse.ArgumentParser(prog="carbonledger", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    words = [word for word in (sys.argv[1:] if argv is None else argv) if word not in ("-v", "--verbose")]
    named = _MODULE_OF.get(words[0]) if words else None
    for module_name in COMMAND_MODULES if named is None else (named,):
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv)
    arguments = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if arguments.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(arguments.handler(arguments))
    except LedgerError as error:
        print(f"carbonledger: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
