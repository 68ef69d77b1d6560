"""The domain core stays pure: ledger/ imports no web3, flask or sqlalchemy, storage adapters aside."""

from __future__ import annotations

import ast
from pathlib import Path

LEDGER = Path(__file__).resolve().parents[2] / "ledger"
FORBIDDEN = {"web3", "flask", "sqlalchemy", "brownie", "eth_account"}


def is_storage_adapter(path: Path) -> bool:
    return path.name.endswith("_store.py") and path.name != "memory_store.py"


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_given_the_core_modules_then_none_imports_a_forbidden_package() -> None:
    modules = [path for path in LEDGER.rglob("*.py") if not is_storage_adapter(path)]
    assert len(modules) >= 8
    offenders = {str(path.relative_to(LEDGER)): sorted(imported_roots(path) & FORBIDDEN) for path in modules}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_check_itself_catches_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom sqlalchemy.orm import Session\nimport web3.main as w\n")
    assert imported_roots(sample) & FORBIDDEN == {"sqlalchemy", "web3"}


def test_the_storage_adapter_is_the_only_exception() -> None:
    assert is_storage_adapter(LEDGER / "log_store.py")
    assert not is_storage_adapter(LEDGER / "memory_store.py")
    assert not is_storage_adapter(LEDGER / "log.py")
