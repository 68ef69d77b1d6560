"""The keystore: one password-encrypted Ethereum key per label in a folder, and the rotation of a key.

    <keys>/<label>.json                          the active key of `label` (Web3 Secret Storage v3, mode 0600)
    <keys>/retired/<label>@<YYYYMMDDTHHMMSSZ>.json  a key replaced by a rotation, named by its retirement time

The folder is `<state>/keys/` (state: CARBONLEDGER_HOME, `.carbonledger/` by default). Retired keys are kept,
never deleted, so that what they signed stays attributable and a rotation can be undone by hand. The
address of a key is stored beside its ciphertext, so listing keys needs no password; opening one checks that
the address matches the decrypted key.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

from eth_account import Account
from eth_account.signers.local import LocalAccount

from identity.atomic_file import PRIVATE_FOLDER_MODE, exclusive_lock, write_atomically
from identity.did import Did
from identity.errors import CorruptedKeystoreError, KeyExistsError, KeyNotFoundError, KeystoreError
from identity.identifier import IDENTIFIER, check_identifier
from identity.keystore_v3 import (
    DEFAULT_SCRYPT_N,
    EncryptedKey,
    address_of,
    decrypt_private_key,
    encrypt_private_key,
    new_private_key,
    parse_encrypted_key,
)

logger = logging.getLogger(__name__)

KEYS_FOLDER = "keys"
RETIRED_FOLDER = "retired"
KEY_FILE_MODE = 0o600
RETIRED_TIME_FORMAT = "%Y%m%dT%H%M%SZ"
_LOCK_FILE = ".lock"


@dataclass(frozen=True)
class KeyEntry:
    """A key as listed: its label, address and file; `retired_at` is set for a key replaced by a rotation."""

    label: str
    address: str
    path: Path
    retired_at: datetime | None = None

    def did(self, chain_id: int) -> Did:
        return Did(chain_id, self.address)


class Rotation(NamedTuple):
    """The addresses before and after a rotation, for the on-chain role swap (grant new, revoke old)."""

    old_address: str
    new_address: str


class Keystore:
    """The encrypted keys in one folder.

    `scrypt_n` is the cost of keys this keystore writes (2**18 by default); a lighter cost is for tests only.
    Keys are read with whatever cost their file states.
    """

    def __init__(self, directory: Path, *, scrypt_n: int = DEFAULT_SCRYPT_N) -> None:
        self.directory = directory
        self.scrypt_n = scrypt_n

    @classmethod
    def in_state_dir(cls, state_dir: Path, *, scrypt_n: int = DEFAULT_SCRYPT_N) -> Keystore:
        return cls(state_dir / KEYS_FOLDER, scrypt_n=scrypt_n)

    def path_of(self, label: str) -> Path:
        return self.directory / f"{check_identifier('label', label)}.json"

    def create(self, label: str, password: str) -> KeyEntry:
        """Generate a key, encrypt it under `password` and store it as `label`; KeyExistsError if taken."""
        path = self.path_of(label)
        private_key = new_private_key()
        document = encrypt_private_key(private_key, password, scrypt_n=self.scrypt_n)
        with exclusive_lock(self.directory / _LOCK_FILE):
            try:
                write_atomically(path, _json_bytes(document), mode=KEY_FILE_MODE, overwrite=False)
            except FileExistsError as e:
                raise KeyExistsError(label, path) from e
        entry = KeyEntry(label, address_of(private_key), path)
        logger.info("created key %s with address %s in %s", label, entry.address, path)
        return entry

    def load(self, label: str, password: str) -> LocalAccount:
        """The account (address and signer) of the key labelled `label`, opened with `password`."""
        path = self.path_of(label)
        private_key = decrypt_private_key(self._read(label, path), password, str(path))
        account: LocalAccount = Account.from_key(private_key)
        logger.debug("opened key %s (%s)", label, account.address)
        return account

    def entry(self, label: str) -> KeyEntry:
        """The active key labelled `label`, read without its password."""
        path = self.path_of(label)
        return KeyEntry(label, _address(self._read(label, path), path), path)

    def entries(self) -> list[KeyEntry]:
        """The active keys, by label."""
        labels = sorted(path.stem for path in self.directory.glob("*.json") if IDENTIFIER.fullmatch(path.stem))
        return [self.entry(label) for label in labels]

    def retired_entries(self) -> list[KeyEntry]:
        """The keys replaced by rotations, by label and then retirement time."""
        entries = []
        for path in sorted((self.directory / RETIRED_FOLDER).glob("*@*.json")):
            label, _, time_text = path.stem.rpartition("@")
            try:
                retired_at = datetime.strptime(time_text, RETIRED_TIME_FORMAT).replace(tzinfo=timezone.utc)
            except ValueError as e:
                raise CorruptedKeystoreError(path, f"file name: {time_text!r} is not a retirement time") from e
            entries.append(KeyEntry(label, _address(self._read(label, path), path), path, retired_at))
        return entries

    def rotate(self, label: str, password: str, *, now: datetime | None = None) -> Rotation:
        """Replace the key labelled `label` with a new one under the same password; keep the old one retired.

        The password must open the old key. At every moment `<label>.json` holds either the old key or the
        new one: the old file is first linked into retired/, then the new one replaces it in one step.
        """
        path = self.path_of(label)
        with exclusive_lock(self.directory / _LOCK_FILE):
            old_address = self.load(label, password).address
            retired_at = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
            private_key = new_private_key()
            document = encrypt_private_key(private_key, password, scrypt_n=self.scrypt_n)
            retired_name = f"{label}@{retired_at.strftime(RETIRED_TIME_FORMAT)}.json"
            retired_path = self.directory / RETIRED_FOLDER / retired_name
            retired_path.parent.mkdir(mode=PRIVATE_FOLDER_MODE, exist_ok=True)
            try:
                os.link(path, retired_path)
            except FileExistsError as e:
                raise KeystoreError(f"{retired_path} exists: key {label!r} was already rotated this second") from e
            write_atomically(path, _json_bytes(document), mode=KEY_FILE_MODE, overwrite=True)
        rotation = Rotation(old_address, address_of(private_key))
        logger.info(
            "rotated key %s: %s retired to %s, new address %s", label, old_address, retired_path, rotation.new_address
        )
        return rotation

    def _read(self, label: str, path: Path) -> EncryptedKey:
        try:
            text = path.read_bytes()
        except FileNotFoundError as e:
            raise KeyNotFoundError(label, self.directory) from e
        return parse_encrypted_key(text, str(path))


def _address(encrypted: EncryptedKey, path: Path) -> str:
    if encrypted.address is None:
        raise CorruptedKeystoreError(path, "address: missing")
    return encrypted.address


def _json_bytes(document: object) -> bytes:
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")
