"""POST /api/v1/verify: check a proof bundle on the server and report every check (pure computation, no writes).

The trusted root is, for now, this server's log at the bundle's tree size; once anchoring is wired it is the
root read from the chain, and only `trusted_root` below changes.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ledger.errors import LogNotFoundError
from ledger.log import TreeHead
from webapp.bundle_verification import verify_bundle
from webapp.ledger_access import checkpoint_signer, current_log
from webapp.parameters import json_body
from webapp.proof_bundle import ProofBundle

blueprint = Blueprint("api_verify", __name__, url_prefix="/api/v1")


def trusted_root(head: TreeHead) -> bytes:
    log = current_log()
    if head.origin != log.origin:
        raise LogNotFoundError(f"this ledger serves the log {log.origin!r}, not {head.origin!r}")
    return log.tree_head(head.tree_size).root_hash


@blueprint.post("/verify")
def verify() -> dict[str, Any]:
    bundle = ProofBundle.from_json(json_body())
    signer = checkpoint_signer()
    checks = verify_bundle(bundle, trusted_root, None if signer is None else signer.verifier)
    return {
        "valid": all(check.status != "fail" for check in checks),
        "checks": [{"check": check.check, "status": check.status, "detail": check.detail} for check in checks],
    }
