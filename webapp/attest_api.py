"""POST /api/v1/attestations: relay a verifier's signed attestation (oracle/attest.py) to the chain.

Needs a principal acting as a verifier of the account's region (a signed-in, accredited address with the
session's CSRF header, or an API token with that role); the signature must recover to a verifier accredited in
that region. Nothing is sent unless every check passes.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from oracle.attest import SignedAttestation
from oracle.roles import Role
from webapp.accounts_view import directory_entry
from webapp.attest_relay import relay, relayed_json
from webapp.auth import require_principal, require_role
from webapp.parameters import json_body

blueprint = Blueprint("attest_api", __name__, url_prefix="/api/v1")


def relay_for_principal(signed: SignedAttestation) -> dict[str, Any]:
    """Relay `signed` if the principal asking acts as a verifier of the account's region."""
    entry, _ = directory_entry(signed.account)
    require_role(Role("verifier", entry.region))
    return relayed_json(relay(signed), signed.account)


@blueprint.post("/attestations")
def attest() -> dict[str, Any]:
    require_principal()
    return relay_for_principal(SignedAttestation.from_json(json_body()))
