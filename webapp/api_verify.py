"""POST /api/v1/verify: check a proof bundle on the server and report every check (pure computation, no writes)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from oracle.bundle import ProofBundle
from webapp.bundle_verification import verify_posted_bundle
from webapp.parameters import json_body

blueprint = Blueprint("api_verify", __name__, url_prefix="/api/v1")


@blueprint.post("/verify")
def verify() -> dict[str, Any]:
    checks = verify_posted_bundle(ProofBundle.from_json(json_body()))
    return {"valid": all(check.status != "fail" for check in checks), "checks": [check.to_json() for check in checks]}
