"""Signed attestation documents for tests: an attestation of QZ0001 for 2025, signed with a given key."""

from __future__ import annotations

import hashlib
from typing import Any

from oracle.attest import SignedAttestation
from oracle.chain_ids import account_id
from oracle.eip712 import (
    AssuranceLevel,
    AttestationMessage,
    Opinion,
    SigningDomain,
    log_id,
)

ACCOUNT = "QZ0001"
YEAR = 2025
STATEMENT = b"verification statement of QZ0001, 2025"


def attestation_document(private_key: bytes, domain: SigningDomain, origin: str, tree_size: int, *, nonce: int = 0,
                         supersedes: int = 0, materiality_bps: int = 500) -> dict[str, Any]:
    """A reasonable-assurance, unqualified attestation of ACCOUNT's YEAR as of checkpoint `tree_size`, signed."""
    message = AttestationMessage(account_id(ACCOUNT), YEAR, log_id(origin), tree_size, AssuranceLevel.REASONABLE,
                                 materiality_bps, Opinion.UNQUALIFIED, hashlib.sha256(STATEMENT).digest(), supersedes,
                                 nonce)
    return SignedAttestation.signed_by(private_key, ACCOUNT, domain, message).to_json()
