"""How ledger values look in the JSON API: the one place where bytes become base64 and hex text.

Hashes are base64 as in RFC 9162's JSON API, each single hash with a hex twin (`root_hash`, `root_hash_hex`)
for people who compare them by eye; proofs are lists of base64 hashes.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from ledger.code import ThreeDCode
from ledger.log import TreeHead


def base64_text(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def hash_json(name: str, value: bytes) -> dict[str, str]:
    """`{name: base64, name_hex: hex}`."""
    return {name: base64_text(value), f"{name}_hex": value.hex()}


def proof_json(proof: Sequence[bytes]) -> list[str]:
    return [base64_text(element) for element in proof]


def tree_head_json(head: TreeHead) -> dict[str, Any]:
    return {"origin": head.origin, "tree_size": head.tree_size, **hash_json("root_hash", head.root_hash)}


def code_json(code: ThreeDCode) -> dict[str, Any]:
    """The parts of a 3D code: who (account, facility), when (period), what (scope, category, source), serial."""
    return {
        "account": code.account,
        "facility": code.facility,
        "period": code.period.text,
        "scope": code.scope,
        "category": code.category,
        "source": code.source,
        "serial": code.serial,
    }
