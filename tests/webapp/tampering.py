"""Ways to tamper with a proof bundle, each with the checks that must then fail, on the server and in the browser.

The expectations are for the bundle of leaf TAMPERED_LEAF_INDEX in the demo log of 27 records.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient

from tests.webapp.conftest import DemoLedger

Bundle = dict[str, Any]

# A leaf in the middle of the tree, so that every tampering has something to change.
TAMPERED_LEAF_INDEX = 4


def genuine_bundle(client: FlaskClient, demo_ledger: DemoLedger) -> Bundle:
    """The bundle the API gives for the record at TAMPERED_LEAF_INDEX."""
    code = demo_ledger.record(TAMPERED_LEAF_INDEX).code
    bundle: Bundle = client.get(f"/api/v1/records/{code}/bundle").get_json()
    return bundle


def flip_first_bit(base64_hash: str) -> str:
    raw = bytearray(base64.b64decode(base64_hash))
    raw[0] ^= 0x80
    return base64.b64encode(bytes(raw)).decode()


def _replace_hash(members: Bundle, name: str) -> None:
    members[name] = flip_first_bit(members[name])
    members[f"{name}_hex"] = base64.b64decode(members[name]).hex()


@dataclass(frozen=True)
class Tampering:
    name: str
    apply: Callable[[Bundle], None]
    failed_checks: frozenset[str]

    def applied_to(self, bundle: Bundle) -> Bundle:
        changed = copy.deepcopy(bundle)
        self.apply(changed)
        return changed


def _raise_the_figure(bundle: Bundle) -> None:
    bundle["record"] = bundle["record"].replace('"co2e_g":', '"co2e_g":1', 1)


def _pretty_print_the_record(bundle: Bundle) -> None:
    bundle["record"] = json.dumps(json.loads(bundle["record"]), indent=1, ensure_ascii=False)


def _flip_a_proof_bit(bundle: Bundle) -> None:
    bundle["inclusion"][0] = flip_first_bit(bundle["inclusion"][0])


def _drop_a_proof_element(bundle: Bundle) -> None:
    bundle["inclusion"].pop()


def _move_the_leaf(bundle: Bundle) -> None:
    bundle["leaf_index"] += 1


def _shrink_the_tree(bundle: Bundle) -> None:
    bundle["tree_head"]["tree_size"] -= 1


def _replace_the_root(bundle: Bundle) -> None:
    _replace_hash(bundle["tree_head"], "root_hash")


def _replace_the_leaf_hash(bundle: Bundle) -> None:
    _replace_hash(bundle, "leaf_hash")


def _alter_the_hex_twin(bundle: Bundle) -> None:
    bundle["leaf_hash_hex"] = "00" * 32


def _rename_the_log(bundle: Bundle) -> None:
    bundle["tree_head"]["origin"] = "elsewhere.example/other-log"


TAMPERINGS = (
    Tampering("a figure in the record raised", _raise_the_figure, frozenset({"leaf_hash", "inclusion"})),
    Tampering(
        "the record pretty-printed", _pretty_print_the_record, frozenset({"record", "leaf_hash", "inclusion"})
    ),
    Tampering("a bit of a proof element flipped", _flip_a_proof_bit, frozenset({"inclusion"})),
    Tampering("the last proof element dropped", _drop_a_proof_element, frozenset({"inclusion"})),
    Tampering("the leaf index moved by one", _move_the_leaf, frozenset({"serial", "inclusion"})),
    # For a leaf in the left half the path has the same shape in trees of 26 and 27 leaves, so the proof still
    # leads to the stated root: only the trusted root at the stated size gives the lie away.
    Tampering("the tree size shrunk by one", _shrink_the_tree, frozenset({"trusted_root"})),
    Tampering("another root with its hex", _replace_the_root, frozenset({"inclusion", "trusted_root"})),
    Tampering("another leaf hash with its hex", _replace_the_leaf_hash, frozenset({"leaf_hash"})),
    Tampering("the hex twin of the leaf hash altered", _alter_the_hex_twin, frozenset({"hex_twins"})),
    Tampering("the log renamed", _rename_the_log, frozenset({"trusted_root"})),
)
