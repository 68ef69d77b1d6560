"""Errors of the identity layer: keystores, key passwords, DIDs and the device registry.

Every class sits under ledger.errors.LedgerError (so the command line prints it cleanly) and also inherits
the builtin it stands in for. No message ever holds a password or key material.
"""

from __future__ import annotations

from pathlib import Path

from ledger.errors import LedgerError


class IdentityError(LedgerError):
    """Root of the identity errors."""


class IdentifierError(IdentityError, ValueError):
    """A key label or device id is not a safe identifier (it also names a file)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class KeystoreError(IdentityError):
    """A key in the keystore cannot be created, read or rotated."""


class KeyNotFoundError(KeystoreError, KeyError):
    """No key file carries the given label."""

    def __init__(self, label: str, directory: Path) -> None:
        super().__init__(f"no key labelled {label!r} in {directory}")
        self.label = label

    def __str__(self) -> str:
        # KeyError would print the repr of its argument; the message reads better as written.
        return str(self.args[0])


class KeyExistsError(KeystoreError, ValueError):
    """A key with the given label already exists; it was left as it was."""

    def __init__(self, label: str, path: Path) -> None:
        super().__init__(f"a key labelled {label!r} already exists: {path}")
        self.label = label


class WrongPasswordError(KeystoreError, ValueError):
    """The password does not open the key file."""


class CorruptedKeystoreError(KeystoreError, ValueError):
    """A key file is not a readable Web3 Secret Storage v3 document, or its content was altered."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class PasswordError(KeystoreError, ValueError):
    """No usable key password: none in the environment and no terminal to ask, empty, or not confirmed."""


class DidError(IdentityError, ValueError):
    """A DID is not a well-formed did:pkh:eip155 identifier with an EIP-55 checksummed address."""


class DeviceError(IdentityError, ValueError):
    """A device entry is invalid, or the device registry file cannot be read."""


class DeviceExistsError(DeviceError):
    """The device id, or the device's public key, is already registered."""
