"""The Ed25519 key that signs checkpoint notes: created once, kept in the state folder, never logged.

The key is a PKCS#8 PEM file readable only by its owner. When CARBONLEDGER_KEY_PASSWORD is set it is
encrypted with that password; otherwise it is stored unencrypted and a warning says so.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from ledger.errors import LedgerError
from oracle.note import NoteSigner

logger = logging.getLogger(__name__)

PASSWORD_VARIABLE = "CARBONLEDGER_KEY_PASSWORD"


class KeyFileError(LedgerError, ValueError):
    """A key file cannot be read: wrong password, corrupted, or not the expected kind of key."""


def _password() -> bytes | None:
    password = os.environ.get(PASSWORD_VARIABLE)
    return password.encode() if password else None


def load_or_create_note_signer(key_file: Path, name: str) -> NoteSigner:
    """The signer named `name` whose key is in `key_file`, generating the key on first use."""
    password = _password()
    if key_file.exists():
        try:
            key = load_pem_private_key(key_file.read_bytes(), password=password)
        except (ValueError, TypeError) as error:
            raise KeyFileError(f"{key_file}: cannot load the key (wrong or missing {PASSWORD_VARIABLE}?)") from error
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyFileError(f"{key_file}: not an Ed25519 key")
        return NoteSigner(name, key)
    key = Ed25519PrivateKey.generate()
    encryption = BestAvailableEncryption(password) if password else NoEncryption()
    if password is None:
        logger.warning("%s is not set: %s is stored unencrypted", PASSWORD_VARIABLE, key_file)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    temporary = key_file.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, encryption))
    os.replace(temporary, key_file)
    return NoteSigner(name, key)
