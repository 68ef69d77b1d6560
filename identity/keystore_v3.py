"""Web3 Secret Storage v3 documents: an Ethereum private key encrypted under a password with scrypt.

    derived_key = scrypt(UTF-8 password, salt, n, r, p, dklen = 32)
    ciphertext  = AES-128-CTR(key = derived_key[0:16], iv).encrypt(private key)
    mac         = keccak256(derived_key[16:32] || ciphertext)

Documents written here also carry `address` (so a key can be listed without its password) and
`passwordcheck` = keccak256(PASSWORD_CHECK_TAG || derived_key[16:32]), which tells a wrong password (the
check fails) from an altered ciphertext (the check holds, the MAC does not). The check costs an attacker
nothing the MAC did not already give: testing a guess still means one scrypt run. Other v3 tools ignore the
field; for a document without it a MAC mismatch is reported as a wrong password, its likelier cause.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from Crypto.Protocol.KDF import scrypt
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from eth_keys.constants import SECPK1_N
from eth_keys.datatypes import PrivateKey
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from identity.errors import CorruptedKeystoreError, WrongPasswordError

# The cost geth calls "standard": 2**18 × 128 × 8 bytes = 256 MiB and about a second per derivation.
DEFAULT_SCRYPT_N = 2**18
SCRYPT_R = 8
SCRYPT_P = 1
DERIVED_KEY_BYTES = 32
SALT_BYTES = 32
IV_BYTES = 16
PRIVATE_KEY_BYTES = 32
PASSWORD_CHECK_TAG = b"carbonledger/keystore/password-check\x00"

# Bounds on a document's scrypt parameters, so that an altered file cannot make opening it exhaust memory
# (128 × r × n bytes) or run for hours (n × r × p block mixes); 16 times the standard cost is allowed.
MAX_SCRYPT_MEMORY_BYTES = 2**30
MAX_SCRYPT_WORK = 2**25

_HEX = re.compile(r"(?:[0-9a-fA-F]{2})*")


@dataclass(frozen=True)
class ScryptParameters:
    n: int
    r: int
    p: int
    salt: bytes


@dataclass(frozen=True)
class EncryptedKey:
    """A parsed, well-formed v3 document; `address` (EIP-55) and `password_check` are absent in some files."""

    address: str | None
    scrypt: ScryptParameters
    iv: bytes
    ciphertext: bytes
    mac: bytes
    password_check: bytes | None


def new_private_key() -> bytes:
    """A fresh secp256k1 private key from the operating system's random source."""
    while True:
        candidate = secrets.token_bytes(PRIVATE_KEY_BYTES)
        if 0 < int.from_bytes(candidate, "big") < SECPK1_N:
            return candidate


def address_of(private_key: bytes) -> str:
    """The EIP-55 address of a secp256k1 private key."""
    return str(PrivateKey(private_key).public_key.to_checksum_address())


def encrypt_private_key(private_key: bytes, password: str, *, scrypt_n: int = DEFAULT_SCRYPT_N) -> dict[str, Any]:
    """The v3 document of `private_key` under `password` (scrypt cost `scrypt_n`, r = 8, p = 1)."""
    parameters = ScryptParameters(scrypt_n, SCRYPT_R, SCRYPT_P, secrets.token_bytes(SALT_BYTES))
    derived_key = _derive(password, parameters)
    iv = secrets.token_bytes(IV_BYTES)
    ciphertext = _aes_128_ctr(derived_key, iv, private_key)
    return {
        "address": address_of(private_key)[2:].lower(),
        "crypto": {
            "cipher": "aes-128-ctr",
            "cipherparams": {"iv": iv.hex()},
            "ciphertext": ciphertext.hex(),
            "kdf": "scrypt",
            "kdfparams": {
                "dklen": DERIVED_KEY_BYTES,
                "n": parameters.n,
                "r": parameters.r,
                "p": parameters.p,
                "salt": parameters.salt.hex(),
            },
            "mac": _mac(derived_key, ciphertext).hex(),
        },
        "id": str(uuid.uuid4()),
        "passwordcheck": _password_check(derived_key).hex(),
        "version": 3,
    }


def parse_encrypted_key(text: str | bytes, where: str) -> EncryptedKey:
    """The v3 document in `text`; CorruptedKeystoreError naming `where` and the field if it is malformed."""
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as e:
        raise CorruptedKeystoreError(where, f"not JSON ({e})") from e
    reader = _Reader(where)
    top = reader.mapping(document, "$")
    if reader.integer(top, "version") != 3:
        raise CorruptedKeystoreError(where, f"version: {top['version']!r} is not 3")
    crypto_name = "Crypto" if "Crypto" in top and "crypto" not in top else "crypto"  # older geth files: "Crypto"
    crypto = reader.mapping(reader.member(top, crypto_name), crypto_name)
    reader.require_text(crypto, "cipher", "aes-128-ctr")
    reader.require_text(crypto, "kdf", "scrypt")
    kdf = reader.mapping(reader.member(crypto, "kdfparams"), "kdfparams")
    if reader.integer(kdf, "dklen") != DERIVED_KEY_BYTES:
        raise CorruptedKeystoreError(where, f"kdfparams.dklen: {kdf['dklen']!r} is not {DERIVED_KEY_BYTES}")
    scrypt = ScryptParameters(
        reader.integer(kdf, "n"), reader.integer(kdf, "r"), reader.integer(kdf, "p"), reader.hex_bytes(kdf, "salt")
    )
    _check_scrypt_cost(scrypt, where)
    cipher_parameters = reader.mapping(reader.member(crypto, "cipherparams"), "cipherparams")
    address = top.get("address")
    if address is not None:
        address = _checksummed(address, where)
    return EncryptedKey(
        address=address,
        scrypt=scrypt,
        iv=reader.hex_bytes(cipher_parameters, "iv", IV_BYTES),
        ciphertext=reader.hex_bytes(crypto, "ciphertext", PRIVATE_KEY_BYTES),
        mac=reader.hex_bytes(crypto, "mac", 32),
        password_check=reader.hex_bytes(top, "passwordcheck", 32) if "passwordcheck" in top else None,
    )


def decrypt_private_key(encrypted: EncryptedKey, password: str, where: str) -> bytes:
    """The private key in `encrypted`.

    WrongPasswordError if `password` does not open it; CorruptedKeystoreError if the ciphertext, IV or
    address were altered.
    """
    derived_key = _derive(password, encrypted.scrypt)
    if encrypted.password_check is not None and not hmac.compare_digest(
        _password_check(derived_key), encrypted.password_check
    ):
        raise WrongPasswordError(f"{where}: wrong password")
    if not hmac.compare_digest(_mac(derived_key, encrypted.ciphertext), encrypted.mac):
        if encrypted.password_check is not None:
            raise CorruptedKeystoreError(where, "MAC mismatch: the encrypted key was altered")
        raise WrongPasswordError(
            f"{where}: wrong password (or an altered ciphertext: this file has no password check to tell which)"
        )
    private_key = _aes_128_ctr(derived_key, encrypted.iv, encrypted.ciphertext)
    # The MAC does not cover the IV: an altered IV decrypts to another number, caught here.
    if not 0 < int.from_bytes(private_key, "big") < SECPK1_N:
        raise CorruptedKeystoreError(where, "the decrypted key is not a secp256k1 private key (altered IV?)")
    if encrypted.address is not None and address_of(private_key) != encrypted.address:
        raise CorruptedKeystoreError(where, "address: does not match the decrypted key (altered IV or address)")
    return private_key


def _derive(password: str, parameters: ScryptParameters) -> bytes:
    # pycryptodome's scrypt, not OpenSSL's: OpenSSL refuses n >= 2**(16 r), which rules out r = 1 with the
    # usual n = 2**18, the parameters of the specification's vector and of files older tools wrote.
    derived = scrypt(
        password.encode("utf-8"),  # type: ignore[arg-type]  # the stubs say str; the function takes bytes
        parameters.salt,  # type: ignore[arg-type]
        DERIVED_KEY_BYTES,
        N=parameters.n,
        r=parameters.r,
        p=parameters.p,
    )
    return cast(bytes, derived)  # a tuple only when several keys are asked for


def _aes_128_ctr(derived_key: bytes, iv: bytes, data: bytes) -> bytes:
    # CTR mode: encryption and decryption are the same operation.
    encryptor = Cipher(algorithms.AES(derived_key[:16]), modes.CTR(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def _mac(derived_key: bytes, ciphertext: bytes) -> bytes:
    return bytes(keccak(derived_key[16:32] + ciphertext))


def _password_check(derived_key: bytes) -> bytes:
    return bytes(keccak(PASSWORD_CHECK_TAG + derived_key[16:32]))


def _check_scrypt_cost(parameters: ScryptParameters, where: str) -> None:
    n, r, p = parameters.n, parameters.r, parameters.p
    if n < 2 or n & (n - 1) or r < 1 or p < 1:
        raise CorruptedKeystoreError(where, f"kdfparams: n={n}, r={r}, p={p} (n must be a power of 2 >= 2, r, p >= 1)")
    if 128 * r * n > MAX_SCRYPT_MEMORY_BYTES or n * r * p > MAX_SCRYPT_WORK:
        raise CorruptedKeystoreError(where, f"kdfparams: n={n}, r={r}, p={p} ask for more work than any keystore needs")
    if len(parameters.salt) < 16:
        raise CorruptedKeystoreError(where, "kdfparams.salt: shorter than 16 bytes")


def _checksummed(address: object, where: str) -> str:
    text = address[2:] if isinstance(address, str) and address.startswith("0x") else address
    if not isinstance(text, str) or len(text) != 40 or not _HEX.fullmatch(text):
        raise CorruptedKeystoreError(where, f"address: {str(address)[:50]!r} is not 20 bytes of hex")
    return str(to_checksum_address("0x" + text))


@dataclass(frozen=True)
class _Reader:
    """Typed access to a parsed document; every failure names the file and the field."""

    where: str

    def member(self, mapping: Mapping[str, object], name: str) -> object:
        if name not in mapping:
            raise CorruptedKeystoreError(self.where, f"{name}: missing")
        return mapping[name]

    def mapping(self, value: object, name: str) -> Mapping[str, object]:
        if not isinstance(value, dict):
            raise CorruptedKeystoreError(self.where, f"{name}: not a JSON object")
        return value

    def integer(self, mapping: Mapping[str, object], name: str) -> int:
        value = self.member(mapping, name)
        if type(value) is not int:
            raise CorruptedKeystoreError(self.where, f"{name}: {value!r} is not an integer")
        return value

    def require_text(self, mapping: Mapping[str, object], name: str, expected: str) -> None:
        value = self.member(mapping, name)
        if value != expected:
            shown = str(value)[:50]
            raise CorruptedKeystoreError(self.where, f"{name}: {shown!r} is not supported (only {expected!r})")

    def hex_bytes(self, mapping: Mapping[str, object], name: str, length: int | None = None) -> bytes:
        value = self.member(mapping, name)
        if not isinstance(value, str) or not _HEX.fullmatch(value):
            raise CorruptedKeystoreError(self.where, f"{name}: {str(value)[:50]!r} is not hex")
        data = bytes.fromhex(value)
        if length is not None and len(data) != length:
            raise CorruptedKeystoreError(self.where, f"{name}: {len(data)} bytes, expected {length}")
        return data
