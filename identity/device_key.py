"""Private keys of simulated or test meters, kept as password-encrypted PKCS#8 files under `<keys>/devices/`.

A real meter keeps its Ed25519 key inside the meter and only its public key is registered (identity/device.py);
this store is for tools that play meters, such as scripts/meter_simulator.py. Files are mode 0600 and written
atomically; the password comes from the caller (identity/password.py), never from a file.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from identity.atomic_file import PRIVATE_FOLDER_MODE, write_atomically
from identity.errors import CorruptedKeystoreError, KeyExistsError, KeyNotFoundError, WrongPasswordError
from identity.identifier import check_identifier

DEVICE_KEYS_FOLDER = "devices"
DEVICE_KEY_FILE_MODE = 0o600


def device_key_path(keys_dir: Path, device_id: str) -> Path:
    return keys_dir / DEVICE_KEYS_FOLDER / f"{check_identifier('device_id', device_id)}.pem"


def create_device_key(keys_dir: Path, device_id: str, password: str) -> Ed25519PrivateKey:
    """Generate and store the key of `device_id`; KeyExistsError if it has one."""
    path = device_key_path(keys_dir, device_id)
    keys_dir.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(password.encode("utf-8")))
    try:
        write_atomically(path, pem, mode=DEVICE_KEY_FILE_MODE, overwrite=False)
    except FileExistsError as e:
        raise KeyExistsError(device_id, path) from e
    return key


def load_device_key(keys_dir: Path, device_id: str, password: str) -> Ed25519PrivateKey:
    """The stored key of `device_id`: KeyNotFoundError, WrongPasswordError or CorruptedKeystoreError if not."""
    path = device_key_path(keys_dir, device_id)
    try:
        pem = path.read_bytes()
    except FileNotFoundError as e:
        raise KeyNotFoundError(device_id, path.parent) from e
    try:
        key = load_pem_private_key(pem, password=password.encode("utf-8"))
    except ValueError as e:
        # The PEM layer does not tell a wrong password from a damaged file.
        raise WrongPasswordError(f"{path}: wrong password, or the file is damaged") from e
    except TypeError as e:
        raise CorruptedKeystoreError(path, "not an encrypted key file") from e
    if not isinstance(key, Ed25519PrivateKey):
        raise CorruptedKeystoreError(path, "not an Ed25519 key")
    return key


def raw_public_key(key: Ed25519PrivateKey) -> bytes:
    """The 32 raw bytes of the public half of `key`, as the device registry stores them."""
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
