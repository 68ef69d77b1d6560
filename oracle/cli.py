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

# Each module exposes `register(subparsers)`, adding its commands with `set_defaults(handler=...)`;
# a handler takes the parsed namespace and returns the process exit code.
COMMAND_MODULES = (
    "oracle.commands.anchor",
    "oracle.commands.attest",
    "oracle.commands.calc",
    "oracle.commands.chain",
    "oracle.commands.demo",
    "oracle.commands.keys",
    "oracle.commands.proof",
    "oracle.commands.rating",
    "oracle.commands.roles",
    "oracle.commands.serve",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="carbonledger", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
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
