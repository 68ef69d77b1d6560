"""Shared pieces of the identity tests: the data folder and a keystore with a light scrypt cost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from identity.keystore import Keystore

IDENTITY_DATA = Path(__file__).resolve().parent.parent / "data" / "identity"
# 2**10 instead of 2**18: the same code path at a thousandth of the time. Only tests lower the cost.
LIGHT_SCRYPT_N = 2**10
PASSWORD = "correct horse battery staple 7"


def identity_data(name: str) -> Any:
    return json.loads((IDENTITY_DATA / name).read_text(encoding="utf-8"))


@pytest.fixture
def keystore(tmp_path: Path) -> Keystore:
    return Keystore.in_state_dir(tmp_path / "state", scrypt_n=LIGHT_SCRYPT_N)
