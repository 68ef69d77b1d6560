"""The command line loads only the module of the command it runs, and its list of commands is the modules' own."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

import pytest

from oracle.cli import COMMAND_MODULES, build_parser
from tests.oracle.cli_ledger import REPO_ROOT


@pytest.mark.parametrize("module_name", list(COMMAND_MODULES))
def test_given_a_command_module_when_it_registers_then_it_adds_exactly_the_commands_listed_for_it(
    module_name: str,
) -> None:
    subparsers = argparse.ArgumentParser().add_subparsers()
    importlib.import_module(module_name).register(subparsers)
    assert tuple(subparsers.choices) == COMMAND_MODULES[module_name]


def test_given_ingest_when_parsed_then_neither_web3_nor_flask_is_loaded() -> None:
    script = ("import sys; from oracle.cli import build_parser; "
              "build_parser(['-v', 'ingest', 'file.csv']).parse_args(['-v', 'ingest', 'file.csv']); "
              "print(sorted(name for name in ('web3', 'flask') if name in sys.modules))")
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_given_no_command_or_an_unknown_one_when_parsed_then_every_command_is_offered() -> None:
    every = {command for commands in COMMAND_MODULES.values() for command in commands}
    for argv in ([], ["--help"], ["no-such-command"]):
        parser = build_parser(argv)
        (subparsers,) = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
        assert set(subparsers.choices) == every
